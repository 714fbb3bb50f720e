"""Reads for the annual reports of a scope (the committee, a general branch, a branch).

A scope's branches are one path-prefix query; its results stream in branch order so a 100,000-member
committee never sits in memory at once. The summary (per branch: members scored, exempt, average,
distribution bands, clause 五 result counts, filing status) is built in the same pass that writes
the member rows, or in a lighter pass of its own for the PDF and the dashboard.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, FloatField, TextField, Value, When
from django.db.models.functions import Cast

from branches.models import BRANCH_KINDS, Organization
from branches.services import committee_of

from ..models import AnnualFiling, AnnualResult, FilingState
from ..scoring import CATEGORY_LABELS, GUIDELINE_SCHEME, RESULT_LABELS, Scheme, Thresholds
from ..selectors.facts import scheme_for

RESULT_CODES = tuple(RESULT_LABELS)
NOT_ROLLED_UP = "未汇总"
EXEMPT_TEXT = "免于积分管理"


@dataclass(frozen=True)
class Band:
    """A score band: `low` included, `high` excluded (None: open)."""

    label: str
    low: Decimal | None
    high: Decimal | None


def score_bands(thresholds: Thresholds) -> list[Band]:
    """Bands cut at clause 五's numbers, worded as the guideline counts (以上 includes, 不满 excludes)."""
    edges = sorted(
        {
            thresholds.low_below,
            thresholds.awards_min,
            thresholds.excellent_candidate_min,
            thresholds.priority_recommendation_min,
        }
    )
    bands = [Band(f"低于{edges[0]}分", None, edges[0])]
    for low, high in zip(edges, edges[1:], strict=False):
        bands.append(Band(f"{low}分至不满{high}分", low, high))
    bands.append(Band(f"{edges[-1]}分以上", edges[-1], None))
    return bands


def band_edges(bands: list[Band]) -> list[float]:
    return [float(b.low) for b in bands[1:]]


def band_of(edges: list[float], total) -> int:
    return bisect.bisect_right(edges, float(total))


def scope_scheme(scope: Organization, year: int) -> Scheme:
    """The scheme whose thresholds cut a scope's bands: the committee's for the year."""
    return scheme_for(committee_of(scope), year)


def scope_branches(scope: Organization) -> list[Organization]:
    """The branches (and 直属党支部) in a scope, in tree order, with their parents (one query)."""
    return list(
        Organization.objects.filter(path__startswith=scope.path, kind__in=BRANCH_KINDS)
        .select_related("parent")
        .order_by("path")
    )


def scope_filings(scope: Organization, year: int) -> dict[int, AnnualFiling]:
    return {
        f.branch_id: f
        for f in AnnualFiling.objects.filter(branch__path__startswith=scope.path, year=year).only(
            "id", "branch_id", "state", "scheme", "year"
        )
    }


@dataclass
class BranchSummary:
    branch: Organization | None
    filing_state: str
    scored: int = 0
    exempt: int = 0
    total_sum: float = 0.0
    bands: list[int] = field(default_factory=list)
    results: dict[str, int] = field(default_factory=dict)

    @property
    def average(self) -> float | None:
        return round(self.total_sum / self.scored, 2) if self.scored else None

    @property
    def name(self) -> str:
        return self.branch.name if self.branch else "合计"

    @property
    def parent_name(self) -> str:
        return self.branch.parent.name if self.branch and self.branch.parent else ""

    def result_counts(self) -> list[int]:
        return [self.results.get(code, 0) for code in RESULT_CODES]


@dataclass
class ScopeSummary:
    scope: Organization
    year: int
    bands: list[Band]
    rows: list[BranchSummary]

    @property
    def total(self) -> BranchSummary:
        total = BranchSummary(None, "", bands=[0] * len(self.bands))
        for row in self.rows:
            total.scored += row.scored
            total.exempt += row.exempt
            total.total_sum += row.total_sum
            total.bands = [a + b for a, b in zip(total.bands, row.bands, strict=True)]
            for code, n in row.results.items():
                total.results[code] = total.results.get(code, 0) + n
        return total

    @property
    def filed_count(self) -> int:
        return sum(1 for row in self.rows if row.filing_state == FilingState.FILED.label)


class SummaryBuilder:
    """Accumulates the per-branch summary while results go by."""

    def __init__(self, scope: Organization, year: int, branches: list[Organization], filings, bands):
        self.scope, self.year, self.bands = scope, year, bands
        self.edges = band_edges(bands)
        self.rows: dict[int, BranchSummary] = {}
        for b in branches:
            filing = filings.get(b.pk)
            state = FilingState(filing.state).label if filing else NOT_ROLLED_UP
            self.rows[b.pk] = BranchSummary(b, state, bands=[0] * len(bands))

    def add(self, branch_id: int, exempt: bool, total, results) -> None:
        row = self.rows[branch_id]
        if exempt or total is None:
            row.exempt += 1
            return
        row.scored += 1
        row.total_sum += float(total)
        row.bands[band_of(self.edges, total)] += 1
        counts = row.results
        for code in results:
            counts[code] = counts.get(code, 0) + 1

    def summary(self) -> ScopeSummary:
        return ScopeSummary(self.scope, self.year, self.bands, list(self.rows.values()))


def summarize(scope: Organization, year: int) -> ScopeSummary:
    """The scope's summary alone (for the PDF and the dashboard): four queries."""
    branches = scope_branches(scope)
    builder = SummaryBuilder(
        scope, year, branches, scope_filings(scope, year), score_bands(scope_scheme(scope, year).thresholds)
    )
    rows = (
        AnnualResult.objects.filter(filing__year=year, filing__branch__path__startswith=scope.path)
        .values_list("filing__branch_id", "exempt", "total", "results")
        .iterator(chunk_size=5000)
    )
    for branch_id, exempt, total, results in rows:
        builder.add(branch_id, exempt, total, results)
    return builder.summary()


# Columns of a member row, in the order the workbook writes them. Scores come as floats (half points
# are exact in binary): the database casts them, which spares a Decimal per value on the way out.
MEMBER_FIELDS = (
    "filing__branch_id",
    "member__code",
    "member__name",
    "category",
    "exempt",
    "base_items",
    "base_f",
    "bonus_f",
    "deductions_f",
    "total_f",
    "rank",
    "results_json",
)


# Members first, ranked; then activists (ranked among themselves); exempt members last.
ACTIVISTS_LAST = Case(When(category="activist", then=Value(1)), default=Value(0))


def stream_member_rows(scope: Organization, year: int, chunk_size: int = 2000) -> Iterator[tuple]:
    """Every member's annual result in the scope, branch by branch (tree order), ranked within it."""
    return (
        AnnualResult.objects.filter(filing__year=year, filing__branch__path__startswith=scope.path)
        .annotate(
            base_f=Cast("base", FloatField()),
            bonus_f=Cast("bonus", FloatField()),
            deductions_f=Cast("deductions", FloatField()),
            total_f=Cast("total", FloatField()),
            # The raw JSON: a branch repeats a handful of result combinations, decoded once each.
            results_json=Cast("results", TextField()),
        )
        .order_by("filing__branch__path", "exempt", ACTIVISTS_LAST, "rank", "member__code")
        .values_list(*MEMBER_FIELDS)
        .iterator(chunk_size=chunk_size)
    )


def base_item_columns(filing: AnnualFiling | None) -> list[tuple[str, str]]:
    """(code, label) of the base items the filing was scored with; the guideline's if there is none."""
    items = filing.scheme.get("base_items") if filing and isinstance(filing.scheme, dict) else None
    if not items:
        return [(item.code, item.label) for item in GUIDELINE_SCHEME.base_items]
    return [(item["code"], item["label"]) for item in items]


def results_text(codes) -> str:
    """Clause 五 results of a member in words, one after another."""
    return "；".join(RESULT_LABELS.get(code, code) for code in codes)


class ResultsText:
    """`results_text` of the raw JSON the stream returns, decoded once per distinct combination."""

    def __init__(self):
        self.cache: dict[str, tuple[str, tuple[str, ...]]] = {}

    def __call__(self, raw: str) -> tuple[str, tuple[str, ...]]:
        hit = self.cache.get(raw)
        if hit is None:
            codes = tuple(json.loads(raw)) if raw else ()
            hit = (results_text(codes), codes)
            if len(self.cache) < 4096:
                self.cache[raw] = hit
        return hit


def category_label(code: str) -> str:
    return CATEGORY_LABELS.get(code, code)
