from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from ...backup import BackupError, restore


class Command(BaseCommand):
    help = "从 backup 生成的文件恢复数据库。目标库须为空库（没有任何数据表），否则须加 --force。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="备份文件")
        parser.add_argument("--force", action="store_true", help="目标库已有数据表时仍然覆盖")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, path, force=False, database=DEFAULT_DB_ALIAS, **options):
        connection = connections[database]
        try:
            restore(connection, path, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"恢复完成：{path} → {connection.settings_dict['NAME']}")
        self.stdout.write("请接着运行 manage.py migrate 与 manage.py verify_audit。")
