import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from branches.models import Position, PositionRole
from branches.services import position_assign, position_end
from tests.factories import make_member

DAY = datetime.date(2026, 1, 1)


def test_it_refuses_a_second_current_secretary(cast):
    newcomer = make_member(cast.b1)
    with pytest.raises(ValidationError, match="已有在任的书记"):
        position_assign(member=newcomer, organization=cast.b1, role=PositionRole.SECRETARY, start_date=DAY)
    assert Position.objects.filter(organization=cast.b1, role=PositionRole.SECRETARY).count() == 1


def test_it_enforces_one_recorder_in_the_database(cast):
    newcomer = make_member(cast.b1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Position.objects.create(
            member=newcomer, organization=cast.b1, role=PositionRole.RECORDER, start_date=DAY
        )


def test_it_allows_a_new_secretary_after_the_old_one_ends(cast):
    old = Position.objects.get(organization=cast.b1, role=PositionRole.SECRETARY)
    position_end(position=old, end_date=DAY)
    newcomer = make_member(cast.b1)
    position = position_assign(
        member=newcomer, organization=cast.b1, role=PositionRole.SECRETARY, start_date=DAY
    )
    assert position.end_date is None


def test_it_allows_several_committee_members(cast):
    position_assign(
        member=make_member(cast.b1), organization=cast.b1, role=PositionRole.COMMITTEE_MEMBER, start_date=DAY
    )
    assert Position.objects.filter(organization=cast.b1, role=PositionRole.COMMITTEE_MEMBER).count() == 2


def test_it_refuses_a_recorder_outside_a_branch(cast):
    with pytest.raises(ValidationError, match="积分记录员只能设在党支部"):
        position_assign(
            member=make_member(cast.b1), organization=cast.g1, role=PositionRole.RECORDER, start_date=DAY
        )
