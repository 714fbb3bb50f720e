from django.core.management.base import BaseCommand

from ...services.lines import prune_lines


class Command(BaseCommand):
    help = (
        "删除不再被任何年度积分结果引用的积分说明（重新汇总或更正后留下的旧说明，其中可能有个人信息）。"
        "宜每月由 cron 运行。"
    )

    def handle(self, *args, **options):
        removed = prune_lines()
        self.stdout.write(f"已删除 {removed} 条不再使用的积分说明。")
