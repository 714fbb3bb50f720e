"""Chain heads recorded outside the database catch what the chain alone cannot: a removed tail.

Tests that run the whole `backup` use a transactional database, as tests/security/test_backup.py
does: SQLite's online backup reads the database through the test's own connection. The others write
the heads log directly, which is what `backup` does after the dump.
"""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from points.audit_heads import append_line, chain_heads, heads_line
from points.models import PointEntry


def _verify(*args):
    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def _broken(*args):
    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit", *args, stdout=out)
    return out.getvalue() + str(failure.value)


def _delete_newest_entry():
    newest = PointEntry.objects.order_by("-pk").first()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM points_pointentry WHERE id = %s", [newest.pk])


def _record_heads(log, at="2026-03-02T02:15:00+08:00", **extra):
    append_line(log, heads_line(chain_heads(), at=at, **extra))


def _backup(tmp_path, name="jifen"):
    target = tmp_path / (f"{name}.dump" if connection.vendor == "postgresql" else f"{name}.sqlite3")
    call_command("backup", "--output", str(target), stdout=StringIO())
    return target


@pytest.mark.django_db(transaction=True)
def test_it_catches_the_newest_entry_deleted_after_a_backup(add_entries, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    add_entries(3)
    _backup(tmp_path)
    _delete_newest_entry()
    report = _broken()
    # The chain itself is still whole: only the recorded head shows the missing row.
    assert "OK points.PointEntry：2 行" in report
    assert "BROKEN points.PointEntry：现有 2 行，少于" in report and "记录的 3 行：末尾的记录被删除" in report
    assert "审计链校验未通过" in report


@pytest.mark.django_db(transaction=True)
def test_it_passes_an_untouched_database_and_one_that_grew_after_the_backup(add_entries, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    add_entries(3)
    _backup(tmp_path)
    assert "链头核对：数据库包含" in _verify()
    add_entries(2)
    assert "审计链完好" in _verify()


@pytest.mark.django_db(transaction=True)
def test_it_writes_the_heads_beside_the_backup_and_to_the_heads_log(add_entries, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    add_entries(3)
    newest = PointEntry.objects.order_by("-pk").first()
    backup_file = _backup(tmp_path)
    beside = tmp_path / (backup_file.name + ".heads.json")
    assert beside.stat().st_mode & 0o077 == 0 and settings.AUDIT_HEADS_LOG.stat().st_mode & 0o077 == 0
    recorded = json.loads(beside.read_text())
    assert recorded["backup"] == str(backup_file)
    chains = {c["label"]: (c["rows"], c["head"]) for c in recorded["chains"]}
    assert chains["points.PointEntry"] == (3, newest.chain_hash)
    assert set(chains) == {"points.PointEntry", "points.Transition", "members.ExemptionTransition"}
    assert settings.AUDIT_HEADS_LOG.read_text().splitlines() == [beside.read_text().strip()]

    _backup(tmp_path, "second")
    assert len(settings.AUDIT_HEADS_LOG.read_text().splitlines()) == 2  # appended, not rewritten
    _delete_newest_entry()
    assert "末尾的记录被删除" in _broken("--heads", str(beside))


@pytest.mark.django_db(transaction=True)
def test_the_next_backup_is_kept_but_fails_naming_a_tail_deleted_since_the_last(
    add_entries, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    add_entries(3)
    _backup(tmp_path)
    _delete_newest_entry()
    with pytest.raises(CommandError) as failure:
        _backup(tmp_path, "second")
    assert "备份已完成，但审计链与此前记录的链头不符：points.PointEntry：现有 2 行，少于" in str(
        failure.value
    )
    second = tmp_path / ("second.dump" if connection.vendor == "postgresql" else "second.sqlite3")
    assert second.exists() and (tmp_path / (second.name + ".heads.json")).exists()
    assert len(settings.AUDIT_HEADS_LOG.read_text().splitlines()) == 2
    # verify_audit still names the deletion: the second backup's shorter head does not hide it.
    assert "末尾的记录被删除" in _broken()


def test_it_catches_a_deleted_tail_refilled_with_new_rows(add_entries, _heads_log):
    add_entries(3)
    _record_heads(_heads_log)
    _delete_newest_entry()
    add_entries(1)
    report = _broken()
    assert "BROKEN points.PointEntry：第 3 行的哈希与 2026-03-02T02:15:00+08:00 记录的链头不同" in report


def test_it_still_catches_a_deleted_tail_after_the_next_backup_recorded_the_shorter_chain(
    add_entries, _heads_log
):
    add_entries(3)
    _record_heads(_heads_log, at="2026-03-02T02:15:00+08:00")
    _delete_newest_entry()
    _record_heads(_heads_log, at="2026-03-03T02:15:00+08:00")  # the nightly backup
    assert "少于 2026-03-02T02:15:00+08:00 记录的 3 行" in _broken()


def test_it_checks_only_the_heads_from_the_last_restore_on(add_entries, _heads_log):
    add_entries(3)
    _record_heads(_heads_log, at="2026-03-02T02:15:00+08:00")
    _delete_newest_entry()  # as restoring a backup made before the third entry would
    _record_heads(_heads_log, at="2026-03-03T09:00:00+08:00", restored="/srv/backup/jifen-old.dump")
    assert "审计链完好" in _verify()
    _delete_newest_entry()
    assert "少于 2026-03-03T09:00:00+08:00 记录的 2 行" in _broken()


def test_it_passes_without_a_heads_log_and_says_what_it_cannot_see(add_entries):
    add_entries(2)
    out = _verify()
    assert "未找到链头记录" in out and "无法发现末尾被删除的记录" in out and "审计链完好" in out


def test_it_refuses_a_heads_file_that_is_missing_or_garbled(add_entries, tmp_path):
    add_entries(1)
    with pytest.raises(CommandError, match="无法读取链头记录"):
        call_command("verify_audit", "--heads", str(tmp_path / "none.heads.json"), stdout=StringIO())
    garbled = tmp_path / "garbled.heads.json"
    garbled.write_text('{"at": "x"}\n')
    with pytest.raises(CommandError, match="第 1 行格式不对"):
        call_command("verify_audit", "--heads", str(garbled), stdout=StringIO())
