"""Reads for the quarterly workflow pages (clause 四): scopes, results tables, timelines, a member's year.

The scopes are the queryset twins of the `points.*` rules: a row outside them is a 404. Every list
runs a fixed number of queries however many members the branch has.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from members.models import Member

from ..models import (
    AnnualFiling,
    AnnualResult,
    Attendance,
    Declaration,
    DeclarationState,
    DuesRecord,
    EntryType,
    FilingState,
    Objection,
    ObjectionState,
    PointEntry,
    Quarter,
    QuarterState,
    Session,
    ThoughtReport,
    Transition,
)
from ..scoring import CATEGORY_LABELS, RESULT_LABELS, MemberFacts, MemberScore, Scheme
from .facts import member_score, provisional_scores, scheme_for
from .quarters import year_quarter_rows

# The views read the scopes through this module too.
from .workflow_scopes import (  # noqa: F401
    declaration_scope,
    entry_scope,
    filing_scope,
    filings_to_review,
    handles_objections,
    objection_scope,
    objections_to_handle,
    points_branches,
    quarter_scope,
)

PUBLISHED_STATES = (QuarterState.PUBLISHED, QuarterState.CLOSED)
STATE_LABELS = {
    "quarter": dict(QuarterState.choices),
    "declaration": dict(DeclarationState.choices),
    "objection": dict(ObjectionState.choices),
    "filing": dict(FilingState.choices),
}


# --- labels --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Labels:
    """The scheme's Chinese names for kinds, base items, measures and levels, with clause refs."""

    items: dict[tuple[str, str], str]
    clauses: dict[tuple[str, str], str]
    measures: dict[str, str]
    levels: dict[str, str]

    def item(self, entry_type: str, kind: str) -> str:
        return self.items.get((entry_type, kind), kind)

    def attach(self, row) -> None:
        """Give an entry or a declaration its Chinese names for the templates."""
        row.kind_label = self.item(row.entry_type, row.kind)
        row.clause = self.clauses.get((row.entry_type, row.kind), "")
        row.measure_label = self.measures.get(getattr(row, "measure", ""), "")
        row.level_label = self.levels.get(row.level, "")


def labels_for(scheme: Scheme) -> Labels:
    items, clauses, levels = {}, {}, {}
    for kind in scheme.bonus_kinds:
        items[(EntryType.BONUS, kind.code)] = kind.label
        clauses[(EntryType.BONUS, kind.code)] = kind.clause
        levels.update({level.code: level.label for level in kind.levels})
    for kind in scheme.deduction_kinds:
        items[(EntryType.DEDUCTION, kind.code)] = kind.label
        clauses[(EntryType.DEDUCTION, kind.code)] = kind.clause
    for item in scheme.base_items:
        items[(EntryType.JUDGMENT, item.code)] = item.label
        clauses[(EntryType.JUDGMENT, item.code)] = item.clause
    return Labels(items, clauses, {m.code: m.label for m in scheme.measures}, levels)


@dataclass(frozen=True)
class Step:
    at: object
    actor: object
    from_label: str
    to_label: str
    reason: str


def timeline(subject_type: str, subject_id: int) -> list[Step]:
    labels = STATE_LABELS[subject_type]
    return [
        Step(
            t.at,
            t.actor,
            labels.get(t.from_state, t.from_state),
            labels.get(t.to_state, t.to_state),
            t.reason,
        )
        for t in Transition.objects.filter(subject_type=subject_type, subject_id=subject_id).select_related(
            "actor__member"
        )
    ]


# --- quarters ------------------------------------------------------------------------------------


def branch_quarters(branch) -> QuerySet[Quarter]:
    return Quarter.objects.filter(branch=branch).order_by("-year", "-number")


def next_quarter(branch, today) -> tuple[int, int]:
    """The quarter after the branch's latest one; the current quarter for a branch's first."""
    latest = Quarter.objects.filter(branch=branch).order_by("-year", "-number").first()
    if latest is None:
        return today.year, (today.month - 1) // 3 + 1
    return (latest.year + 1, 1) if latest.number == 4 else (latest.year, latest.number + 1)


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


# --- committee review of one member ---------------------------------------------------------------


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
    entries = _ledger(PointEntry.objects.filter(quarter=quarter, member=member), labels)
    attach_people((declarations, "reviewed_by"), (entries, "created_by"))
    return ReviewDetail(scheme, facts, score, declarations, entries)


@functools.cache
def unread(model, relation: str, *read: str) -> tuple[str, ...]:
    """`relation`'s columns other than its key and `read`, for `defer()`: a long list selects related rows
    for a few of their fields, and Django's cost of building a query and its rows grows with every
    column selected (the member's year page reads some 150 related rows)."""
    keep = {"id", *read}
    return tuple(f"{relation}__{f.name}" for f in model._meta.concrete_fields if f.name not in keep)


def attach_people(*groups: tuple[list, str]) -> None:
    """Give every row of each (rows, relation) group its user under `relation` ("recorded_by", ...),
    with the user's member for `|who`, all from one query: joining user and member into each list's
    own query made Django build every one of those queries with two more models (the member's year
    page has six lists)."""
    from django.contrib.auth import get_user_model

    ids = {getattr(row, f"{relation}_id") for rows, relation in groups for row in rows} - {None}
    if not ids:
        return
    users = (
        get_user_model()
        .objects.filter(pk__in=ids)
        .select_related("member")
        .only("username", "member__name", "member__user")
    )
    by_pk = {u.pk: u for u in users}
    for rows, relation in groups:
        for row in rows:
            user = by_pk.get(getattr(row, f"{relation}_id"))
            if user is not None:
                setattr(row, relation, user)


def link_corrections(rows: list, model) -> None:
    """Set each row's `corrects` (the record it replaced) from the rows themselves: a correction has the
    original's member and, nearly always, its date, so it is in the same list; the rare original that
    is not (a report corrected into another year) is read in one more query."""
    by_pk = {row.pk: row for row in rows}
    missing = {row.corrects_id for row in rows if row.corrects_id and row.corrects_id not in by_pk}
    if missing:
        by_pk.update(model.objects.in_bulk(missing))
    for row in rows:
        if row.corrects_id:
            row.corrects = by_pk[row.corrects_id]


def _ledger(entries: QuerySet[PointEntry], labels: Labels) -> list[PointEntry]:
    """Entries oldest first; each carries `corrects` (the entry it replaced) and `corrected_by` (the entry
    that replaced it) for display. Who entered them is for the caller to attach (`attach_people`,
    "created_by")."""
    rows = list(entries.select_related("quarter").order_by("quarter__number", "created_at", "pk"))
    link_corrections(rows, PointEntry)
    by_corrected = {e.corrects_id: e for e in rows if e.corrects_id}
    for e in rows:
        labels.attach(e)
        e.corrected_by = by_corrected.get(e.pk)
    return rows


def own_declarations(quarter: Quarter, member_id: int) -> QuerySet[Declaration]:
    return Declaration.objects.filter(quarter=quarter, declarant_id=member_id).select_related("subject")


def attach_labels(rows, scheme: Scheme):
    labels = labels_for(scheme)
    for row in rows:
        labels.attach(row)
    return rows


# --- annual -------------------------------------------------------------------------------------


@dataclass
class AnnualRow:
    result: AnnualResult
    base_items: list[str]
    result_labels: list[str]

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.result.category, self.result.category)


@dataclass
class AnnualTable:
    columns: list[tuple[str, str]]  # the scheme's base items (code, label)
    rows: list[AnnualRow]
    bottom_share: str  # 排名靠后 as the scheme set it, e.g. "10%（至少 1 名）"


def annual_table(filing: AnnualFiling, *, member_id: int | None = None) -> AnnualTable:
    """The filing's ranked rows under the scheme it was rolled up with (one member's when `member_id`)."""
    scheme = Scheme.from_dict(filing.scheme)
    columns = [(item.code, item.label) for item in scheme.base_items]
    results = filing.results.select_related("member")
    if member_id is not None:
        results = results.filter(member_id=member_id)
    rows = [
        AnnualRow(
            result=r,
            base_items=[r.base_items.get(code, "") for code, _ in columns],
            result_labels=[RESULT_LABELS.get(code, code) for code in r.results],
        )
        for r in results.order_by("exempt", "rank", "member__code")
    ]
    bottom = scheme.bottom_rank
    percent = f"{bottom.share * 100:f}".rstrip("0").rstrip(".")
    share = f"后 {percent}%（至少 {bottom.min_count} 名）"
    return AnnualTable(columns, rows, share)


def year_quarters(branch, year: int) -> dict[int, Quarter]:
    return {q.number: q for q in year_quarter_rows(branch.pk, year)}


# --- a member's year ----------------------------------------------------------------------------


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
    entries = _ledger(
        PointEntry.objects.filter(member=member, quarter__year=year, quarter__number__in=shown), labels
    )
    own = Q(declarant=member) | Q(subject=member, quarter__number__in=shown)
    declarations = list(
        Declaration.objects.filter(own, quarter__year=year, quarter__branch=branch)
        .select_related("quarter", "declarant", "subject")
        .defer(*unread(Member, "declarant", "name"), *unread(Member, "subject", "name"))
        .order_by("quarter__number", "created_at", "pk")
    )
    for d in declarations:
        labels.attach(d)
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
