"""Migration 0013 drops the closed quarters' tallies and the triggers of 0005 (issue 19 §2), keeping
every record; reversed, the table and its triggers come back."""

import datetime

import pytest
from django.db import connection

from points.models import Attendance, AttendanceStatus, DuesRecord, DuesStatus, ThoughtReport
from tests.factories import make_committee_tree, make_member, record_session
from tests.points.migrating import migrate, migrate_to_head

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("points", "0012_declaration_withdrawn")]
AFTER = [("points", "0013_drop_quarter_tally")]


def _tally_triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE '%%tally%%'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%tally%'")
        return {name for (name,) in cursor.fetchall()}


def _records():
    return (
        sorted(Attendance.objects.values_list("pk", "member_id", "status")),
        sorted(DuesRecord.objects.values_list("pk", "member_id", "month", "status")),
        sorted(ThoughtReport.objects.values_list("pk", "member_id", "received_on")),
    )


@pytest.fixture
def at_0012():
    apps = migrate(BEFORE)
    yield apps
    migrate_to_head()


def test_it_drops_the_tallies_and_their_triggers_and_keeps_every_record(at_0012):
    _committee, _g1, _g2, b1, _b2, _b3, _group = make_committee_tree()
    member = make_member(b1)
    session = record_session(b1, datetime.date(2025, 2, 10))
    Attendance.objects.create(session=session, member=member, status=AttendanceStatus.PRESENT)
    DuesRecord.objects.create(member=member, year=2025, month=2, status=DuesStatus.ON_TIME)
    ThoughtReport.objects.create(member=member, received_on=datetime.date(2025, 3, 1))
    Tally = at_0012.get_model("points", "QuarterTally")
    Tally.objects.create(
        member_id=member.pk,
        year=2025,
        quarter=1,
        starts_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2025, 4, 1, tzinfo=datetime.UTC),
    )
    assert _tally_triggers()
    before = _records()

    migrate(AFTER)
    assert _records() == before
    assert _tally_triggers() == set()
    assert "points_quartertally" not in connection.introspection.table_names()
    # Record writes still work: no trigger is left that names the dropped table.
    Attendance.objects.filter(member=member).update(status=AttendanceStatus.LATE)
    DuesRecord.objects.create(member=member, year=2025, month=3, status=DuesStatus.ON_TIME)
    ThoughtReport.objects.filter(member=member).delete()

    migrate(BEFORE)
    assert "points_quartertally" in connection.introspection.table_names()
    assert _tally_triggers()
