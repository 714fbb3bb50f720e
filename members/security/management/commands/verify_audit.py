from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from points.audit import chained_models, verify_chain
from points.audit_heads import HeadsError, head_problems, read_records


class Command(BaseCommand):
    help = (
        "逐条核验积分台账、流转记录和免于积分管理审批记录的审计链，并与备份时记录的链头"
        "（AUDIT_HEADS_LOG，或 --heads 指定的文件）核对；发现被改动或删除的记录时以非零状态退出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--heads",
            help="与此文件记录的链头核对（备份旁的 .heads.json 或链头日志；默认 AUDIT_HEADS_LOG）",
        )

    def handle(self, *args, database=DEFAULT_DB_ALIAS, heads=None, **options):
        broken = []
        for model in chained_models():
            report = verify_chain(model, using=database)
            if report.ok:
                self.stdout.write(f"OK {report.label}：{report.rows} 行，链头 {report.head or '-'}")
            else:
                broken.append(f"{report.label} id={report.broken_at} {report.problem}")
                self.stdout.write(
                    f"BROKEN {report.label}：id={report.broken_at} {report.problem}"
                    f"（此前 {report.rows - 1} 行完好）"
                )
        broken += self._check_heads(heads, database)
        if broken:
            raise CommandError("审计链校验未通过：" + "；".join(broken))
        self.stdout.write("审计链完好。")

    def _check_heads(self, heads: str | None, database: str) -> list[str]:
        path = Path(heads or settings.AUDIT_HEADS_LOG)
        if heads is None and not path.exists():
            # A new installation before its first backup: nothing recorded yet, not a failure.
            self.stdout.write(
                f"未找到链头记录 {path}：无法发现末尾被删除的记录。运行一次 manage.py backup 即会记录。"
            )
            return []
        try:
            records = read_records(path)
        except HeadsError as exc:
            raise CommandError(str(exc)) from exc
        problems = head_problems(records, using=database)
        for label, problem in problems:
            self.stdout.write(f"BROKEN {label}：{problem}")
        if not problems:
            self.stdout.write(
                f"链头核对：数据库包含 {path} 中 {len(records)} 条记录的全部链头（最近一条 {records[-1].at}）。"
            )
        return [f"{label} {problem}" for label, problem in problems]
