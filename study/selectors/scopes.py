"""Queryset scopes: the twins of the predicates in study.rules, built from the same Actor.

Object lookups use the wide scopes (what the user can see at all: their sub-trees and their own
branch), so a page they can see but may not use answers 403; list pages narrow those scopes with the
same paths their predicates test, so a list never shows a row its detail page would refuse.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from branches.access import LEADER_ROLES, MANAGER_ROLES, Actor, actor_for, path_q, seen_or_own
from branches.models import BRANCH_KINDS, Organization, OrgKind

from ..models import Arrangement, ArrangementState, Inspection, RescheduleNotice, StudySession

# Units that report a branch's notices and check its records: 党总支 and 机关党工委 over their branches,
# a 直属党支部 for itself (it "does the general branch's duties for itself").
FORWARDING_KINDS = (OrgKind.GENERAL_BRANCH, OrgKind.WORKING_COMMITTEE, OrgKind.DIRECT_BRANCH)


def under(path: str, paths) -> bool:
    return any(path.startswith(p) for p in paths)


def _root_id(path: str) -> int:
    return int(path.strip("/").split("/")[0])


def committee_ids(actor: Actor) -> set[int]:
    """The committees the user belongs to (through their branch or any post)."""
    paths = [p.org_path for p in actor.posts]
    if actor.branch_path:
        paths.append(actor.branch_path)
    return {_root_id(p) for p in paths}


def staff_committee_ids(actor: Actor) -> set[int]:
    return {_root_id(p) for p in actor.staff_paths}


def branch_manager_ids(actor: Actor) -> set[int]:
    """Branches where the user is secretary or deputy secretary."""
    return {p.org_id for p in actor.posts if p.role in MANAGER_ROLES and p.org_kind in BRANCH_KINDS}


def forward_paths(actor: Actor) -> tuple[str, ...]:
    return tuple(
        sorted({p.org_path for p in actor.posts if p.role in LEADER_ROLES and p.org_kind in FORWARDING_KINDS})
    )


def notice_paths(actor: Actor) -> tuple[str, ...]:
    """Whose reschedule notices the user handles: the department, forwarders, the branch's managers."""
    managed = {p.org_path for p in actor.posts if p.org_id in branch_manager_ids(actor)}
    return tuple(sorted(set(actor.staff_paths) | set(forward_paths(actor)) | managed))


def inspection_paths(actor: Actor) -> tuple[str, ...]:
    """Whose checks the user reads: the department, general-branch leaders, the branch's own leaders."""
    leaders = {p.org_path for p in actor.posts if p.role in LEADER_ROLES and p.org_kind in BRANCH_KINDS}
    return tuple(sorted(set(actor.oversight_paths) | set(forward_paths(actor)) | leaders))


def completion_paths(actor: Actor) -> tuple[str, ...]:
    return tuple(sorted(set(actor.oversight_paths) | set(forward_paths(actor))))


def visible_arrangements(user) -> QuerySet[Arrangement]:
    """Published arrangements of the user's committee; drafts too for its department staff."""
    actor = actor_for(user)
    q = Q(committee_id__in=staff_committee_ids(actor)) | Q(
        state=ArrangementState.PUBLISHED, committee_id__in=committee_ids(actor)
    )
    return Arrangement.objects.filter(q)


def visible_study_sessions(user) -> QuerySet[StudySession]:
    actor = actor_for(user)
    return StudySession.objects.filter(seen_or_own(actor, "session__branch")).select_related(
        "session", "session__branch", "session__group", "arrangement"
    )


def readable_study_sessions(user) -> QuerySet[StudySession]:
    """Twin of `study.view_session`: sessions of the sub-trees the user leads or records for."""
    actor = actor_for(user)
    return visible_study_sessions(user).filter(path_q(actor.view_paths, "session__branch__path"))


def visible_notices(user) -> QuerySet[RescheduleNotice]:
    actor = actor_for(user)
    return RescheduleNotice.objects.filter(
        seen_or_own(actor, "study_session__session__branch")
    ).select_related("study_session__session__branch", "study_session__arrangement")


def listed_notices(user) -> QuerySet[RescheduleNotice]:
    """Twin of `study.view_notice`."""
    actor = actor_for(user)
    return visible_notices(user).filter(path_q(notice_paths(actor), "study_session__session__branch__path"))


def visible_inspections(user) -> QuerySet[Inspection]:
    actor = actor_for(user)
    return Inspection.objects.filter(seen_or_own(actor, "branch")).select_related("branch")


def listed_inspections(user) -> QuerySet[Inspection]:
    """Twin of `study.view_inspection`."""
    actor = actor_for(user)
    return visible_inspections(user).filter(path_q(inspection_paths(actor), "branch__path"))


def visible_branches(user) -> QuerySet[Organization]:
    """Branches the user can open (for the inspection form's lookup): their sub-trees and own branch."""
    actor = actor_for(user)
    q = path_q(actor.view_paths)
    if actor.branch_id:
        q |= Q(pk=actor.branch_id)
    return Organization.objects.filter(q, kind__in=BRANCH_KINDS)
