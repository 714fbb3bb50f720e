"""The dashboard of the department and the general branches: quarter progress, early warnings, score
distribution and study completion, per branch of the chosen unit.

Every figure comes from a fixed number of queries however many branches and members the unit has:
counts are grouped by branch in the database, and provisional scores come from `branches_facts`
(one aggregate query per kind of record for all the unit's branches) scored in Python by the engine.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from branches.models import Organization
from members.models import Category, Exemption, ExemptionState, Member, MemberStatus

from ..models import (
    AnnualFiling,
    AnnualResult,
    Attendance,
    AttendanceStatus,
    Declaration,
    DeclarationState,
    DuesRecord,
    DuesStatus,
    FilingState,
    Quarter,
    QuarterState,
    Session,
    ThoughtReport,
)
from ..models.records import ORG_LIFE_KINDS
from ..scoring import ScoringError
from ..selectors.counts import ATTENDED
from ..selectors.facts import branches_facts, score_outcomes
from ..selectors.quarters import local_midnight, quarter_bounds, quarter_number
from . import charts
from .annual import Band, band_edges, band_of, scope_branches, scope_scheme, score_bands

PAID = (DuesStatus.ON_TIME, DuesStatus.LATE, DuesStatus.SHORT)
# 连续 3 个月: the warnings look back three full months from today.
WARNING_MONTHS = 3
# Progress steps of a quarter (clause 四), in order; a branch's step is the furthest it has reached.
STEPS = ("记录", "申报", "初评", "评定", "公示", "备案")
STATE_STEP = {
    QuarterState.OPEN: 1,
    QuarterState.IN_REVIEW: 3,
    QuarterState.DETERMINED: 4,
    QuarterState.PUBLISHED: 5,
    QuarterState.CLOSED: 5,
}


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` earlier (the month's last day when it is shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def last_full_months(day: datetime.date, months: int) -> list[tuple[int, int]]:
    """(year, month) of the `months` complete months before `day`'s month, newest first."""
    out = []
    index = day.year * 12 + day.month - 1
    for back in range(1, months + 1):
        year, month = divmod(index - back, 12)
        out.append((year, month + 1))
    return out


def current_quarter(year: int, today: datetime.date) -> int:
    """The quarter the dashboard follows: today's in the current year, the last one of a past year."""
    if year < today.year:
        return 4
    if year > today.year:
        return 1
    return quarter_number(today)


def scored_upto(year: int, today: datetime.date) -> int | None:
    """Provisional scores cover complete quarters only (as the assembly sees them); None before Q1 ends."""
    if year < today.year:
        return 4
    if year > today.year:
        return None
    return quarter_number(today) - 1 or None


@dataclass
class BranchRow:
    branch: Organization
    quarter_state: str = ""
    quarter_label: str = "未开启"
    step: int = 0
    sessions: int = 0
    declared: int = 0
    reviewed: int = 0
    filing_state: str = ""
    filed: bool = False
    no_org_life: int = 0
    dues_unpaid: int = 0
    mobile_no_report: int = 0
    low_score: int | None = None
    bands: list[int] = field(default_factory=list)
    study: object = None

    @property
    def warning_total(self) -> int:
        return self.no_org_life + self.dues_unpaid + self.mobile_no_report + (self.low_score or 0)

    @property
    def steps(self) -> list[tuple[str, bool]]:
        reached = self.step + (1 if self.filed else 0)
        return [(label, index < reached) for index, label in enumerate(STEPS)]


@dataclass
class Dashboard:
    unit: Organization
    year: int
    quarter: int
    upto: int | None
    today: datetime.date
    bands: list[Band]
    rows: list[BranchRow]
    distribution_source: str
    chart: str = ""
    study_available: bool = False
    # Drill-down into one branch: the members behind each warning.
    details: dict[str, list[str]] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        keys = ("sessions", "declared", "reviewed", "no_org_life", "dues_unpaid", "mobile_no_report")
        totals = {key: sum(getattr(row, key) for row in self.rows) for key in keys}
        totals["low_score"] = sum(row.low_score or 0 for row in self.rows)
        totals["filed"] = sum(1 for row in self.rows if row.filed)
        totals["published"] = sum(1 for row in self.rows if row.step >= STATE_STEP[QuarterState.PUBLISHED])
        return totals

    @property
    def warning_rows(self) -> list[BranchRow]:
        return [row for row in self.rows if row.warning_total]

    @property
    def is_branch(self) -> bool:
        return self.unit.is_branch


# --- warnings: one query each, grouped by branch -----------------------------------------------


def _members(unit: Organization, year: int):
    """Active members of the unit's branches who take part in points management this year."""
    exempt = Exemption.objects.filter(member=OuterRef("pk"), year=year, state=ExemptionState.APPROVED)
    return Member.objects.filter(branch__path__startswith=unit.path, status=MemberStatus.ACTIVE).exclude(
        Exists(exempt)
    )


def no_org_life(unit: Organization, today: datetime.date):
    """Missed every 三会一课 and 主题党日 of the last three months without a valid reason (无正当理由, the
    guideline's deduction): late or leaving early counts as attending, and an excused leave (请假) is a
    valid reason, so only unexcused absences, or no session at all, raise the warning."""
    since = months_before(today, WARNING_MONTHS)
    attended = Attendance.objects.filter(
        member=OuterRef("pk"),
        is_current=True,
        status__in=[*ATTENDED, AttendanceStatus.EXCUSED],
        session__is_cancelled=False,
        session__kind__in=ORG_LIFE_KINDS,
        session__starts_at__gte=local_midnight(since),
    )
    return _members(unit, today.year).exclude(Exists(attended))


def dues_unpaid(unit: Organization, today: datetime.date):
    """No dues paid for each of the last three complete months (activists pay none; newcomers are
    not counted until they have owed three months)."""
    months = last_full_months(today, WARNING_MONTHS)
    in_months = Q()
    for year, month in months:
        in_months |= Q(year=year, month=month)
    paid = DuesRecord.objects.filter(in_months, member=OuterRef("pk"), is_current=True, status__in=PAID)
    oldest = datetime.date(*months[-1], 1)
    joined_late = Q(join_date__gt=oldest) | Q(probation_start__gt=oldest)
    return (
        _members(unit, today.year)
        .exclude(category=Category.ACTIVIST)
        .exclude(joined_late)
        .exclude(Exists(paid))
    )


def mobile_no_report(unit: Organization, today: datetime.date):
    """Mobile members from whom no thought report arrived in the last three months."""
    since = months_before(today, WARNING_MONTHS)
    reports = ThoughtReport.objects.filter(member=OuterRef("pk"), is_current=True, received_on__gte=since)
    return _members(unit, today.year).filter(is_mobile=True).exclude(Exists(reports))


WARNINGS = {
    "no_org_life": ("近3个月无正当理由未参加组织生活", no_org_life),
    "dues_unpaid": ("连续3个月未交党费", dues_unpaid),
    "mobile_no_report": ("流动党员3个月未汇报思想", mobile_no_report),
}
# Column heads that fit a phone; the page explains each in full.
WARNING_SHORT = ("缺组织生活", "欠缴党费", "流动未汇报")


def _count_by_branch(qs) -> dict[int, int]:
    return dict(qs.order_by().values("branch_id").annotate(n=Count("id")).values_list("branch_id", "n"))


# --- provisional scores ---------------------------------------------------------------------------


def provisional_totals(branches: list[Organization], year: int, upto: int) -> dict[int, list[tuple]]:
    """Per branch: (member name, provisional total or None when exempt) of every active member."""
    out: dict[int, list[tuple]] = {b.pk: [] for b in branches}
    for branch_id, bundle in branches_facts(branches, year, upto_quarter=upto).items():
        outcomes = score_outcomes(bundle.scheme, [bundle.facts[m.pk] for m in bundle.members])
        for member in bundle.members:
            score = outcomes[member.pk]
            if isinstance(score, ScoringError):
                continue  # a record the engine refuses shows up on the branch's own pages, not here
            out[branch_id].append((member.name, None if score.exempt else score.total, bundle.scheme))
    return out


# --- the whole page ----------------------------------------------------------------------------


def build_dashboard(
    unit: Organization, year: int, today: datetime.date | None = None, study_rows=None
) -> Dashboard:
    # Stays long: a fixed set of queries, each filling its columns of the same rows.
    today = today or timezone.localdate()
    branches = scope_branches(unit)
    rows = {b.pk: BranchRow(branch=b) for b in branches}
    quarter_no = current_quarter(year, today)
    upto = scored_upto(year, today)
    thresholds = scope_scheme(unit, year).thresholds
    bands = score_bands(thresholds)
    for row in rows.values():
        row.bands = [0] * len(bands)
    in_unit = Q(branch__path__startswith=unit.path)

    quarters = Quarter.objects.filter(in_unit, year=year, number=quarter_no).values_list("branch_id", "state")
    for branch_id, state in quarters:
        if branch_id in rows:
            rows[branch_id].quarter_state = state
            rows[branch_id].quarter_label = QuarterState(state).label
            rows[branch_id].step = STATE_STEP[state]

    start, end = quarter_bounds(year, quarter_no)
    sessions = (
        Session.objects.filter(
            in_unit,
            is_cancelled=False,
            starts_at__gte=local_midnight(start),
            starts_at__lt=local_midnight(end),
        )
        .values("branch_id")
        .annotate(n=Count("id"))
        .values_list("branch_id", "n")
    )
    for branch_id, n in sessions:
        if branch_id in rows:
            rows[branch_id].sessions = n

    declarations = (
        Declaration.objects.filter(
            quarter__branch__path__startswith=unit.path, quarter__year=year, quarter__number=quarter_no
        )
        .exclude(state__in=(DeclarationState.DRAFT, DeclarationState.WITHDRAWN))
        .values("quarter__branch_id")
        .annotate(
            declared=Count("id"),
            reviewed=Count("id", filter=Q(state__in=(DeclarationState.APPROVED, DeclarationState.REJECTED))),
        )
        .values_list("quarter__branch_id", "declared", "reviewed")
    )
    for branch_id, declared, reviewed in declarations:
        if branch_id in rows:
            rows[branch_id].declared, rows[branch_id].reviewed = declared, reviewed
    for row in rows.values():
        if row.step == 1 and row.declared:
            row.step = 2  # declarations are coming in

    filings = AnnualFiling.objects.filter(in_unit, year=year).values_list("branch_id", "state")
    has_filing = False
    for branch_id, state in filings:
        if branch_id in rows:
            has_filing = True
            rows[branch_id].filing_state = FilingState(state).label
            rows[branch_id].filed = state == FilingState.FILED

    details: dict[str, list[str]] = {}
    for key, (label, query) in WARNINGS.items():
        qs = query(unit, today)
        for branch_id, n in _count_by_branch(qs).items():
            if branch_id in rows:
                setattr(rows[branch_id], key, n)
        if unit.is_branch:
            details[label] = list(qs.order_by("code").values_list("name", flat=True))

    edges = band_edges(bands)
    if has_filing:
        source = f"{year}年度积分（已汇总的支部）"
        results = AnnualResult.objects.filter(
            filing__branch__path__startswith=unit.path, filing__year=year, exempt=False, total__isnull=False
        ).values_list("filing__branch_id", "total")
        low_line = thresholds.low_below
        for row in rows.values():
            row.low_score = 0
        low_names = []
        for branch_id, total in results:
            row = rows.get(branch_id)
            if row is None:
                continue
            row.bands[band_of(edges, total)] += 1
            if total < low_line:
                row.low_score += 1
        if unit.is_branch:
            low_names = list(
                AnnualResult.objects.filter(filing__branch=unit, filing__year=year, total__lt=low_line)
                .order_by("member__code")
                .values_list("member__name", flat=True)
            )
            details[f"{year}年度积分低于{low_line}分"] = low_names
    elif upto:
        source = f"暂计积分（截至{year}年第{upto}季度末）"
        low_line = thresholds.low_below
        low_names = []
        for branch_id, members in provisional_totals(branches, year, upto).items():
            row = rows[branch_id]
            row.low_score = 0
            for name, total, scheme in members:
                if total is None:
                    continue
                row.bands[band_of(edges, total)] += 1
                if total < scheme.thresholds.low_below:
                    row.low_score += 1
                    low_names.append(name)
        if unit.is_branch:
            details[f"暂计积分低于{low_line}分"] = low_names
    else:
        source = ""

    study_available = study_rows is not None
    if study_rows:
        for study in study_rows:
            if study.branch.pk in rows:
                rows[study.branch.pk].study = study

    ordered = list(rows.values())
    chart = ""
    if source:
        chart = charts.unit_bars(
            [
                (row.branch.name, row.branch.parent.name if row.branch.parent else "", row.bands)
                for row in ordered
            ],
            [b.label for b in bands],
            narrow=True,
        )
    return Dashboard(
        unit=unit,
        year=year,
        quarter=quarter_no,
        upto=upto,
        today=today,
        bands=bands,
        rows=ordered,
        distribution_source=source,
        chart=chart,
        study_available=study_available,
        details=details,
    )
