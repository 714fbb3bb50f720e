"""A branch's year-to-date scores and early warnings, kept in the worker until the branch's data changes.

Scoring a branch takes one facts pass over its year of records (a dozen milliseconds for 60 members) and
the home page, the review list, the review page and a member's year page all need it. The result is kept
per worker process under the `DataVersion` rows of what it reads, which database triggers bump in the
same transaction as any write to a row that feeds them (migration points/0010): a cached value is only
ever returned for exactly the data it was computed from. One small query reads the versions per use.

Scores of quarters 1..n are keyed by the versions of those quarters' months (and the roster's, the year's
and every branch's), so a recorder's attendance of today's session leaves the scores of the quarters
already complete cached; values that read anything of the branch are keyed by its ANY version.

Values are shared between requests: the scoring engine's dataclasses are frozen; the `Member` rows must
be treated as read-only by callers.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from branches.models import Organization
from members.models import Member

from ..models import DataVersion
from ..models.versions import ANY, EVERY_BRANCH, UNDATED, month_period, year_period
from ..scoring import MemberFacts, MemberScore, Scheme, ScoringError, score_provisional
from . import facts
from .facts import BranchScores, branches_facts, score_outcomes

# A 60-member branch's board is about 230 KB: at most ~60 MB per worker, least recently used out first.
MAX_ENTRIES = 256
# A belt to the triggers' braces: nothing lives longer than this, whatever happens to the versions
# (say, a database restored from a backup under a running server).
MAX_AGE_SECONDS = 600

_entries: OrderedDict[tuple, tuple[float, object]] = OrderedDict()
_lock = threading.Lock()


def clear() -> None:
    with _lock:
        _entries.clear()


def _versions(branch_id: int, periods: tuple[int, ...]) -> tuple:
    """Every branch's version, and the branch's versions of `periods`, in one query: a tuple that any
    write to a row dated in one of those periods (or to the roster, a scheme, the tree) changes."""
    placeholders = ", ".join(["%s"] * len(periods))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT branch_id, period, version FROM {DataVersion._meta.db_table} "  # noqa: S608 — no input
            f"WHERE (branch_id = %s AND period = %s) OR (branch_id = %s AND period IN ({placeholders}))",
            [EVERY_BRANCH, UNDATED, branch_id, *periods],
        )
        return tuple(sorted(cursor.fetchall()))


def branch_version(branch_id: int) -> tuple:
    """The versions any write to the branch (or to everything) changes."""
    return _versions(branch_id, (ANY,))


def scores_version(branch_id: int, year: int, upto: int) -> tuple:
    """The versions of what the branch's scores of quarters 1..`upto` of `year` read: its roster, the
    year's exemptions, the months of those quarters (records, sessions, point entries), every branch's."""
    months = tuple(month_period(year, month) for month in range(1, 3 * upto + 1))
    return _versions(branch_id, (UNDATED, year_period(year), *months))


def everything_version() -> tuple:
    """The version every branch's key includes (schemes, the organization tree)."""
    return _versions(EVERY_BRANCH, (UNDATED,))


def _peek(key: tuple):
    """The value kept under `key` if it is young enough, else None; never computes."""
    with _lock:
        hit = _entries.get(key)
        if hit is None or time.monotonic() - hit[0] >= MAX_AGE_SECONDS:
            return None
        _entries.move_to_end(key)
        return hit[1]


def _cached(key: tuple, compute):
    value = _peek(key)
    if value is not None:
        return value
    value = compute()
    with _lock:
        _entries[key] = (time.monotonic(), value)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def kept(key: tuple, compute):
    """`compute()` kept in this worker's cache under `key` (least recently used out first, at most
    MAX_AGE_SECONDS): for values derived from their key alone, such as markup rendered for a scheme."""
    return _cached(key, compute)


def scheme_for(branch, year: int) -> Scheme:
    """`facts.scheme_for`, cached: a scheme changes only with SchemeConfig or the organization tree."""
    key = ("scheme", branch.pk, year, everything_version())
    return _cached(key, lambda: facts.scheme_for(branch, year))


# --- scores -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BranchBoard:
    """Every active member's facts and provisional score (or the engine's refusal) for quarters 1..upto."""

    scheme: Scheme
    members: list[Member]
    facts: dict[int, MemberFacts]
    outcomes: dict[int, MemberScore | ScoringError]

    def score(self, member_id: int) -> MemberScore:
        outcome = self.outcomes[member_id]
        if isinstance(outcome, ScoringError):
            raise outcome
        return outcome


def _board(branch, year: int, upto: int) -> BranchBoard:
    bundle = branches_facts([branch], year, upto_quarter=upto)[branch.pk]
    outcomes = score_outcomes(bundle.scheme, [bundle.facts[m.pk] for m in bundle.members])
    return BranchBoard(bundle.scheme, bundle.members, bundle.facts, outcomes)


def _board_key(branch_id: int, year: int, upto: int, version: tuple) -> tuple:
    return ("board", branch_id, year, upto, version)


def branch_board(branch, year: int, upto: int) -> BranchBoard:
    key = _board_key(branch.pk, year, upto, scores_version(branch.pk, year, upto))
    return _cached(key, lambda: _board(branch, year, upto))


def provisional_scores(branch, year: int, upto: int) -> BranchScores:
    """`facts.provisional_scores` of the whole branch, cached: raises the engine's error if it refuses
    any member's records, as the uncached one does."""
    board = branch_board(branch, year, upto)
    scores = {m.pk: board.score(m.pk) for m in board.members}
    return BranchScores(board.scheme, board.members, board.facts, scores)


def member_score(
    member: Member, year: int, upto: int, *, branch=None, whole_branch: bool = True
) -> tuple[Scheme, MemberFacts, MemberScore]:
    """One member's scheme, facts and provisional score. From the branch's board (built if missing
    when `whole_branch`, as the review pages go through every member); otherwise, or for a member not
    on the board (no longer active), from this member's own facts pass, kept under the same version.
    `branch` saves a query when the caller has the member's branch already."""
    branch = branch if branch is not None else member.branch
    version = scores_version(branch.pk, year, upto)
    board_key = _board_key(branch.pk, year, upto, version)
    board = _cached(board_key, lambda: _board(branch, year, upto)) if whole_branch else _peek(board_key)
    if board is not None and member.pk in board.outcomes:
        return board.scheme, board.facts[member.pk], board.score(member.pk)

    def alone():
        bundle = branches_facts([branch], year, upto_quarter=upto, members=[member])[branch.pk]
        facts = bundle.facts[member.pk]
        return bundle.scheme, facts, score_provisional(bundle.scheme, facts)

    return _cached(("member", member.pk, branch.pk, year, upto, version), alone)


# --- early warnings of one branch (the home page) -------------------------------------------------


@dataclass(frozen=True)
class BranchWarnings:
    lists: list[tuple[str, list[str]]]  # (label, up to 6 names in code order) for each non-empty warning
    low: list[str]  # names of members whose provisional total is below the scheme's line
    low_below: Decimal | None = None  # that line, once a quarter of the year is scored


def branch_warnings(branch_id: int, today: datetime.date) -> BranchWarnings:
    """The home page's warnings of one branch as of `today`, cached until its data changes (the lists
    look at records up to today; the low scores come from the board, cached by its own months)."""
    version = branch_version(branch_id)
    every_branch = tuple(row for row in version if row[0] == EVERY_BRANCH)
    key = ("warnings", branch_id, today, version)
    return _cached(key, lambda: _warnings(branch_id, today, every_branch))


def _warning_queries(branch_id: int, today: datetime.date, every_branch: tuple):
    """The branch and the SQL of its warning lists as of `today`: the ORM's own queries, compiled once a
    day (building them was two thirds of the lists' cost, which a recorder's home page pays after every
    save of today's attendance). Their text depends on the branch's path, `today` and constants only; a
    change of the organization tree (the path) changes `every_branch`, and the key with it."""

    def compile_them():
        from ..reports import dashboard

        branch = Organization.objects.get(pk=branch_id)
        queries = []
        for label, query in dashboard.WARNINGS.values():
            names = query(branch, today).order_by("code").values_list("name", flat=True)[:6]
            queries.append((label, *names.query.sql_with_params()))
        return branch, queries

    return _cached(("warning queries", branch_id, today, every_branch), compile_them)


def _warnings(branch_id: int, today: datetime.date, every_branch: tuple) -> BranchWarnings:
    from ..reports import dashboard

    branch, queries = _warning_queries(branch_id, today, every_branch)
    lists = []
    with connection.cursor() as cursor:
        for label, sql, params in queries:
            cursor.execute(sql, params)
            names = [name for (name,) in cursor.fetchall()]
            if names:
                lists.append((label, names))
    low: list[str] = []
    line = None
    upto = dashboard.scored_upto(today.year, today)
    if upto:
        # As dashboard.provisional_totals: members the engine refuses are left out, exempt ones too.
        board = branch_board(branch, today.year, upto)
        line = board.scheme.thresholds.low_below
        for m in board.members:
            outcome = board.outcomes[m.pk]
            if isinstance(outcome, ScoringError) or outcome.exempt or outcome.total is None:
                continue
            if outcome.total < line:
                low.append(m.name)
    return BranchWarnings(lists, low, line)
