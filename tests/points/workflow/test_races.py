"""Twenty simultaneous requests for one step (issue #23): exactly one wins, the others get the Chinese
refusal of the state check, never an exception of another kind and never a deadlock.

Each thread has its own connection and transaction, so this needs PostgreSQL (transaction=True) and is
skipped on SQLite, which has a single writer and no row locks.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection  # noqa: F401 — the skipif condition

from members.models import Exemption
from members.services import exemption_apply
from points.models import (
    AnnualFiling,
    Assembly,
    Declaration,
    DeclarationState,
    EntryType,
    Objection,
    ObjectionChannel,
    ObjectionState,
    PointEntry,
    Quarter,
    Transition,
)
from points.services import workflow
from tests.concurrency import at_once

from .conftest import YEAR, run_quarter

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'", reason="needs PostgreSQL: concurrent transactions"
    ),
]
N = 20
HELD = datetime.date(2026, 1, 5)


def assert_one_winner(outcomes: list[str], refusal: str) -> None:
    errors = [o for o in outcomes if o.startswith("error:")]
    assert errors == []
    assert outcomes.count("ok") == 1
    refused = [o for o in outcomes if o.startswith("refused:")]
    assert len(refused) == len(outcomes) - 1
    assert all(refusal in o for o in refused), refused


def _in_review(cast):
    quarter = workflow.quarter_open(branch=cast.b1, year=YEAR, number=1, actor=cast.secretary.user)
    workflow.quarter_start_review(quarter=quarter, actor=cast.secretary.user)
    quarter.refresh_from_db()
    return quarter


def test_it_opens_the_same_quarter_once(cast):
    def step(i):
        workflow.quarter_open(branch=cast.b1, year=YEAR, number=1, actor=cast.secretary.user)

    assert_one_winner(at_once(N, step), f"{YEAR}年第1季度已开启")
    assert Quarter.objects.filter(branch=cast.b1).count() == 1
    assert Transition.objects.filter(subject_type="quarter").count() == 1


def test_it_takes_one_exemption_application(cast):
    member = cast.member.member

    def step(i):
        exemption_apply(member=member, year=YEAR, reason="away", detail="外出务工", actor=cast.member.user)

    assert_one_winner(at_once(N, step), "已有免于积分管理的申请")
    assert Exemption.objects.filter(member=member).count() == 1


def test_it_records_the_assembly_once(cast):
    quarter = _in_review(cast)
    present = workflow.voting_members(cast.b1)

    def step(i):
        q = Quarter.objects.select_related("branch").get(pk=quarter.pk)
        workflow.assembly_record(
            quarter=q, actor=cast.secretary.user, held_on=HELD, present=present, decision="同意初评结果"
        )

    assert_one_winner(at_once(N, step), "不能召开评定大会")
    assert Assembly.objects.count() == 1


def test_it_rolls_up_the_first_filing_of_the_year_once(cast):
    for number in (1, 2, 3, 4):
        q = workflow.quarter_open(branch=cast.b1, year=YEAR, number=number, actor=cast.secretary.user)
        run_quarter(cast, q)

    def step(i):
        workflow.annual_roll_up(branch=cast.b1, year=YEAR, actor=cast.secretary.user)

    outcomes = at_once(N, step)
    # The roll-ups queue on the transition log's lock: one makes the filing, each one after it finds the
    # filing and rolls it up again (allowed until it is submitted), or is refused. Never a 500.
    assert [o for o in outcomes if o.startswith("error:")] == []
    assert all(o == "ok" or "已由他人汇总" in o for o in outcomes)
    filing = AnnualFiling.objects.get(branch=cast.b1, year=YEAR)
    first = Transition.objects.filter(subject_type="filing", subject_id=filing.pk, from_state="")
    assert first.count() == 1
    assert filing.results.count() == filing.results.values("member").distinct().count() > 0


def test_it_enters_the_same_judgment_once(cast):
    quarter = _in_review(cast)

    def step(i):
        workflow.entry_add(
            quarter=Quarter.objects.select_related("branch").get(pk=quarter.pk),
            member=cast.member.member,
            actor=cast.secretary.user,
            entry_type=EntryType.JUDGMENT,
            kind="masses",
            value=10,
            reason="联系群众不够",
        )

    assert_one_winner(at_once(N, step), "已评定为 10 分")
    assert PointEntry.objects.filter(member=cast.member.member, kind="masses").count() == 1


def _declarations(cast, quarter, n: int) -> list[Declaration]:
    made = []
    for _ in range(n):
        d = workflow.declaration_create(
            quarter=quarter,
            actor=cast.member.user,
            subject=cast.member.member,
            entry_type=EntryType.BONUS,
            kind="public_welfare",
            value=2,
            occurred_on=datetime.date(YEAR, 2, 1),
            description="公益",
            today=datetime.date(YEAR, 3, 1),
        )
        workflow.declaration_submit(declaration=d, actor=cast.member.user)
        made.append(d)
    return made


def test_it_approves_one_declaration_once(cast):
    quarter = workflow.quarter_open(branch=cast.b1, year=YEAR, number=1, actor=cast.secretary.user)
    [d] = _declarations(cast, quarter, 1)
    workflow.quarter_start_review(quarter=quarter, actor=cast.secretary.user)

    def step(i):
        declaration = Declaration.objects.select_related("quarter__branch", "subject").get(pk=d.pk)
        workflow.declaration_review(
            declaration=declaration, actor=cast.secretary.user, approve=True, value=1, reason="调整"
        )

    assert_one_winner(at_once(N, step), "不能进行此操作")
    assert PointEntry.objects.filter(declaration=d).count() == 1


def test_it_corrects_one_entry_once(cast):
    quarter = _in_review(cast)
    entry = workflow.entry_add(
        quarter=quarter,
        member=cast.member.member,
        actor=cast.secretary.user,
        entry_type=EntryType.DEDUCTION,
        kind="absence_or_dues",
        value=8,
        measure="criticism",
        reason="原认定",
    )

    def step(i):
        e = PointEntry.objects.select_related("quarter__branch", "member").get(pk=entry.pk)
        workflow.entry_correct(entry=e, actor=cast.secretary.user, value=5, reason="情节较轻")

    assert_one_winner(at_once(N, step), "已被更正")
    assert PointEntry.objects.filter(corrects=entry).count() == 1
    assert PointEntry.objects.filter(member=cast.member.member, is_current=True).count() == 1


def test_approvals_in_one_branch_and_objections_upheld_in_another_do_not_deadlock(cast):
    rounds, each = 3, 10
    q1 = workflow.quarter_open(branch=cast.b1, year=YEAR, number=1, actor=cast.secretary.user)
    declarations = _declarations(cast, q1, rounds * each)
    workflow.quarter_start_review(quarter=q1, actor=cast.secretary.user)

    boss = cast.other_secretary.user
    q3 = workflow.quarter_open(branch=cast.b3, year=YEAR, number=1, actor=boss)
    workflow.quarter_start_review(quarter=q3, actor=boss)
    q3.refresh_from_db()
    workflow.assembly_record(
        quarter=q3, actor=boss, held_on=HELD, present=workflow.voting_members(cast.b3), decision="同意"
    )
    q3.refresh_from_db()
    workflow.quarter_publish(quarter=q3, actor=boss, start=datetime.date(2026, 1, 9))
    q3.refresh_from_db()
    objections = []
    for _ in range(rounds * each):
        entry = PointEntry.objects.create(
            quarter=q3,
            member=cast.other_member.member,
            entry_type=EntryType.DEDUCTION,
            kind="absence_or_dues",
            value=Decimal(8),
            measure="criticism",
            reason="原认定",
        )
        o = workflow.objection_submit(
            quarter=q3,
            actor=cast.other_member.user,
            channel=ObjectionChannel.BRANCH,
            text="扣分过重",
            today=datetime.date(2026, 1, 12),
        )
        objections.append((o, entry))

    for r in range(rounds):
        batch_d = declarations[r * each : (r + 1) * each]
        batch_o = objections[r * each : (r + 1) * each]

        def step(i, batch_d=batch_d, batch_o=batch_o):
            if i < each:
                d = Declaration.objects.select_related("quarter__branch", "subject").get(pk=batch_d[i].pk)
                workflow.declaration_review(declaration=d, actor=cast.secretary.user, approve=True)
            else:
                o, entry = batch_o[i - each]
                o = Objection.objects.select_related("quarter__branch", "member").get(pk=o.pk)
                workflow.objection_handle(
                    objection=o,
                    actor=boss,
                    upheld=True,
                    findings="情节较轻",
                    feedback="改为扣 5 分",
                    correct_entry=PointEntry.objects.get(pk=entry.pk),
                    new_value=5,
                )

        assert at_once(2 * each, step) == ["ok"] * (2 * each)
    assert Declaration.objects.filter(state=DeclarationState.APPROVED).count() == rounds * each
    assert Objection.objects.filter(state=ObjectionState.UPHELD).count() == rounds * each
