from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from branches.access import actor_for, get_object_for_user, path_q
from branches.models import Position
from config.prepared import prepared

from .models import Exemption, ExemptionState, Member, MemberChange, MemberStatus


def visible_members(user) -> QuerySet[Member]:
    """Members the user may open: those in sub-trees they lead or record for, and themselves."""
    actor = actor_for(user)
    q = path_q(actor.view_paths, "branch__path")
    if actor.member_id:
        q |= Q(pk=actor.member_id)
    return Member.objects.filter(q).select_related("branch", "group")


def visible_member(user, pk: int, perm: str) -> Member:
    """`get_object_for_user(user, visible_members(user), perm, pk=pk)`: outside the user's scope 404, in
    it without `perm` 403. A member's own record, the most opened (their page, their year), is in scope
    by definition and read by a query compiled once (config/prepared.py)."""
    if pk != actor_for(user).member_id:
        return get_object_for_user(user, visible_members(user), perm, pk=pk)
    rows = member_with_branch(member_id=pk)
    if not rows:
        raise Http404
    if not user.has_perm(perm, rows[0]):
        raise PermissionDenied
    return rows[0]


@prepared(member_id=int)
def member_with_branch(member_id):
    """The member (a list of one, or empty) with their branch and group."""
    return Member.objects.filter(pk=member_id).select_related("branch", "group")


@prepared(member_id=int)
def member_positions(member_id):
    """The member's posts, current and past, latest first, with their unit."""
    return Position.objects.filter(member_id=member_id).select_related("organization").order_by("-start_date")


@prepared(member_id=int)
def member_exemptions(member_id):
    return Exemption.objects.filter(member_id=member_id)


def roster(branch, *, include_transferred: bool = False) -> QuerySet[Member]:
    """A branch's members for the roster page and export, in code order, with their groups."""
    qs = Member.objects.filter(branch=branch).select_related("group", "user").order_by("code")
    if not include_transferred:
        qs = qs.filter(status=MemberStatus.ACTIVE)
    return qs


def member_history(member) -> list[MemberChange]:
    return _member_history(member_id=member.pk)


@prepared(member_id=int)
def _member_history(member_id):
    return MemberChange.objects.filter(member_id=member_id).select_related("actor")


def exempt_member_ids(*, member_ids, year: int) -> set[int]:
    """Members whose exemption for `year` has taken effect: they are left out of that year's scoring."""
    return set(
        Exemption.objects.filter(
            member_id__in=member_ids, year=year, state=ExemptionState.APPROVED
        ).values_list("member_id", flat=True)
    )
