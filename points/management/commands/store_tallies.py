from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q

from members.models import MemberStatus

from ...models import Quarter, QuarterState, QuarterTally
from ...services.tallies import store_tallies


class Command(BaseCommand):
    help = (
        "为已结束公示、但尚无记录汇总（季度积分事实）的季度补存汇总，例如升级前结束的季度；"
        "已有完整汇总的季度不动。汇总缺失时系统按原始记录计算，结果相同，只是较慢。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="只处理这一年度")

    def handle(self, *args, year=None, **options):
        if year is not None and not 2000 <= year <= 2100:
            raise CommandError(f"年度无效：{year}")
        quarters = Quarter.objects.filter(state=QuarterState.CLOSED).order_by("year", "number", "branch_id")
        if year is not None:
            quarters = quarters.filter(year=year)
        quarters = quarters.annotate(
            active=Count(
                "branch__members", filter=Q(branch__members__status=MemberStatus.ACTIVE), distinct=True
            )
        )
        stored = done = 0
        for quarter in quarters:
            tallied = QuarterTally.objects.filter(
                member__branch_id=quarter.branch_id,
                member__status=MemberStatus.ACTIVE,
                year=quarter.year,
                quarter=quarter.number,
            ).count()
            if tallied >= quarter.active:
                continue
            stored += store_tallies([quarter.branch_id], quarter.year, quarter.number, lock_wait=None)
            done += 1
        self.stdout.write(f"已为 {done} 个季度补存 {stored} 条记录汇总。")
