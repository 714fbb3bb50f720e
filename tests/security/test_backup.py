"""backup → restore into an empty database → every member and ledger entry is there, chains intact.

The restore runs as `manage.py restore` in a child process pointed at a new database by DATABASE_URL,
exactly as an operator would run it; on PostgreSQL the new database gets its own name.
"""

import os
import sqlite3
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from members.models import Member
from points.models import EntryType, PointEntry
from points.services import workflow
from tests.pg import other_connection


def _manage(*args, database_url, media_root=None):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_MEDIA_ROOT")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=database_url,
        AUDIT_HEADS_LOG=str(settings.AUDIT_HEADS_LOG),  # the test's own (tests/security/conftest.py)
    )
    if media_root:
        env["TEST_MEDIA_ROOT"] = str(media_root)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


class _SqliteTarget:
    def __init__(self, tmp_path):
        self.path = tmp_path / "restored.sqlite3"
        self.url = f"sqlite:///{self.path}"

    def rows(self, sql):
        with sqlite3.connect(self.path) as db:
            return sorted(db.execute(sql).fetchall())

    def drop(self):
        pass


class _PostgresTarget:
    def __init__(self):
        params = connection.settings_dict
        self.name = f"{params['NAME']}_restore"
        self.server = dict(host=params["HOST"], port=params["PORT"] or 5432, user=params["USER"])
        if params.get("PASSWORD"):
            self.server["password"] = params["PASSWORD"]
        self.drop()
        self._admin(f'CREATE DATABASE "{self.name}"')
        auth = params["USER"] + (f":{params['PASSWORD']}" if params.get("PASSWORD") else "")
        self.url = f"postgres://{auth}@{self.server['host']}:{self.server['port']}/{self.name}"

    def _admin(self, sql):
        with other_connection("postgres", autocommit=True) as db:
            db.execute(sql)

    def rows(self, sql):
        with other_connection(self.name) as db:
            return sorted(db.execute(sql).fetchall())

    def drop(self):
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def target(tmp_path):
    made = _PostgresTarget() if connection.vendor == "postgresql" else _SqliteTarget(tmp_path)
    yield made
    made.drop()


@pytest.mark.django_db(transaction=True)
def test_it_restores_a_backup_into_an_empty_database(cast, target, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    quarter = workflow.quarter_open(branch=cast.b1, year=2025, number=1, actor=cast.secretary.user)
    for n in range(3):
        PointEntry.objects.create(
            quarter=quarter,
            member=cast.member.member,
            entry_type=EntryType.BONUS,
            kind="volunteer",
            value=Decimal(n),
            reason="志愿服务",
        )
    backup_file = tmp_path / ("jifen.dump" if connection.vendor == "postgresql" else "jifen.sqlite3")
    call_command("backup", "--output", str(backup_file))
    assert backup_file.stat().st_mode & 0o077 == 0  # personal data: owner only

    restored = _manage("restore", str(backup_file), database_url=target.url, media_root=tmp_path / "restored")
    assert restored.returncode == 0, restored.stderr
    verified = _manage("verify_audit", database_url=target.url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # restore logged itself with the backup's heads, and the restored database reaches them
    assert '"restored"' in settings.AUDIT_HEADS_LOG.read_text().splitlines()[-1]
    assert "链头核对：数据库包含" in verified.stdout, verified.stdout

    members = sorted(Member.objects.values_list("code", "name"))
    assert len(members) == 8
    assert target.rows("SELECT code, name FROM members_member") == members
    entries = sorted(PointEntry.objects.values_list("id", "chain_hash"))
    assert target.rows("SELECT id, chain_hash FROM points_pointentry") == entries


def test_it_refuses_to_restore_over_a_database_with_tables(cast, tmp_path):
    backup_file = tmp_path / "any.sqlite3"
    backup_file.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(CommandError, match="不是空库"):
        call_command("restore", str(backup_file))
    assert Member.objects.count() == 8


def test_it_refuses_a_file_that_is_no_backup(tmp_path):
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    result = _manage("restore", str(not_a_backup), database_url=f"sqlite:///{tmp_path / 'new.sqlite3'}")
    assert result.returncode != 0
    assert "不是 SQLite 备份文件" in result.stderr, result.stderr


@pytest.mark.django_db(transaction=True)
def test_it_backs_up_the_uploaded_files_and_restores_them_with_the_database(cast, target, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    evidence = settings.MEDIA_ROOT / "evidence" / "2025" / "card.png"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"\x89PNG fake but any bytes")
    (settings.MEDIA_ROOT / "study").mkdir()
    (settings.MEDIA_ROOT / "study" / "notes.pdf").write_bytes(b"%PDF-1.4 ...")
    backup_file = tmp_path / ("jifen.dump" if connection.vendor == "postgresql" else "jifen.sqlite3")
    call_command("backup", "--output", str(backup_file))
    archive = tmp_path / (backup_file.name + ".files.tar.gz")
    assert archive.stat().st_mode & 0o077 == 0  # personal data: owner only

    fresh = tmp_path / "new-media"
    restored = _manage("restore", str(backup_file), database_url=target.url, media_root=fresh)
    assert restored.returncode == 0, restored.stderr
    assert "上传文件：2 个" in restored.stdout
    assert (fresh / "evidence" / "2025" / "card.png").read_bytes() == evidence.read_bytes()
    assert (fresh / "study" / "notes.pdf").read_bytes() == b"%PDF-1.4 ..."


def test_it_refuses_to_restore_files_over_existing_ones_and_leaves_the_database_alone(
    cast, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "kept.txt").parent.mkdir(parents=True)
    (settings.MEDIA_ROOT / "kept.txt").write_text("live file")
    backup_file = tmp_path / "any.sqlite3"
    backup_file.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    archive = tmp_path / "any.sqlite3.files.tar.gz"
    archive.write_bytes(b"")
    with pytest.raises(CommandError, match="上传文件目录.*不是空的"):
        call_command("restore", str(backup_file))
    assert (settings.MEDIA_ROOT / "kept.txt").read_text() == "live file"
    assert Member.objects.count() == 8


def test_it_refuses_an_archive_with_a_path_out_of_the_media_folder_and_writes_nothing(tmp_path):
    import io
    import tarfile

    from members.security.backup import BackupError, restore_files

    archive = tmp_path / "evil.files.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name in ("ok.txt", "../escaped.txt"):
            info = tarfile.TarInfo(name)
            info.size = 2
            tar.addfile(info, io.BytesIO(b"hi"))
    media = tmp_path / "media"
    with pytest.raises(BackupError, match="不安全的条目"):
        restore_files(archive, media)
    assert not (tmp_path / "escaped.txt").exists()
    assert not media.exists() or not any(media.iterdir())


def _evil_archive(path, kind):
    import io
    import tarfile

    with tarfile.open(path, "w:gz") as tar:
        ok = tarfile.TarInfo("evidence/ok.txt")
        ok.size = 2
        tar.addfile(ok, io.BytesIO(b"hi"))
        if kind == "symlink":
            link = tarfile.TarInfo("evidence/link")
            link.type = tarfile.SYMTYPE
            link.linkname = "/etc/passwd"
            tar.addfile(link)
        else:
            bad = tarfile.TarInfo({"parent": "../escaped.txt", "absolute": "/tmp/absolute.txt"}[kind])
            bad.size = 2
            tar.addfile(bad, io.BytesIO(b"hi"))


@pytest.mark.parametrize("kind", ["parent", "absolute", "symlink"])
@pytest.mark.django_db(transaction=True)
def test_it_refuses_an_unsafe_files_archive_before_touching_the_database(
    cast, target, tmp_path, settings, kind
):
    settings.MEDIA_ROOT = tmp_path / "media"
    first = tmp_path / ("first.dump" if connection.vendor == "postgresql" else "first.sqlite3")
    call_command("backup", "--output", str(first))
    files_archive = tmp_path / (first.name + ".files.tar.gz")
    files_archive.unlink(missing_ok=True)
    live_media = tmp_path / "live-media"
    assert _manage("restore", str(first), database_url=target.url, media_root=live_media).returncode == 0
    live_media.mkdir(exist_ok=True)
    (live_media / "kept.txt").write_text("live file")
    before = target.rows("SELECT code, name FROM members_member")

    Member.objects.filter(pk=cast.member.member.pk).update(name="备份后改名")
    second = tmp_path / ("second.dump" if connection.vendor == "postgresql" else "second.sqlite3")
    call_command("backup", "--output", str(second))
    _evil_archive(tmp_path / (second.name + ".files.tar.gz"), kind)

    result = _manage("restore", str(second), "--force", database_url=target.url, media_root=live_media)
    assert result.returncode != 0
    assert "不安全的条目" in result.stderr and "数据库与上传文件均未改动" in result.stderr, result.stderr
    assert target.rows("SELECT code, name FROM members_member") == before
    assert "备份后改名" not in str(before)
    assert sorted(p.name for p in live_media.rglob("*")) == ["kept.txt"]
    assert (live_media / "kept.txt").read_text() == "live file"
    assert not (tmp_path / "escaped.txt").exists()


def test_it_refuses_a_damaged_database_backup_and_leaves_the_files_alone(tmp_path):
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 600)
    media = tmp_path / "media"
    archive = tmp_path / (damaged.name + ".files.tar.gz")
    import tarfile

    with tarfile.open(archive, "w:gz"):
        pass
    result = _manage(
        "restore", str(damaged), database_url=f"sqlite:///{tmp_path / 'new.sqlite3'}", media_root=media
    )
    assert result.returncode != 0
    assert "SQLite 备份文件" in result.stderr and "均未改动" in result.stderr, result.stderr
    assert not media.exists()
