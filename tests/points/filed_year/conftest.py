import datetime
from decimal import Decimal

import pytest

from members.models import Exemption, ExemptionReason
from points.models import (
    AnnualFiling,
    Attendance,
    AttendanceStatus,
    Declaration,
    DeclarationState,
    DuesRecord,
    DuesStatus,
    EntryType,
    FilingState,
    Objection,
    ObjectionChannel,
    PointEntry,
    Quarter,
    QuarterState,
    ThoughtReport,
)
from points.scoring import GUIDELINE_SCHEME
from tests.factories import record_session

from .helpers import YEAR


@pytest.fixture
def year(cast, clock):
    """Branch 1's 2025 as it stands once filed: four closed quarters, the records, a draft and a
    submitted declaration, an objection and an exemption left open, a ledger entry; then the filing."""
    clock.move_to("2026-03-02 10:00")
    quarters = {
        n: Quarter.objects.create(branch=cast.b1, year=YEAR, number=n, state=QuarterState.CLOSED)
        for n in (1, 2, 3, 4)
    }
    session = record_session(cast.b1, datetime.date(YEAR, 2, 10), title="2月主题党日")
    Attendance.objects.create(session=session, member=cast.member.member, status=AttendanceStatus.LATE)
    DuesRecord.objects.create(member=cast.member.member, year=YEAR, month=3, status=DuesStatus.ON_TIME)
    report = ThoughtReport.objects.create(member=cast.member.member, received_on=datetime.date(YEAR, 4, 5))
    q4 = quarters[4]
    fields = dict(
        quarter=q4,
        declarant=cast.member.member,
        subject=cast.member.member,
        entry_type=EntryType.BONUS,
        kind="public_welfare",
        value=Decimal(1),
        occurred_on=datetime.date(YEAR, 11, 3),
        description="社区志愿服务",
    )
    draft = Declaration.objects.create(**fields)
    submitted = Declaration.objects.create(**fields, state=DeclarationState.SUBMITTED)
    entry = PointEntry.objects.create(
        quarter=q4,
        member=cast.member.member,
        entry_type=EntryType.BONUS,
        kind="public_welfare",
        value=Decimal(1),
        reason="志愿服务",
        created_by=cast.secretary.user,
    )
    objection = Objection.objects.create(
        quarter=q4, member=cast.member.member, channel=ObjectionChannel.BRANCH, text="分数有误"
    )
    exemption = Exemption.objects.create(
        member=cast.recorder.member, year=YEAR, reason=ExemptionReason.AWAY, detail="外出务工"
    )
    filing = AnnualFiling.objects.create(
        branch=cast.b1, year=YEAR, scheme=GUIDELINE_SCHEME.to_dict(), state=FilingState.FILED
    )
    return dict(
        quarters=quarters,
        session=session,
        report=report,
        draft=draft,
        submitted=submitted,
        entry=entry,
        objection=objection,
        exemption=exemption,
        filing=filing,
    )
