"""Migration 0010: the per-branch versions (BranchVersion, 0004's triggers) become per-month versions
(DataVersion), and back; whichever is in place, a write bumps its versions."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from points.selectors import cached
from tests.factories import make_committee_tree, make_member, record_session

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("points", "0009_annual_result_filing_check")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def _rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY 1, 2")  # noqa: S608 — a constant
        return cursor.fetchall()


def test_the_versions_follow_writes_before_and_after_the_migration_and_back():
    _committee, _g1, _g2, b1, _b2, _b3, _group = make_committee_tree()
    member = make_member(b1)
    try:
        apps = _migrate(BEFORE)
        Attendance = apps.get_model("points", "Attendance")
        session = record_session(b1, datetime.date(2025, 5, 12))
        before = _rows("points_branchversion")
        Attendance.objects.create(session_id=session.pk, member_id=member.pk, status="present")
        assert _rows("points_branchversion") != before
        assert b1.pk in [branch for branch, _version in _rows("points_branchversion")]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert "points_branchversion" not in connection.introspection.table_names()
    if connection.vendor == "postgresql":
        # The new sequence starts above every version given out before (a running worker may have cached
        # values under them); SQLite's versions are random.
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('points_dataversion_seq')")
            assert cursor.fetchone()[0] > max(version for _branch, version in before)
    first_quarter, second_quarter = (
        cached.scores_version(b1.pk, 2025, 1),
        cached.scores_version(b1.pk, 2025, 2),
    )
    from points.models import Attendance

    Attendance.objects.filter(member=member).update(status="absent")  # May: the second quarter only
    assert cached.scores_version(b1.pk, 2025, 1) == first_quarter
    assert cached.scores_version(b1.pk, 2025, 2) != second_quarter
