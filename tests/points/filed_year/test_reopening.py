"""Only the higher organization's 退回 reopens a filed year, logged; a stale roll-up cannot be reported."""

import pytest
from django.core.exceptions import ValidationError

from points.audit import verify_chain
from points.models import (
    AnnualFiling,
    AttendanceStatus,
    FilingState,
    Session,
    Transition,
)
from points.services import records, workflow

from .helpers import YEAR


def test_only_the_higher_organizations_return_reopens_the_year_and_it_is_logged(cast, year):
    filing = year["filing"]
    with pytest.raises(ValidationError, match="只有上级党组织"):
        workflow.filing_reopen(filing=filing, actor=cast.secretary.user, reason="想改")
    with pytest.raises(ValidationError, match="须写明理由"):
        workflow.filing_reopen(filing=filing, actor=cast.gb_secretary.user, reason="  ")
    assert AnnualFiling.objects.get(pk=filing.pk).state == FilingState.FILED

    workflow.filing_reopen(filing=filing, actor=cast.gb_secretary.user, reason="一季度出勤登记有误")
    filing.refresh_from_db()
    assert filing.state == FilingState.RETURNED
    log = Transition.objects.filter(subject_type="filing", subject_id=filing.pk).latest("pk")
    assert (log.from_state, log.to_state, log.actor) == ("filed", "returned", cast.gb_secretary.user)
    assert log.reason == "撤销备案，退回重新办理：一季度出勤登记有误"
    assert verify_chain(Transition).ok

    result = records.attendance_record(
        session=year["session"],
        entries={cast.member.member.pk: (AttendanceStatus.ABSENT, "")},
        actor=cast.recorder.user,
        correction_reason="记错了",
    )
    assert result.corrected == 1
    with pytest.raises(ValidationError, match="当前状态为“退回修改”"):
        workflow.filing_reopen(filing=filing, actor=cast.gb_secretary.user, reason="再退一次")


def test_a_roll_up_the_records_no_longer_agree_with_cannot_be_reported(cast, clock):
    """A change between the roll-up and the report would leave the filed total beside records that do
    not add up to it: the report is refused until the year is rolled up again."""
    from tests.points.reports.conftest import build_year

    clock.move_to("2026-03-02 10:00")
    filing = build_year(cast, file=False).filing
    member = cast.member.member
    session = Session.objects.filter(branch=cast.b1, starts_at__year=YEAR, starts_at__month=1).first()
    records.attendance_record(
        session=session,
        entries={member.pk: (AttendanceStatus.ABSENT, "")},
        actor=cast.recorder.user,
        correction_reason="核对签到表",
    )
    with pytest.raises(ValidationError, match=f"{member.name}的年度积分与汇总结果不一致"):
        workflow.filing_submit(filing=filing, actor=cast.secretary.user)
    assert AnnualFiling.objects.get(pk=filing.pk).state == FilingState.ROLLED_UP

    filing = workflow.annual_roll_up(branch=cast.b1, year=YEAR, actor=cast.secretary.user)
    workflow.filing_submit(filing=filing, actor=cast.secretary.user)
    assert AnnualFiling.objects.get(pk=filing.pk).state == FilingState.SUBMITTED
