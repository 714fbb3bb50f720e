import logging
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from points.audit import chained_models, verify_chain
from points.audit_heads import HeadsError, append_line, chain_heads, head_problems, heads_line, read_records

from ...backup import (
    BackupError,
    backup,
    backup_files,
    files_archive_for,
    heads_file_for,
    suffix_for,
    write_private_text,
)

logger = logging.getLogger("jifen.security")


class Command(BaseCommand):
    help = (
        "备份数据库到一个文件（SQLite：在线备份；PostgreSQL：pg_dump -Fc），上传的文件（佐证材料、附件）"
        "打包在它旁边（同名加 .files.tar.gz），审计链的链头写在它旁边（同名加 .heads.json）"
        "并追加到 AUDIT_HEADS_LOG。"
    )

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
        # Read before the dump: the chains only grow, so the backup holds at least these rows and a
        # database restored from it reaches these heads.
        heads = chain_heads(using=database)
        problems = self._earlier_heads_problems(database)
        at = timezone.localtime().isoformat(timespec="seconds")
        try:
            path = backup(connection, target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"备份完成：{path}（{path.stat().st_size} 字节）")
        archive = files_archive_for(path)
        try:
            count = backup_files(Path(settings.MEDIA_ROOT), archive)
        except OSError as exc:
            raise CommandError(f"上传文件备份失败：{exc}") from exc
        self.stdout.write(f"上传文件：{count} 个，{archive}")
        self._record_heads(heads_line(heads, at=at, backup=str(path)), path)
        for model in chained_models():
            report = verify_chain(model, using=database)
            state = "完好" if report.ok else f"第 {report.broken_at} 行异常：{report.problem}"
            self.stdout.write(f"审计链 {report.label}：{report.rows} 行，链头 {report.head or '-'}，{state}")
        if problems:
            # The backup is kept (it is evidence too), but the run fails so that the nightly job reports it.
            text = "；".join(f"{label}：{problem}" for label, problem in problems)
            logger.warning("备份时发现审计链与此前记录的链头不符：%s", text)
            raise CommandError(
                f"备份已完成，但审计链与此前记录的链头不符：{text}。请运行 manage.py verify_audit 并调查。"
            )

    def _earlier_heads_problems(self, database: str) -> list[tuple[str, str]]:
        """What the heads recorded by earlier backups (AUDIT_HEADS_LOG) say of the chains now."""
        log = Path(settings.AUDIT_HEADS_LOG)
        if not log.exists():
            return []
        try:
            return head_problems(read_records(log), using=database)
        except HeadsError as exc:
            return [("AUDIT_HEADS_LOG", str(exc))]

    def _record_heads(self, line: str, path: Path) -> None:
        # Three copies outside the database: beside the backup, the append-only heads log, and the
        # security logger (shipped to the central log collector where there is one).
        heads_file = heads_file_for(path)
        log = Path(settings.AUDIT_HEADS_LOG)
        try:
            write_private_text(heads_file, line + "\n")
            append_line(log, line)
        except OSError as exc:
            raise CommandError(f"备份已完成，但审计链链头未能写入 {heads_file} 或 {log}：{exc}") from exc
        logger.info("审计链链头 %s", line)
        self.stdout.write(f"审计链链头：{heads_file}，并追加到 {log}")
