from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from points.audit import chained_models, verify_chain

from ...backup import BackupError, backup, suffix_for


class Command(BaseCommand):
    help = "备份数据库到一个文件（SQLite：在线备份；PostgreSQL：pg_dump -Fc），并打印审计链的链头。"

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="备份文件路径（默认 BACKUP_DIR/jifen-时间.后缀）")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, output=None, database=DEFAULT_DB_ALIAS, **options):
        connection = connections[database]
        if output:
            target = Path(output)
        else:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            target = Path(settings.BACKUP_DIR) / f"jifen-{stamp}{suffix_for(connection)}"
        try:
            path = backup(connection, target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"备份完成：{path}（{path.stat().st_size} 字节）")
        # The chain heads at backup time, printed next to the file name: kept with the backup log
        # they are the anchor verify_audit compares against (points/audit.py).
        for model in chained_models():
            report = verify_chain(model, using=database)
            state = "完好" if report.ok else f"第 {report.broken_at} 行异常：{report.problem}"
            self.stdout.write(f"审计链 {report.label}：{report.rows} 行，链头 {report.head or '-'}，{state}")
