from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from points.audit import chained_models, verify_chain


class Command(BaseCommand):
    help = (
        "逐条核验积分台账、流转记录和免于积分管理审批记录的审计链；发现被改动或删除的记录时以非零状态退出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database=DEFAULT_DB_ALIAS, **options):
        broken = []
        for model in chained_models():
            report = verify_chain(model, using=database)
            if report.ok:
                self.stdout.write(f"OK {report.label}：{report.rows} 行，链头 {report.head or '-'}")
            else:
                broken.append(report)
                self.stdout.write(
                    f"BROKEN {report.label}：id={report.broken_at} {report.problem}"
                    f"（此前 {report.rows - 1} 行完好）"
                )
        if broken:
            raise CommandError(
                "审计链校验未通过：" + "；".join(f"{r.label} id={r.broken_at} {r.problem}" for r in broken)
            )
        self.stdout.write("审计链完好。")
