"""Who sees which quarters, filings, declarations, ledger entries and objections: the queryset twins of
the `rules` predicates in points/rules.py."""

from __future__ import annotations

from django.db.models import Case, Count, Q, QuerySet, When
from django.shortcuts import get_object_or_404

from branches.access import (
    MANAGER_ROLES,
    actor_for,
    path_q,
    seen_or_own,
    visible_organizations,
)
from branches.models import BRANCH_KINDS, Organization

from ..models import (
    AnnualFiling,
    Declaration,
    FilingState,
    Objection,
    ObjectionChannel,
    ObjectionState,
    PointEntry,
    Quarter,
)


def points_branches(user) -> QuerySet[Organization]:
    return visible_organizations(user).filter(kind__in=BRANCH_KINDS)


def quarter_scope(user) -> QuerySet[Quarter]:
    return Quarter.objects.filter(seen_or_own(actor_for(user), "branch")).select_related("branch")


def scoped_quarter(user, pk: int) -> Quarter:
    """`quarter_scope(user).get(pk=pk)`, 404 outside it."""
    return get_object_or_404(quarter_scope(user), pk=pk)


def filing_scope(user) -> QuerySet[AnnualFiling]:
    return AnnualFiling.objects.filter(seen_or_own(actor_for(user), "branch")).select_related("branch")


def _own_or_led(user, prefix: str, *own_fields: str) -> Q:
    """Rows of the branches the user leads or oversees, and rows about the user themselves."""
    actor = actor_for(user)
    q = path_q(actor.view_paths, f"{prefix}__path")
    for name in own_fields if actor.member_id else ():
        q |= Q(**{f"{name}_id": actor.member_id})
    return q


def declaration_scope(user) -> QuerySet[Declaration]:
    return Declaration.objects.filter(
        _own_or_led(user, "quarter__branch", "declarant", "subject")
    ).select_related("quarter__branch", "subject", "declarant")


def entry_scope(user) -> QuerySet[PointEntry]:
    return PointEntry.objects.filter(_own_or_led(user, "quarter__branch", "member")).select_related(
        "quarter__branch", "member"
    )


def objection_scope(user) -> QuerySet[Objection]:
    return Objection.objects.filter(_own_or_led(user, "quarter__branch", "member")).select_related(
        "quarter__branch", "member"
    )


def _managed_branch_ids(user) -> list[int]:
    return [p.org_id for p in actor_for(user).posts if p.role in MANAGER_ROLES and p.org_kind in BRANCH_KINDS]


def handles_objections(user) -> bool:
    """Whether the objections list is for this user at all: branch secretaries and higher organizations."""
    return bool(_managed_branch_ids(user) or actor_for(user).oversight_paths)


def objections_to_handle(user) -> QuerySet[Objection]:
    """Twin of `points.handle_objection`: objections to the branches the user manages, appeals from the
    branches the user oversees."""
    actor = actor_for(user)
    q = Q(channel=ObjectionChannel.BRANCH, quarter__branch_id__in=_managed_branch_ids(user))
    q |= Q(channel=ObjectionChannel.APPEAL) & path_q(actor.oversight_paths, "quarter__branch__path")
    return (
        Objection.objects.filter(q)
        .select_related("quarter__branch", "member", "handled_by__member")
        # Those still waiting for an answer first, oldest first.
        .order_by(Case(When(state=ObjectionState.SUBMITTED, then=0), default=1), "created_at", "pk")
    )


def filings_to_review(user) -> QuerySet[AnnualFiling]:
    """Twin of `points.oversee` for filings: what the branches under the user's oversight sent up."""
    actor = actor_for(user)
    return (
        AnnualFiling.objects.filter(path_q(actor.oversight_paths, "branch__path"))
        .exclude(state=FilingState.ROLLED_UP)
        .select_related("branch")
        .annotate(member_count=Count("results"))
        .order_by("-year", "branch__path")
    )
