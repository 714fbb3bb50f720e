"""branches.access.actor_for: a user's member record and current posts, read on every page."""

import datetime

from branches.access import actor_for
from branches.models import Position, PositionRole
from branches.services import position_assign


def test_it_reads_the_member_and_current_posts_in_one_query(cast, django_assert_num_queries):
    user = cast.secretary.user
    position_assign(
        member=cast.secretary.member,
        organization=cast.group1,
        role=PositionRole.GROUP_LEADER,
        start_date=datetime.date(2024, 1, 1),
    )
    ended = position_assign(
        member=cast.secretary.member,
        organization=cast.g1,
        role=PositionRole.COMMITTEE_MEMBER,
        start_date=datetime.date(2024, 1, 1),
    )
    Position.objects.filter(pk=ended.pk).update(end_date=datetime.date(2024, 6, 30))
    with django_assert_num_queries(1):
        actor = actor_for(user)
    assert actor.member_id == cast.secretary.member.pk
    assert actor.branch_id == cast.b1.pk and actor.branch_path == cast.b1.path
    assert [(p.role, p.org_id) for p in actor.posts] == [
        (PositionRole.SECRETARY, cast.b1.pk),
        (PositionRole.GROUP_LEADER, cast.group1.pk),
    ]
    assert actor_for(user) is actor  # once per request: kept on the user object


def test_it_gives_a_member_without_posts_an_empty_list(cast):
    actor = actor_for(cast.member.user)
    assert actor.member_id == cast.member.member.pk and actor.posts == []
    assert actor.view_paths == ()
