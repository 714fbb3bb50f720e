"""备份与恢复: the database in one file, made and read with the database's own tools, and the uploaded
files (evidence, attachments: part of the record an appeal relies on) in a tar archive beside it.

SQLite: the online backup API (consistent while the server runs). PostgreSQL: pg_dump -Fc and
pg_restore, with the connection from settings. Restoring into a database that already has tables is
refused unless forced, so a mistyped DATABASE_URL cannot overwrite a live database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3

# pg_dump and pg_restore run with a fixed argument list and no shell.
import subprocess  # nosec B404
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    pass


def suffix_for(connection) -> str:
    return ".sqlite3" if connection.vendor == "sqlite" else ".dump"


def is_empty(connection) -> bool:
    """No tables at all: a freshly created database, the only kind restore writes into unforced."""
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _private_file(path: Path) -> None:
    # A backup holds personal data: readable by the service account only.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


@contextmanager
def _private_output(target: Path) -> Iterator[Path]:
    """A file to write `target` through: created owner-only beside it, moved into place when the
    writing succeeds, removed when it fails, so a half-written backup never carries the real name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    _private_file(partial)
    try:
        yield partial
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)


def files_archive_for(database_backup: Path) -> Path:
    """Where the uploaded files of a database backup go: beside it, same name plus `.files.tar.gz`."""
    database_backup = Path(database_backup)
    return database_backup.with_name(database_backup.name + ".files.tar.gz")


def heads_file_for(database_backup: Path) -> Path:
    """Where the audit chains' heads at backup time go: beside it, same name plus `.heads.json`."""
    database_backup = Path(database_backup)
    return database_backup.with_name(database_backup.name + ".heads.json")


def write_private_text(target: Path, text: str) -> None:
    with _private_output(Path(target)) as partial:
        partial.write_text(text, encoding="utf-8")


def backup_files(source: Path, target: Path) -> int:
    """Every regular file under `source` (MEDIA_ROOT) into a gzipped tar at `target`, owner-readable
    only; symlinks are not followed. Returns the number of files archived."""
    source, target = Path(source), Path(target)
    count = 0
    with _private_output(target) as partial, tarfile.open(partial, "w:gz") as tar:
        if source.is_dir():
            for path in sorted(source.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=path.relative_to(source).as_posix(), recursive=False)
                    count += 1
    return count


def check_files_archive(source: Path) -> list[tarfile.TarInfo]:
    """Read a `backup_files` archive to its end and return its members; refused (BackupError) unless
    every member is a plain file or folder with a relative name that stays inside the target."""
    source = Path(source)
    try:
        with tarfile.open(source, "r:gz") as tar:
            members = tar.getmembers()
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"不是有效的上传文件备份：{source}（{exc}）") from exc
    for member in members:
        parts = Path(member.name).parts
        if not (member.isfile() or member.isdir()) or member.name.startswith(("/", "\\")) or ".." in parts:
            raise BackupError(f"上传文件备份中有不安全的条目：{member.name[:200]}，已拒绝，未写入任何文件。")
    return members


def check_files_target(target: Path, *, force: bool = False) -> None:
    target = Path(target)
    if target.is_dir() and any(target.iterdir()) and not force:
        raise BackupError(f"上传文件目录 {target} 不是空的；确认要覆盖请加 --force。")


def restore_files(source: Path, target: Path, *, force: bool = False) -> int:
    """Unpack a `backup_files` archive into `target` (MEDIA_ROOT). Refused into a folder that already
    holds files unless forced, and for an archive holding anything but plain files and folders with
    relative names inside it (checked before anything is written)."""
    source, target = Path(source), Path(target)
    check_files_target(target, force=force)
    members = check_files_archive(source)
    try:
        with tarfile.open(source, "r:gz") as tar:
            target.mkdir(parents=True, exist_ok=True)
            tar.extractall(target, members=[tar.getmember(m.name) for m in members], filter="data")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"不是有效的上传文件备份：{source}（{exc}）") from exc
    return sum(1 for m in members if m.isfile())


def backup(connection, target: Path) -> Path:
    target = Path(target)
    with _private_output(target) as partial:
        if connection.vendor == "sqlite":
            _sqlite_backup(connection, partial)
        elif connection.vendor == "postgresql":
            _run(
                ["pg_dump", "--format=custom", f"--file={partial}", *_pg_args(connection.settings_dict)],
                connection.settings_dict,
            )
        else:
            raise BackupError(f"不支持的数据库：{connection.vendor}")
    return target


def check_backup(connection, source: Path, *, force: bool = False) -> None:
    """Everything `restore` needs, checked without writing: the file is a readable backup of this
    database's kind, and the target is empty (or forced)."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"找不到备份文件 {source}")
    magic = _head(source)
    if not force and not is_empty(connection):
        raise BackupError(
            "目标数据库不是空库（已有数据表），为防止误覆盖已拒绝恢复。请恢复到新建的空库，"
            "或确认无误后加 --force。"
        )
    if connection.vendor == "sqlite":
        if not magic.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source} 不是 SQLite 备份文件。")
        _sqlite_check(source)
    elif connection.vendor == "postgresql":
        if not magic.startswith(PGDUMP_MAGIC):
            raise BackupError(f"{source} 不是 pg_dump -Fc 备份文件。")
        # Reads the whole table of contents: a truncated or damaged dump fails here, not mid-restore.
        _run(["pg_restore", "--list", str(source)], {})
    else:
        raise BackupError(f"不支持的数据库：{connection.vendor}")


def restore(connection, source: Path, *, force: bool = False) -> None:
    source = Path(source)
    check_backup(connection, source, force=force)
    if connection.vendor == "sqlite":
        _sqlite_restore(connection, source)
    else:
        connection.close()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                f"--dbname={connection.settings_dict['NAME']}",
                *_pg_args(connection.settings_dict, with_dbname=False),
                str(source),
            ],
            connection.settings_dict,
        )


def _head(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(16)


def _sqlite_backup(connection, target: Path) -> None:
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
        if destination.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("备份文件完整性检查未通过。")
    finally:
        destination.close()


def _sqlite_check(source: Path) -> None:
    try:
        origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            ok = origin.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            origin.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} 不是完整的 SQLite 备份文件（{exc}）。") from exc
    if not ok:
        raise BackupError(f"{source} 未通过完整性检查，已拒绝恢复。")


def _sqlite_restore(connection, source: Path) -> None:
    connection.ensure_connection()
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        origin.backup(connection.connection)
    finally:
        origin.close()
    connection.close()


def _pg_args(settings_dict: dict, *, with_dbname: bool = True) -> list[str]:
    args = []
    if settings_dict.get("HOST"):
        args.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        args.append(f"--port={settings_dict['PORT']}")
    if settings_dict.get("USER"):
        args.append(f"--username={settings_dict['USER']}")
    if with_dbname:
        args.append(f"--dbname={settings_dict['NAME']}")
    return args


def _run(args: list[str], settings_dict: dict) -> None:
    program = shutil.which(args[0])
    if program is None:
        raise ImproperlyConfigured(
            f"找不到 {args[0]}：请安装与服务器版本一致的 PostgreSQL 客户端（postgresql-client）。"
        )
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    # The password goes through the environment, never the command line (visible in `ps`).
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    result = subprocess.run(  # noqa: S603  # nosec B603
        [program, "--no-password", *args[1:]], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{args[0]} 失败（退出码 {result.returncode}）：{result.stderr.strip()[:2000]}")
