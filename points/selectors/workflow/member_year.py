"""A member's year, line by line: the records, the ledger, declarations and objections behind the score."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from members.models import Member

from ...models import (
    AnnualFiling,
    AnnualResult,
    Attendance,
    Declaration,
    DuesRecord,
    Objection,
    PointEntry,
    Quarter,
    Session,
    ThoughtReport,
)
from ...models.workflow import PUBLISHED_STATES
from ...scoring import MemberScore
from ..facts import member_score, scheme_for
from .labels import Labels, labels_for
from .ledger import attach_people, ledger, link_corrections, unread
from .quarters import year_quarters


@dataclass
class MemberYear:
    year: int
    quarters: dict[int, Quarter]
    upto: int  # quarters 1..upto are counted in the score shown (0: nothing to show yet)
    score: MemberScore | None
    annual: AnnualResult | None
    filing: AnnualFiling | None
    attendance: list[Attendance]
    dues: list[DuesRecord]
    reports: list[ThoughtReport]
    entries: list[PointEntry]
    declarations: list[Declaration]
    objections: list[Objection]


def member_year(member: Member, year: int, *, full: bool) -> MemberYear:
    """Everything behind a member's points for `year`, line by line.

    `full` (the branch's leaders and the higher organization) shows the quarters still in progress; a
    member looking at their own page sees the ledger and the score only as far as it has been published,
    like everyone else in the branch (issue 4 §2).
    """
    branch = member.branch
    quarters = year_quarters(branch, year)
    shown = sorted(n for n, q in quarters.items() if full or q.state in PUBLISHED_STATES)
    upto = 4 if full else max(shown, default=0)

    filing = AnnualFiling.objects.filter(branch=branch, year=year).order_by("pk").first()
    annual = filing.results.filter(member=member).first() if filing else None
    score = None
    if annual is None and upto:
        scheme, _facts, score = member_score(member, year, upto, branch=branch)
    else:
        scheme = scheme_for(branch, year)
    labels = labels_for(scheme)

    # Related rows are read for the few fields the page shows (see `unread`); who recorded each line and
    # what a correction replaced are attached afterwards from rows already read (see `attach_people`).
    attendance, dues, reports = _records(member, year)
    entries = ledger(
        PointEntry.objects.filter(member=member, quarter__year=year, quarter__number__in=shown), labels
    )
    declarations = _declarations(member, year, shown, labels)
    objections = list(
        Objection.objects.filter(member=member, quarter__year=year)
        .select_related("quarter", "correction")
        .defer(*unread(PointEntry, "correction", "value"))
        .order_by("created_at", "pk")
    )
    attach_people(
        (attendance, "recorded_by"),
        (dues, "recorded_by"),
        (reports, "recorded_by"),
        (entries, "created_by"),
        (declarations, "reviewed_by"),
        (objections, "handled_by"),
    )
    return MemberYear(
        year,
        quarters,
        upto,
        score,
        annual,
        filing,
        attendance,
        dues,
        reports,
        entries,
        declarations,
        objections,
    )


def _records(member: Member, year: int) -> tuple[list[Attendance], list[DuesRecord], list[ThoughtReport]]:
    """The year's attendance, dues and thought reports, each with the record a correction replaced."""
    attendance = list(
        Attendance.objects.filter(member=member, session__starts_at__year=year)
        .select_related("session")
        .defer(*unread(Session, "session", "starts_at", "kind", "title", "hours", "is_cancelled"))
        .order_by("session__starts_at", "recorded_at", "pk")
    )
    dues = list(DuesRecord.objects.filter(member=member, year=year).order_by("month", "recorded_at", "pk"))
    reports = list(
        ThoughtReport.objects.filter(member=member, received_on__year=year).order_by("received_on", "pk")
    )
    link_corrections(attendance, Attendance)
    link_corrections(dues, DuesRecord)
    link_corrections(reports, ThoughtReport)
    return attendance, dues, reports


def _declarations(member: Member, year: int, shown: list[int], labels: Labels) -> list[Declaration]:
    """The member's own declarations all year, and those about them in the quarters shown."""
    own = Q(declarant=member) | Q(subject=member, quarter__number__in=shown)
    declarations = list(
        Declaration.objects.filter(own, quarter__year=year, quarter__branch=member.branch)
        .select_related("quarter", "declarant", "subject")
        .defer(*unread(Member, "declarant", "name"), *unread(Member, "subject", "name"))
        .order_by("quarter__number", "created_at", "pk")
    )
    for d in declarations:
        labels.attach(d)
    return declarations
