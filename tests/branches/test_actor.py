"""branches.access.actor_for: a user's member record and current posts, read on every page."""

import datetime

from branches.access import actor_for
from branches.models import Position, PositionRole
from branches.services import position_assign


def _posts(cast, *, ended_for):
    """The secretary also leads group 1; `ended_for` held a post in general branch 1 until mid-2024."""
    position_assign(
        member=cast.secretary.member,
        organization=cast.group1,
        role=PositionRole.GROUP_LEADER,
        start_date=datetime.date(2024, 1, 1),
    )
    ended = position_assign(
        member=ended_for.member,
        organization=cast.g1,
        role=PositionRole.COMMITTEE_MEMBER,
        start_date=datetime.date(2024, 1, 1),
    )
    Position.objects.filter(pk=ended.pk).update(end_date=datetime.date(2024, 6, 30))


def test_it_reads_the_member_and_current_posts_in_one_query(cast, django_assert_num_queries):
    user = cast.secretary.user
    _posts(cast, ended_for=cast.secretary)
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


def test_it_leaves_out_ended_posts_and_members_no_longer_active(cast):
    from members.models import MemberStatus

    _posts(cast, ended_for=cast.recorder)
    transferred = cast.other_member.member
    transferred.status = MemberStatus.TRANSFERRED_OUT
    transferred.save(update_fields=["status"])
    recorder = actor_for(cast.recorder.user)
    assert recorder.member_id == cast.recorder.member.pk
    assert cast.g1.pk not in {p.org_id for p in recorder.posts}  # the committee post ended in 2024
    assert recorder.oversight_paths == ()
    assert len(actor_for(cast.secretary.user).posts) == 2  # two current posts
    other = actor_for(cast.other_member.user)  # transferred out: no member record of their own
    assert other.member_id is None and other.branch_id is None and other.posts == []
