import datetime
import zoneinfo

import pytest

from points.models import (
    Attendance,
    AttendanceStatus,
    DuesRecord,
    DuesStatus,
    SessionKind,
    ThoughtReport,
)
from points.services import workflow
from tests.factories import record_session

YEAR = 2025
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
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
    for month in range(1, 13):
        s = record_session(cast.b1, datetime.date(year, month, 10), title=f"{month}月主题党日")
        Attendance.objects.create(
            session=s, member=member, status=AttendanceStatus.PRESENT if attended else AttendanceStatus.ABSENT
        )
        DuesRecord.objects.create(member=member, year=year, month=month, status=DuesStatus.ON_TIME)
    for n in range(4):
        start = datetime.datetime(year, 3 * n + 2, 20, 14, tzinfo=TZ)
        s = record_session(
            cast.b1, start, hours_long=8, kind=SessionKind.STUDY, title="集中学习", hours=study_hours / 4
        )
        Attendance.objects.create(session=s, member=member, status=AttendanceStatus.PRESENT)
        ThoughtReport.objects.create(member=member, received_on=datetime.date(year, 3 * n + 1, 5))
