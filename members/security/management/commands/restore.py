from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from ...backup import (
    BackupError,
    check_backup,
    check_files_archive,
    check_files_target,
    files_archive_for,
    restore,
    restore_files,
)


class Command(BaseCommand):
    help = (
        "从 backup 生成的文件恢复数据库，以及旁边的上传文件备份（同名加 .files.tar.gz）。"
        "目标库须为空库（没有任何数据表）、上传文件目录须为空，否则须加 --force。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="备份文件")
        parser.add_argument(
            "--force", action="store_true", help="目标库已有数据表、上传文件目录已有文件时仍然覆盖"
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, path, force=False, database=DEFAULT_DB_ALIAS, **options):
        connection = connections[database]
        archive = files_archive_for(Path(path))
        media = Path(settings.MEDIA_ROOT)
        # Everything is checked before anything is written, so a refused restore changes nothing:
        # neither the database nor the uploaded files.
        try:
            if archive.exists():
                check_files_target(media, force=force)
            check_backup(connection, path, force=force)
            if archive.exists():
                check_files_archive(archive)
        except BackupError as exc:
            raise CommandError(f"{exc}数据库与上传文件均未改动。") from exc
        try:
            restore(connection, path, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"恢复完成：{path} → {connection.settings_dict['NAME']}")
        if archive.exists():
            try:
                count = restore_files(archive, media, force=force)
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"上传文件：{count} 个 → {media}")
        else:
            self.stdout.write(f"没有上传文件备份（{archive}），只恢复了数据库。")
        self.stdout.write("请接着运行 manage.py migrate 与 manage.py verify_audit。")
