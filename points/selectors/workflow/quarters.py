"""A branch's quarters and the quarter page's lists: members with their scores, objections."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from members.models import Member

from ...models import Declaration, DeclarationState, Objection, PointEntry, Quarter
from ...scoring import CATEGORY_LABELS, MemberScore
from ..facts import provisional_scores
from ..quarters import year_quarter_rows
from .labels import labels_for


def branch_quarters(branch) -> QuerySet[Quarter]:
    return Quarter.objects.filter(branch=branch).order_by("-year", "-number")


def next_quarter(branch, today) -> tuple[int, int]:
    """The quarter after the branch's latest one; the current quarter for a branch's first."""
    latest = Quarter.objects.filter(branch=branch).order_by("-year", "-number").first()
    if latest is None:
        return today.year, (today.month - 1) // 3 + 1
    return (latest.year + 1, 1) if latest.number == 4 else (latest.year, latest.number + 1)


def year_quarters(branch, year: int) -> dict[int, Quarter]:
    return {q.number: q for q in year_quarter_rows(branch.pk, year)}


@dataclass
class MemberRow:
    """One member's year-to-date score with the quarter's items, for the review list and the publicity."""

    member: Member
    score: MemberScore
    pending: int = 0
    entries: list[PointEntry] = field(default_factory=list)

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.member.category, self.member.category)


def quarter_rows(quarter: Quarter) -> list[MemberRow]:
    """Every active member of the branch, their provisional score up to this quarter, the quarter's
    current ledger entries and their declarations waiting for review."""
    board = provisional_scores(quarter.branch, quarter.year, quarter.number)
    labels = labels_for(board.scheme)
    pending = Counter(
        Declaration.objects.filter(quarter=quarter, state=DeclarationState.SUBMITTED).values_list(
            "subject_id", flat=True
        )
    )
    entries = defaultdict(list)
    for entry in PointEntry.objects.filter(quarter=quarter, is_current=True).order_by("created_at", "pk"):
        labels.attach(entry)
        entries[entry.member_id].append(entry)
    return [
        MemberRow(
            member=m,
            score=board.scores[m.pk],
            pending=pending.get(m.pk, 0),
            entries=entries.get(m.pk, []),
        )
        for m in board.members
    ]


def quarter_objections(quarter: Quarter) -> QuerySet[Objection]:
    return quarter.objections.select_related("member", "handled_by__member").order_by("created_at", "pk")


def announced_objections(quarter: Quarter) -> QuerySet[Objection]:
    """Objections handled since the previous assembly, reported to this quarter's assembly (clause 四.5)."""
    return Objection.objects.filter(announced_at__quarter=quarter).select_related("member", "quarter")
