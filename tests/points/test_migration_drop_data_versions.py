"""Migration 0013: the data-version triggers and table go, every row of the scored tables stays; back,
the triggers bump versions again."""

import datetime

import pytest
from django.db import connection

from members.models import Exemption
from points.models import Attendance, DuesRecord, EntryType, PointEntry, Quarter, SchemeConfig, ThoughtReport
from points.scoring import GUIDELINE_SCHEME
from tests.factories import make_committee_tree, make_member, record_session
from tests.points.migrating import migrate, migrate_to_head

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("points", "0014_annual_result_plain")]
AFTER = [("points", "0015_drop_data_versions")]
VERSIONS = "points_dataversion"
# Every table the triggers of 0010 watched, and the quarters the entries point at.
SCORED = (
    "points_attendance",
    "points_duesrecord",
    "points_thoughtreport",
    "points_pointentry",
    "members_exemption",
    "points_session",
    "members_member",
    "points_schemeconfig",
    "branches_organization",
    "points_quarter",
)


def _rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 — a constant
        return cursor.fetchall()


def _triggers() -> set[str]:
    """The names of the user-defined triggers, and on PostgreSQL of the data-version functions and
    sequences too."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            return {name for (name,) in cursor.fetchall()}
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
            "UNION SELECT proname FROM pg_proc WHERE proname LIKE 'points_bump%%' "
            "UNION SELECT relname FROM pg_class WHERE relkind = 'S' AND relname LIKE '%%version%%'"
        )
        return {name for (name,) in cursor.fetchall()}


def _versioned(names) -> set[str]:
    return {name for name in names if "version" in name or name.startswith("points_bump")}


@pytest.fixture
def at_0012():
    migrate(BEFORE)
    yield
    migrate_to_head()


def _records():
    """A branch's year of rows of every scored kind, written as the app writes them (the triggers fire)."""
    committee, _g1, _g2, b1, _b2, _b3, _group = make_committee_tree()
    a, b = make_member(b1), make_member(b1)
    session = record_session(b1, datetime.date(2025, 5, 12))
    Attendance.objects.create(session=session, member=a, status="present")
    Attendance.objects.create(session=session, member=b, status="absent")
    DuesRecord.objects.create(member=a, year=2025, month=5, status="on_time")
    ThoughtReport.objects.create(member=a, received_on=datetime.date(2025, 6, 3), summary="思想汇报")
    quarter = Quarter.objects.create(branch=b1, year=2025, number=2)
    PointEntry.objects.create(
        quarter=quarter,
        member=b,
        entry_type=EntryType.DEDUCTION,
        kind="absence_or_dues",
        value=2,
        measure="criticism",
        reason="无故缺席",
    )
    Exemption.objects.create(member=b, year=2025, reason="infirm")
    SchemeConfig.objects.create(
        organization=committee, applies_from=2025, title="细则", data=GUIDELINE_SCHEME.to_dict()
    )
    return b1


def test_it_drops_the_triggers_and_the_versions_and_keeps_every_row(at_0012):
    branch = _records()
    before = _triggers()
    assert len(_versioned(before)) > 20  # 0010's, in place at 0014
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT branch_id FROM {VERSIONS}")  # noqa: S608 — a constant
        assert branch.pk in {branch_id for (branch_id,) in cursor.fetchall()}
    rows = {table: _rows(table) for table in SCORED}
    assert all(rows.values())

    migrate(AFTER)
    assert {table: _rows(table) for table in SCORED} == rows
    assert VERSIONS not in connection.introspection.table_names()
    after = _triggers()
    assert not _versioned(after)
    assert after == before - _versioned(before)  # the other migrations' triggers stay
    ThoughtReport.objects.create(
        member_id=rows["members_member"][0][0], received_on=datetime.date(2025, 7, 1)
    )

    migrate(BEFORE)
    assert _versioned(_triggers()) == _versioned(before)
    Attendance.objects.filter(session__branch=branch).update(status="excused")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {VERSIONS} WHERE branch_id = %s", [branch.pk])  # noqa: S608
        assert cursor.fetchone()[0] > 0
