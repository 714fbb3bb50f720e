import datetime

import pytest

from points.models import (
    Attendance,
    AttendanceStatus,
    DuesRecord,
    DuesStatus,
    Session,
    SessionKind,
    ThoughtReport,
)
from points.services import workflow

YEAR = 2025
TODAY = datetime.date(2026, 3, 2)


def run_quarter(cast, quarter, *, decide=None):
    """Take a quarter from open to closed with the cast's secretary; `decide` runs during review."""
    workflow.quarter_start_review(quarter=quarter, actor=cast.secretary.user)
    if decide:
        decide(quarter)
    workflow.assembly_record(
        quarter=quarter,
        actor=cast.secretary.user,
        held_on=datetime.date(2026, 1, 5),
        present=workflow.voting_members(cast.b1),
        decision="同意支委会初评意见",
    )
    workflow.quarter_publish(quarter=quarter, actor=cast.secretary.user, start=datetime.date(2026, 1, 5))
    quarter.refresh_from_db()
    workflow.quarter_close(quarter=quarter, actor=cast.secretary.user, today=datetime.date(2026, 2, 1))
    quarter.refresh_from_db()
    return quarter


@pytest.fixture
def quarter(cast):
    return workflow.quarter_open(branch=cast.b1, year=YEAR, number=1, actor=cast.secretary.user)


def full_year_records(cast, member, *, year=YEAR, study_hours=32, attended=True):
    """A member's perfect year: org life attended, 32 study hours, dues on time, 4 reports."""
    import zoneinfo

    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    for month in range(1, 13):
        start = datetime.datetime(year, month, 10, 9, tzinfo=tz)
        s = Session.objects.create(
            branch=cast.b1,
            kind=SessionKind.ACTIVITY_DAY,
            title=f"{month}月主题党日",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            hours=0,
            signin_secret="x",
        )
        Attendance.objects.create(
            session=s, member=member, status=AttendanceStatus.PRESENT if attended else AttendanceStatus.ABSENT
        )
        DuesRecord.objects.create(member=member, year=year, month=month, status=DuesStatus.ON_TIME)
    for n in range(4):
        start = datetime.datetime(year, 3 * n + 2, 20, 14, tzinfo=tz)
        s = Session.objects.create(
            branch=cast.b1,
            kind=SessionKind.STUDY,
            title="集中学习",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=8),
            hours=study_hours / 4,
            signin_secret="x",
        )
        Attendance.objects.create(session=s, member=member, status=AttendanceStatus.PRESENT)
        ThoughtReport.objects.create(member=member, received_on=datetime.date(year, 3 * n + 1, 5))
