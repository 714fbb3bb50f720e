import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from points.models import (
    Assembly,
    EntryType,
    Objection,
    ObjectionChannel,
    ObjectionState,
    PointEntry,
    QuarterState,
)
from points.services import workflow
from tests.factories import make_member

HELD = datetime.date(2026, 1, 5)


@pytest.fixture
def in_review(cast, quarter):
    workflow.quarter_start_review(quarter=quarter, actor=cast.secretary.user)
    quarter.refresh_from_db()
    return quarter


def _assembly(cast, quarter, present):
    return workflow.assembly_record(
        quarter=quarter, actor=cast.secretary.user, held_on=HELD, present=present, decision="同意初评结果"
    )


def test_it_needs_more_than_half_of_the_voting_members(cast, in_review):
    voters = workflow.voting_members(cast.b1)
    assert len(voters) == 4
    with pytest.raises(ValidationError, match="未超过半数"):
        _assembly(cast, in_review, voters[:2])
    in_review.refresh_from_db()
    assert in_review.state == QuarterState.IN_REVIEW and not Assembly.objects.exists()
    _assembly(cast, in_review, voters[:3])
    in_review.refresh_from_db()
    assert in_review.state == QuarterState.DETERMINED
    assert Assembly.objects.get().voting_total == 4


def test_it_counts_only_full_members_as_voters(cast, in_review):
    probationary = make_member(cast.b1, category="probationary")
    voters = workflow.voting_members(cast.b1)
    assert probationary not in voters
    with pytest.raises(ValidationError, match="有表决权"):
        _assembly(cast, in_review, [*voters[:3], probationary])


def test_it_refuses_an_assembly_with_unreviewed_declarations(cast, quarter):
    d = workflow.declaration_create(
        quarter=quarter,
        actor=cast.member.user,
        subject=cast.member.member,
        entry_type=EntryType.BONUS,
        kind="long_term_task",
        value=2,
        occurred_on=datetime.date(2025, 1, 9),
        description="党员中心户负责人",
        today=datetime.date(2025, 3, 1),
    )
    workflow.declaration_submit(declaration=d, actor=cast.member.user)
    workflow.quarter_start_review(quarter=quarter, actor=cast.secretary.user)
    quarter.refresh_from_db()
    with pytest.raises(ValidationError, match="未初评"):
        _assembly(cast, quarter, workflow.voting_members(cast.b1))
    assert not Assembly.objects.exists()


def test_it_refuses_an_assembly_out_of_order(cast, quarter):
    with pytest.raises(ValidationError, match="不能召开评定大会"):
        _assembly(cast, quarter, workflow.voting_members(cast.b1))


def test_it_shows_the_assembly_the_provisional_results(cast, in_review):
    assembly = _assembly(cast, in_review, workflow.voting_members(cast.b1))
    names = {row["name"] for row in assembly.shown_results}
    assert "普通党员" in names


@pytest.fixture
def published(cast, in_review):
    _assembly(cast, in_review, workflow.voting_members(cast.b1))
    in_review.refresh_from_db()
    workflow.quarter_publish(quarter=in_review, actor=cast.secretary.user, start=datetime.date(2026, 1, 9))
    in_review.refresh_from_db()
    return in_review


def test_it_publishes_for_five_working_days(published):
    # Friday 9 January 2026 + 5 working days → Friday 16 January.
    assert published.state == QuarterState.PUBLISHED
    assert published.publicity_end == datetime.date(2026, 1, 16)


def test_it_takes_an_objection_during_publicity(cast, published):
    o = workflow.objection_submit(
        quarter=published,
        actor=cast.member.user,
        channel=ObjectionChannel.BRANCH,
        text="我参加了 2 月的主题党日",
        today=datetime.date(2026, 1, 12),
    )
    assert o.member == cast.member.member and o.state == ObjectionState.SUBMITTED


def test_it_refuses_an_objection_after_publicity_or_from_outside(cast, published):
    with pytest.raises(ValidationError, match="公示期内"):
        workflow.objection_submit(
            quarter=published,
            actor=cast.member.user,
            channel=ObjectionChannel.BRANCH,
            text="迟到的异议",
            today=datetime.date(2026, 1, 19),
        )
    with pytest.raises(ValidationError, match="本人所在支部"):
        workflow.objection_submit(
            quarter=published,
            actor=cast.other_member.user,
            channel=ObjectionChannel.BRANCH,
            text="外支部",
            today=datetime.date(2026, 1, 12),
        )
    assert not Objection.objects.exists()


def test_it_corrects_the_ledger_when_an_objection_is_upheld(cast, published):
    entry = PointEntry.objects.create(
        quarter=published,
        member=cast.member.member,
        entry_type=EntryType.DEDUCTION,
        kind="absence_or_dues",
        value=Decimal(8),
        measure="criticism",
        reason="原认定",
    )
    o = workflow.objection_submit(
        quarter=published,
        actor=cast.member.user,
        channel=ObjectionChannel.BRANCH,
        text="扣分过重",
        today=datetime.date(2026, 1, 12),
    )
    workflow.objection_handle(
        objection=o,
        actor=cast.secretary.user,
        upheld=True,
        findings="情节较轻",
        feedback="改为扣 5 分",
        correct_entry=entry,
        new_value=5,
    )
    o.refresh_from_db()
    entry.refresh_from_db()
    assert o.state == ObjectionState.UPHELD and o.correction.corrects == entry
    assert not entry.is_current and entry.value == 8
    assert PointEntry.objects.get(is_current=True).value == 5


def test_it_sends_appeals_to_the_higher_organization(cast, published):
    o = workflow.objection_submit(
        quarter=published,
        actor=cast.member.user,
        channel=ObjectionChannel.APPEAL,
        text="申诉",
        today=datetime.date(2026, 1, 12),
    )
    with pytest.raises(ValidationError, match="无权"):
        workflow.objection_handle(
            objection=o, actor=cast.secretary.user, upheld=False, findings="x", feedback="y"
        )
    workflow.objection_handle(
        objection=o, actor=cast.gb_secretary.user, upheld=False, findings="核实无误", feedback="维持原评定"
    )
    o.refresh_from_db()
    assert o.state == ObjectionState.DISMISSED and o.handled_by == cast.gb_secretary.user


def test_it_refuses_upholding_without_a_correction(cast, published):
    o = workflow.objection_submit(
        quarter=published,
        actor=cast.member.user,
        channel=ObjectionChannel.BRANCH,
        text="异议",
        today=datetime.date(2026, 1, 12),
    )
    with pytest.raises(ValidationError, match="更正或补记"):
        workflow.objection_handle(
            objection=o, actor=cast.secretary.user, upheld=True, findings="x", feedback="y"
        )
    o.refresh_from_db()
    assert o.state == ObjectionState.SUBMITTED


def test_it_closes_only_after_publicity_and_with_objections_answered(cast, published):
    with pytest.raises(ValidationError, match="期满后"):
        workflow.quarter_close(quarter=published, actor=cast.secretary.user, today=datetime.date(2026, 1, 16))
    o = workflow.objection_submit(
        quarter=published,
        actor=cast.member.user,
        channel=ObjectionChannel.BRANCH,
        text="异议",
        today=datetime.date(2026, 1, 12),
    )
    with pytest.raises(ValidationError, match="未处理完毕"):
        workflow.quarter_close(quarter=published, actor=cast.secretary.user, today=datetime.date(2026, 1, 19))
    workflow.objection_handle(
        objection=o, actor=cast.secretary.user, upheld=False, findings="x", feedback="y"
    )
    workflow.quarter_close(quarter=published, actor=cast.secretary.user, today=datetime.date(2026, 1, 19))
    published.refresh_from_db()
    assert published.state == QuarterState.CLOSED


def test_it_announces_handled_objections_at_the_next_assembly(cast, published):
    o = workflow.objection_submit(
        quarter=published,
        actor=cast.member.user,
        channel=ObjectionChannel.BRANCH,
        text="异议",
        today=datetime.date(2026, 1, 12),
    )
    workflow.objection_handle(
        objection=o, actor=cast.secretary.user, upheld=False, findings="x", feedback="y"
    )
    workflow.quarter_close(quarter=published, actor=cast.secretary.user, today=datetime.date(2026, 1, 19))
    q2 = workflow.quarter_open(branch=cast.b1, year=published.year, number=2, actor=cast.secretary.user)
    workflow.quarter_start_review(quarter=q2, actor=cast.secretary.user)
    q2.refresh_from_db()
    assembly = _assembly(cast, q2, workflow.voting_members(cast.b1))
    o.refresh_from_db()
    assert o.announced_at == assembly
