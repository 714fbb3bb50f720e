from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from points.audit_heads import HeadsError, append_line, heads_line, read_records

from ...backup import (
    BackupError,
    check_backup,
    check_files_archive,
    check_files_target,
    files_archive_for,
    heads_file_for,
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
        self._mark_restore(Path(path))
        self.stdout.write("请接着运行 manage.py migrate 与 manage.py verify_audit。")

    def _mark_restore(self, path: Path) -> None:
        # Restoring an older backup drops, on purpose, the rows written after it: the heads recorded
        # since would all fail. The restore is logged with the backup's own heads, which the restored
        # database must reach; verify_audit checks the heads log from this line on.
        heads_file = heads_file_for(path)
        try:
            heads = read_records(heads_file)[-1].heads if heads_file.exists() else ()
        except HeadsError as exc:
            raise CommandError(f"数据库已恢复，但 {exc}") from exc
        line = heads_line(heads, at=timezone.localtime().isoformat(timespec="seconds"), restored=str(path))
        log = Path(settings.AUDIT_HEADS_LOG)
        try:
            append_line(log, line)
        except OSError as exc:
            raise CommandError(f"数据库已恢复，但恢复记录未能写入链头日志 {log}：{exc}") from exc
        if not heads:
            self.stdout.write(f"备份旁没有链头记录（{heads_file}），恢复后的链头无从核对。")
