"""The committee's review of one member's quarter, and a member's own declarations."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from members.models import Member

from ...models import Declaration, DeclarationState, PointEntry, Quarter
from ...scoring import MemberFacts, MemberScore, Scheme
from ..facts import member_score
from .labels import labels_for
from .ledger import attach_people, ledger, unread


@dataclass
class ReviewDetail:
    scheme: Scheme
    facts: MemberFacts
    score: MemberScore
    declarations: list[Declaration]
    entries: list[PointEntry]


def review_detail(quarter: Quarter, member: Member) -> ReviewDetail:
    scheme, facts, score = member_score(member, quarter.year, quarter.number, branch=quarter.branch)
    labels = labels_for(scheme)
    declarations = list(
        Declaration.objects.filter(quarter=quarter, subject=member)
        .exclude(state__in=(DeclarationState.DRAFT, DeclarationState.WITHDRAWN))
        .select_related("declarant")
        .defer(*unread(Member, "declarant", "name"))
    )
    for d in declarations:
        labels.attach(d)
    entries = ledger(PointEntry.objects.filter(quarter=quarter, member=member), labels)
    attach_people((declarations, "reviewed_by"), (entries, "created_by"))
    return ReviewDetail(scheme, facts, score, declarations, entries)


def own_declarations(quarter: Quarter, member_id: int) -> QuerySet[Declaration]:
    return Declaration.objects.filter(quarter=quarter, declarant_id=member_id).select_related("subject")
