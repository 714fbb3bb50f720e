"""A filed year's workflow steps are refused naming the filing; other years and branches stay open."""

import datetime

from members.models import Exemption, ExemptionReason, ExemptionState
from members.services import exemption_advance, exemption_apply, exemption_reject
from points.models import (
    AnnualFiling,
    DuesStatus,
    EntryType,
    FilingState,
    ObjectionChannel,
)
from points.services import records, workflow

from .helpers import FILED_TEXT, SUBMITTED_TEXT, YEAR, refused, snapshot


def test_quarter_steps_of_a_filed_year_are_refused_naming_the_filing(cast, year):
    refused(lambda: workflow.quarter_open(branch=cast.b1, year=YEAR, number=4, actor=cast.secretary.user))
    q3 = year["quarters"][3]
    secretary = cast.secretary.user
    refused(lambda: workflow.quarter_start_review(quarter=q3, actor=secretary))
    refused(
        lambda: workflow.assembly_record(
            quarter=q3, actor=secretary, held_on=datetime.date(2026, 1, 5), present=[], decision="同意"
        )
    )
    refused(lambda: workflow.quarter_publish(quarter=q3, actor=secretary, start=datetime.date(2026, 1, 5)))
    refused(lambda: workflow.quarter_close(quarter=q3, actor=secretary, today=datetime.date(2026, 3, 2)))


def test_declarations_of_a_filed_year_are_refused(cast, year):
    member = cast.member.member
    details = dict(
        actor=cast.member.user,
        subject=member,
        entry_type=EntryType.BONUS,
        kind="public_welfare",
        value=1,
        occurred_on=datetime.date(YEAR, 11, 5),
        description="志愿服务",
    )
    refused(lambda: workflow.declaration_create(quarter=year["quarters"][4], **details))
    refused(lambda: workflow.declaration_update(declaration=year["draft"], **details))
    refused(lambda: workflow.declaration_submit(declaration=year["draft"], actor=cast.member.user))
    refused(lambda: workflow.declaration_withdraw(declaration=year["draft"], actor=cast.member.user))


def test_review_and_corrections_of_a_filed_year_are_refused(cast, year):
    secretary = cast.secretary.user
    refused(lambda: workflow.declaration_review(declaration=year["submitted"], actor=secretary, approve=True))
    refused(
        lambda: workflow.entry_add(
            quarter=year["quarters"][4],
            member=cast.member.member,
            actor=secretary,
            entry_type=EntryType.BONUS,
            kind="public_welfare",
            value=1,
            reason="补记",
        )
    )
    refused(lambda: workflow.entry_correct(entry=year["entry"], actor=secretary, value=2, reason="更正"))


def test_objections_to_a_filed_year_are_refused(cast, year):
    refused(
        lambda: workflow.objection_submit(
            quarter=year["quarters"][4],
            actor=cast.member.user,
            channel=ObjectionChannel.BRANCH,
            text="还有异议",
            today=datetime.date(2026, 3, 2),
        )
    )
    refused(
        lambda: workflow.objection_handle(
            objection=year["objection"],
            actor=cast.secretary.user,
            upheld=False,
            findings="经核实无误",
            feedback="维持原结果",
        )
    )


def test_exemptions_of_a_filed_year_are_refused(cast, year):
    Exemption.objects.filter(pk=year["exemption"].pk).update(state=ExemptionState.REJECTED)
    refused(
        lambda: exemption_apply(
            member=cast.recorder.member, year=YEAR, reason=ExemptionReason.AWAY, detail="外出", actor=None
        )
    )
    Exemption.objects.filter(pk=year["exemption"].pk).update(state=ExemptionState.APPLIED)
    exemption = Exemption.objects.get(pk=year["exemption"].pk)
    refused(lambda: exemption_advance(exemption=exemption, step="review", actor=cast.secretary.user))
    refused(lambda: exemption_reject(exemption=exemption, actor=cast.secretary.user, reason="不符合条件"))


def test_other_years_and_other_branches_stay_open(cast, year):
    member = cast.member.member
    report = records.thought_report_add(
        member=member, received_on=datetime.date(2026, 2, 1), actor=cast.recorder.user
    )
    assert report.pk
    other = records.thought_report_add(
        member=cast.other_member.member,
        received_on=datetime.date(YEAR, 6, 1),
        actor=cast.other_secretary.user,
    )
    assert other.pk


def test_a_submitted_year_is_locked_as_well(cast, year):
    AnnualFiling.objects.filter(pk=year["filing"].pk).update(state=FilingState.SUBMITTED)
    refused(
        lambda: records.dues_record(
            branch=cast.b1,
            year=YEAR,
            entries={(cast.member.member.pk, 3): DuesStatus.UNPAID},
            actor=cast.recorder.user,
            correction_reason="核对有误",
        ),
        text=SUBMITTED_TEXT,
    )


def test_a_history_import_into_a_filed_year_is_refused(cast, year, login):
    from tests.points.reports.test_imports import ENTRY_HEADERS, upload, xlsx

    row = [cast.member.member.code, "", "2025-05-10", "", "加分", "public_welfare", 1, "", "", "", "志愿服务"]
    before = snapshot()
    response = upload(login(cast.dept), "entries", xlsx(ENTRY_HEADERS, [row]))
    problems = [p.message for p in response.context["problems"]]
    assert any(FILED_TEXT in p for p in problems)
    assert snapshot() == before
