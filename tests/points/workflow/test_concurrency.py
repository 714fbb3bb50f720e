"""Two committee members approving the same declaration at the same moment: exactly one wins.

Row locks and compare-and-set only mean something on a real server with real transactions, so this
runs against PostgreSQL (CI's second run) with transaction=True, and is skipped on SQLite.
"""

import datetime

import pytest
from django.db import connection

from points.models import Declaration, DeclarationState, EntryType, PointEntry, Transition
from points.services import workflow
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs PostgreSQL row locks")
def test_it_lets_exactly_one_of_two_simultaneous_approvals_succeed(cast):
    quarter = workflow.quarter_open(branch=cast.b1, year=2025, number=1, actor=cast.secretary.user)
    d = workflow.declaration_create(
        quarter=quarter,
        actor=cast.member.user,
        subject=cast.member.member,
        entry_type=EntryType.BONUS,
        kind="public_welfare",
        value=2,
        occurred_on=datetime.date(2025, 2, 1),
        description="公益",
        today=datetime.date(2025, 3, 1),
    )
    workflow.declaration_submit(declaration=d, actor=cast.member.user)
    workflow.quarter_start_review(quarter=quarter, actor=cast.secretary.user)

    users = (cast.secretary.user, cast.committee_member.user)

    def ready(i):
        return users[i], Declaration.objects.select_related("quarter__branch").get(pk=d.pk)

    def approve(arg):
        user, declaration = arg
        workflow.declaration_review(declaration=declaration, actor=user, approve=True)

    outcomes = at_once(2, approve, ready=ready, timeout=10)

    assert sorted(o.split(":")[0] for o in outcomes) == ["ok", "refused"]
    assert any("不能进行此操作" in o for o in outcomes)
    assert PointEntry.objects.filter(declaration_id=d.pk).count() == 1
    assert Declaration.objects.get(pk=d.pk).state == DeclarationState.APPROVED
    assert (
        Transition.objects.filter(
            subject_type="declaration", subject_id=d.pk, to_state=DeclarationState.APPROVED
        ).count()
        == 1
    )
    assert connection.vendor == "postgresql"
