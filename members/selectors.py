from django.db.models import Q, QuerySet

from branches.access import actor_for, path_q
from branches.models import Position

from .models import Exemption, ExemptionState, Member, MemberChange, MemberStatus


def visible_members(user) -> QuerySet[Member]:
    """Members the user may open: those in sub-trees they lead or record for, and themselves."""
    actor = actor_for(user)
    q = path_q(actor.view_paths, "branch__path")
    if actor.member_id:
        q |= Q(pk=actor.member_id)
    return Member.objects.filter(q).select_related("branch", "group")


def roster(branch, *, include_transferred: bool = False) -> QuerySet[Member]:
    """A branch's members for the roster page and export, in code order, with their groups."""
    qs = Member.objects.filter(branch=branch).select_related("group", "user").order_by("code")
    if not include_transferred:
        qs = qs.filter(status=MemberStatus.ACTIVE)
    return qs


def member_positions(member) -> QuerySet[Position]:
    """The member's posts, current and past, latest first, with their unit."""
    return member.positions.select_related("organization").order_by("-start_date")


def member_exemptions(member) -> QuerySet[Exemption]:
    return member.exemptions.all()


def member_history(member) -> QuerySet[MemberChange]:
    return member.changes.select_related("actor")


def exempt_member_ids(*, member_ids, year: int) -> set[int]:
    """Members whose exemption for `year` has taken effect: they are left out of that year's scoring."""
    return set(
        Exemption.objects.filter(
            member_id__in=member_ids, year=year, state=ExemptionState.APPROVED
        ).values_list("member_id", flat=True)
    )
