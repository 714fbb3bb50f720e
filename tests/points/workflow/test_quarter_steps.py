import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from points.models import (
    Declaration,
    DeclarationState,
    EntryType,
    PointEntry,
    Quarter,
    QuarterState,
    Transition,
)
from points.services import workflow

from .conftest import YEAR

DAY = datetime.date(YEAR, 2, 10)
LATER = datetime.date(2026, 1, 1)


def _declare(cast, quarter, who="member", **fields):
    data = dict(
        subject=getattr(cast, who).member,
        entry_type=EntryType.BONUS,
        kind="public_welfare",
        value=2,
        occurred_on=DAY,
        description="参加社区爱心捐款",
        today=LATER,
    )
    data.update(fields)
    return workflow.declaration_create(quarter=quarter, actor=getattr(cast, who).user, **data)


def test_it_opens_a_quarter_and_logs_it(cast, quarter):
    assert quarter.state == QuarterState.OPEN
    assert Transition.objects.filter(subject_type="quarter", subject_id=quarter.pk, to_state="open").exists()


def test_it_refuses_a_recorder_opening_a_quarter(cast):
    with pytest.raises(ValidationError, match="只有支部书记或副书记"):
        workflow.quarter_open(branch=cast.b1, year=YEAR, number=1, actor=cast.recorder.user)
    assert Quarter.objects.count() == 0


def test_it_refuses_a_quarter_twice_and_out_of_order(cast, quarter):
    with pytest.raises(ValidationError, match="已开启"):
        workflow.quarter_open(branch=cast.b1, year=YEAR, number=1, actor=cast.secretary.user)
    with pytest.raises(ValidationError, match="上一季度"):
        workflow.quarter_open(branch=cast.b1, year=YEAR, number=2, actor=cast.secretary.user)
    assert Quarter.objects.count() == 1


def test_it_lets_a_member_declare_and_submit(cast, quarter):
    declaration = _declare(cast, quarter)
    assert declaration.state == DeclarationState.DRAFT
    workflow.declaration_submit(declaration=declaration, actor=cast.member.user)
    assert Declaration.objects.get().state == DeclarationState.SUBMITTED


def test_it_lets_a_member_report_another_members_item(cast, quarter):
    declaration = _declare(cast, quarter, subject=cast.committee_member.member)
    assert declaration.is_report


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "righteousness", "value": 1}, "righteousness|弘扬正气|2"),
        ({"kind": "public_welfare", "value": 3}, "1|2"),
        ({"kind": "emergency_service", "value": 2, "own_duty": True}, "本职|工作岗位"),
        ({"kind": "no_such_kind"}, "no_such_kind|未知|没有"),
        ({"occurred_on": datetime.date(YEAR, 5, 1)}, "季度内"),
    ],
)
def test_it_refuses_bad_declarations_and_saves_nothing(cast, quarter, fields, message):
    with pytest.raises(ValidationError, match=message):
        _declare(cast, quarter, **fields)
    assert Declaration.objects.count() == 0


def test_it_refuses_declaring_for_another_branch(cast, quarter):
    with pytest.raises(ValidationError, match="本支部"):
        _declare(cast, quarter, subject=cast.other_member.member)
    with pytest.raises(ValidationError, match="本支部党员"):
        _declare(cast, quarter, who="other_member", subject=cast.member.member)
    assert Declaration.objects.count() == 0


def test_it_refuses_declarations_after_the_window(cast, quarter):
    Quarter.objects.filter(pk=quarter.pk).update(declaration_closes=datetime.date(YEAR, 3, 31))
    quarter.refresh_from_db()
    with pytest.raises(ValidationError, match="截止"):
        _declare(cast, quarter)
    workflow.quarter_start_review(quarter=quarter, actor=cast.secretary.user)
    with pytest.raises(ValidationError, match="申报已截止"):
        _declare(cast, quarter, today=datetime.date(YEAR, 3, 1))
    assert Declaration.objects.count() == 0


def _submitted(cast, quarter, **fields):
    d = _declare(cast, quarter, **fields)
    workflow.declaration_submit(declaration=d, actor=cast.member.user)
    workflow.quarter_start_review(quarter=quarter, actor=cast.secretary.user)
    d.refresh_from_db()
    quarter.refresh_from_db()
    return d


def test_it_approves_a_declaration_into_the_ledger(cast, quarter):
    d = _submitted(cast, quarter)
    workflow.declaration_review(declaration=d, actor=cast.committee_member.user, approve=True)
    entry = PointEntry.objects.get()
    assert (entry.member, entry.kind, entry.value, entry.declaration) == (
        cast.member.member,
        "public_welfare",
        Decimal(2),
        d,
    )


def test_it_adjusts_a_value_only_with_a_reason(cast, quarter):
    d = _submitted(cast, quarter)
    with pytest.raises(ValidationError, match="理由"):
        workflow.declaration_review(declaration=d, actor=cast.secretary.user, approve=True, value=1)
    assert PointEntry.objects.count() == 0
    workflow.declaration_review(
        declaration=d, actor=cast.secretary.user, approve=True, value=1, reason="捐款为单位统一组织"
    )
    assert PointEntry.objects.get().value == 1


def test_it_refuses_an_adjusted_value_outside_the_range(cast, quarter):
    d = _submitted(cast, quarter)
    with pytest.raises(ValidationError):
        workflow.declaration_review(
            declaration=d, actor=cast.secretary.user, approve=True, value=3, reason="多加"
        )
    assert PointEntry.objects.count() == 0
    assert Declaration.objects.get().state == DeclarationState.SUBMITTED


def test_it_rejects_only_with_a_reason(cast, quarter):
    d = _submitted(cast, quarter)
    with pytest.raises(ValidationError, match="理由"):
        workflow.declaration_review(declaration=d, actor=cast.secretary.user, approve=False)
    workflow.declaration_review(declaration=d, actor=cast.secretary.user, approve=False, reason="无证明材料")
    d.refresh_from_db()
    assert (d.state, d.review_reason) == (DeclarationState.REJECTED, "无证明材料")
    assert PointEntry.objects.count() == 0


@pytest.mark.parametrize("who", ["member", "recorder", "other_secretary", "gb_secretary"])
def test_it_refuses_review_by_non_committee(cast, quarter, who):
    d = _submitted(cast, quarter)
    with pytest.raises(ValidationError, match="支委会"):
        workflow.declaration_review(declaration=d, actor=getattr(cast, who).user, approve=True)
    assert Declaration.objects.get().state == DeclarationState.SUBMITTED


def test_it_approves_a_declaration_only_once(cast, quarter):
    d = _submitted(cast, quarter)
    stale = Declaration.objects.get(pk=d.pk)
    workflow.declaration_review(declaration=d, actor=cast.secretary.user, approve=True)
    with pytest.raises(ValidationError, match="已认定|不能进行此操作"):
        workflow.declaration_review(declaration=stale, actor=cast.committee_member.user, approve=True)
    assert PointEntry.objects.count() == 1


def test_it_refuses_review_before_the_quarter_goes_to_review(cast, quarter):
    d = _declare(cast, quarter)
    workflow.declaration_submit(declaration=d, actor=cast.member.user)
    with pytest.raises(ValidationError, match="不在支委初评阶段"):
        workflow.declaration_review(declaration=d, actor=cast.secretary.user, approve=True)


@pytest.mark.parametrize(
    ("value", "ok"), [(4, False), (5, True), (10, True), (11, False), (Decimal("7.5"), True)]
)
def test_it_takes_deductions_from_5_to_10(cast, quarter, value, ok):
    workflow.quarter_start_review(quarter=quarter, actor=cast.secretary.user)
    quarter.refresh_from_db()
    call = dict(
        quarter=quarter,
        member=cast.member.member,
        actor=cast.secretary.user,
        entry_type=EntryType.DEDUCTION,
        kind="absence_or_dues",
        value=value,
        measure="criticism",
        reason="连续 3 个月未参加组织生活",
    )
    if ok:
        assert workflow.entry_add(**call).value == value
    else:
        with pytest.raises(ValidationError):
            workflow.entry_add(**call)
        assert PointEntry.objects.count() == 0


def test_it_requires_a_corrective_measure_for_a_deduction(cast, quarter):
    workflow.quarter_start_review(quarter=quarter, actor=cast.secretary.user)
    quarter.refresh_from_db()
    with pytest.raises(ValidationError):
        workflow.entry_add(
            quarter=quarter,
            member=cast.member.member,
            actor=cast.secretary.user,
            entry_type=EntryType.DEDUCTION,
            kind="absence_or_dues",
            value=5,
            measure="",
            reason="连续 3 个月未交党费",
        )
    assert PointEntry.objects.count() == 0


def test_it_replaces_a_judgment_through_a_correction(cast, quarter):
    workflow.quarter_start_review(quarter=quarter, actor=cast.secretary.user)
    quarter.refresh_from_db()
    first = workflow.entry_add(
        quarter=quarter,
        member=cast.member.member,
        actor=cast.secretary.user,
        entry_type=EntryType.JUDGMENT,
        kind="masses",
        value=10,
        reason="联系群众不够",
    )
    second = workflow.entry_add(
        quarter=quarter,
        member=cast.member.member,
        actor=cast.secretary.user,
        entry_type=EntryType.JUDGMENT,
        kind="masses",
        value=11,
        reason="补充核实后调整",
    )
    first.refresh_from_db()
    assert second.corrects == first and not first.is_current and first.value == 10
    assert PointEntry.objects.filter(is_current=True).count() == 1


def test_it_refuses_a_judgment_below_the_cap_without_a_reason(cast, quarter):
    workflow.quarter_start_review(quarter=quarter, actor=cast.secretary.user)
    quarter.refresh_from_db()
    with pytest.raises(ValidationError):
        workflow.entry_add(
            quarter=quarter,
            member=cast.member.member,
            actor=cast.secretary.user,
            entry_type=EntryType.JUDGMENT,
            kind="masses",
            value=13,
            reason="满分以上",
        )
    assert PointEntry.objects.count() == 0


def test_it_refuses_the_same_judgment_entered_twice(cast, quarter):
    workflow.quarter_start_review(quarter=quarter, actor=cast.secretary.user)
    quarter.refresh_from_db()
    judgment = dict(
        quarter=quarter,
        member=cast.member.member,
        actor=cast.secretary.user,
        entry_type=EntryType.JUDGMENT,
        kind="masses",
        value=10,
        reason="联系群众不够",
    )
    workflow.entry_add(**judgment)
    with pytest.raises(ValidationError, match="已评定为 10 分"):
        workflow.entry_add(**judgment)
    assert PointEntry.objects.count() == 1
