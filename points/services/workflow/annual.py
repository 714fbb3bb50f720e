"""计算年度积分 and 审核备案 (clause 四.6): the annual roll-up and its filing.

The roll-up is set-based: one set of aggregate queries for all the branches asked for, the engine in
memory, and one bulk write of the results (COPY on PostgreSQL), so rolling up a whole committee costs
about the same per member as rolling up one branch.
"""

import contextlib
import gc
import json
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Value
from psycopg import errors as psycopg_errors
from psycopg import generators, pq
from psycopg.waiting import Wait

from members.models import Member

from ...locks import TRANSITIONS, take_locks
from ...models import AnnualFiling, AnnualResult, FilingState, Quarter, QuarterState, Transition
from ...models.workflow import LineBook
from ...scoring import ScoringError, assess_branch, score_many
from ...selectors.facts import branches_facts, scoring_members
from ..lines import store_lines
from ._steps import _deny, _move, _require

# Each member's own columns first, then those members scored alike share (`_Shared`).
RESULT_COLUMNS = (
    "filing_id",
    "member_id",
    "rank",
    "near_bottom",
    "category",
    "exempt",
    "base_items",
    "base",
    "bonus",
    "deductions",
    "total",
    "results",
    "line_refs",
)


def _previous_bottom(branch_ids, year: int, schemes) -> dict[int, set[int]]:
    """Members below the low threshold and near the bottom last year, per branch (the two-year rule)."""
    bottom: dict[int, set[int]] = defaultdict(set)
    rows = AnnualResult.objects.filter(
        filing__branch_id__in=branch_ids, filing__year=year - 1, near_bottom=True, total__isnull=False
    ).values_list("filing__branch_id", "member_id", "total")
    for branch_id, member_id, total in rows:
        if total < schemes[branch_id].thresholds.low_below:
            bottom[branch_id].add(member_id)
    return bottom


class _Shared:
    """The columns of a result that members scored alike share, JSON serialized, and the same as a COPY
    text fragment, escaped once for all of them."""

    __slots__ = ("text", "values")

    def __init__(self, values: tuple):
        self.values = values
        self.text = "\t".join(map(_copy_text, values))


NULL = "\\N"  # COPY's text format


def _copy_text(value) -> str:
    """A value as COPY's text format writes it: \\N for NULL, t/f, and text with backslashes and the
    row and column separators escaped (PostgreSQL, "COPY", File Formats: Text Format)."""
    if value is None:
        return NULL
    if value is True or value is False:
        return "t" if value else "f"
    text = str(value)
    if "\\" in text or "\n" in text or "\r" in text or "\t" in text:
        text = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return text


class _RowWriter:
    """AnnualResult rows as `_write_results` writes them: (filing id, member id, rank, near bottom,
    `_Shared`). Members share most explanation lines: each is stored once (`LineBook`, then
    `store_lines`), a row keeps their ids."""

    def __init__(self):
        self.book = LineBook()
        # Members with the same facts share one score (`score_many`) and, outside the bottom of the
        # ranking, one set of result lines (`assess_branch`): their shared columns are worked out once
        # per pair, found again by the identity of the two tuples of lines (held, so that an id is not
        # given to another tuple while the writer is in use) and checked against the very objects.
        self._shared: dict[tuple[int, int], tuple] = {}

    def row(self, filing_id: int, r) -> tuple:
        score = r.score
        done = self._shared.get((id(score.lines), id(r.lines)))
        if done is None or not _same_result(done[0], r):
            ref = self.book.ref
            base = {line.code: str(line.points) for line in score.lines if line.section == "base"}
            refs = ", ".join([str(ref(line)) for line in (*score.lines, *r.lines)])
            shared = _Shared(
                (
                    score.category,
                    score.exempt,
                    json.dumps(base, ensure_ascii=False),
                    score.base,
                    score.bonus,
                    score.deductions,
                    score.total,
                    json.dumps(list(r.results)),
                    f"[{refs}]",
                )
            )
            done = self._shared[id(score.lines), id(r.lines)] = (r, shared)
        return (filing_id, r.member_id, r.rank, r.near_bottom, done[1])


def _same_result(seen, r) -> bool:
    """Whether `r`'s shared columns are those worked out for `seen`: made of the very same objects."""
    return seen.lines is r.lines and seen.results is r.results and seen.score.shares(r.score)


def _write_results(rows) -> None:
    """COPY on PostgreSQL (a committee's ten thousand rows load faster than through INSERT), one
    prepared INSERT run for every row elsewhere."""
    table = connection.ops.quote_name(AnnualResult._meta.db_table)
    columns = ", ".join(RESULT_COLUMNS)
    if connection.vendor == "postgresql":
        _copy_streamed(f"COPY {table} ({columns}) FROM STDIN", rows)  # noqa: S608 — constant names
        return
    marks = ", ".join(["%s"] * len(RESULT_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
            [(*row[:4], *row[4].values) for row in rows],
        )


# Result rows per COPY statement: the last batch is stored and checked after the scoring ends, with
# nothing left to overlap; a statement costs a round trip (~0.2 ms).
COPY_BATCH = 500


def _copy_streamed(copy_sql: str, rows) -> None:
    """The rows in COPY statements of COPY_BATCH rows each, checked at the end of each statement rather
    than all at COMMIT: the member's foreign key (SET CONSTRAINTS ... IMMEDIATE, deferred again after)
    and the filing's triggers (migration points/0009). A statement is ended without waiting for the
    server, which stores and checks that batch on the machine's other core while this process scores
    the next; its outcome is read just before the next batch is sent.

    bench/workflow.py (10,000 results): COMMIT 89 -> 3 ms; the writing beyond the scoring 10 -> 19 ms.
    """
    names = ", ".join(_result_foreign_keys())
    if names:
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
    conn = connection.connection
    statement = copy_sql.encode()
    sent = False  # a COPY whose outcome is still to be read
    try:
        for data in _copy_batches(rows):
            if sent:
                sent = False
                _copy_outcome(conn, copy_sql)
            _copy_send(conn, statement, data)
            sent = True
        if sent:
            sent = False
            _copy_outcome(conn, copy_sql)
    except BaseException:
        if sent:  # the transaction is being undone: the batch's outcome only has to be read
            with contextlib.suppress(Exception):
                _copy_outcome(conn, copy_sql)
        raise
    if names:
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {names} DEFERRED")


def _copy_batches(rows) -> Iterator[bytes]:
    """COPY_BATCH rows at a time as COPY text: each row's own four columns, then its shared ones already
    escaped (`_Shared`)."""
    rows = iter(rows)
    while batch := list(islice(rows, COPY_BATCH)):
        yield "".join(
            [
                f"{filing}\t{member}\t{NULL if rank is None else rank}\t{'t' if near else 'f'}\t{shared.text}\n"
                for filing, member, rank, near, shared in batch
            ]
        ).encode()


def _result_foreign_keys() -> tuple[str, ...]:
    """The result table's foreign-key constraints, quoted, from the catalog (one query, ~0.5 ms; Django's
    introspection takes several). Read at every roll-up: a migration may rename or drop them under a
    running worker."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY 1",
            [AnnualResult._meta.db_table],
        )
        return tuple(connection.ops.quote_name(name) for (name,) in cursor.fetchall())


COPY_WRITE = 1 << 17  # bytes per write into the connection (psycopg's own limit for one COPY write)


def _copy_send(conn, statement: bytes, data: bytes) -> None:
    """Start a COPY, send its rows and end it, without reading the outcome (`_copy_outcome`)."""
    pgconn = conn.pgconn
    with connection.wrap_database_errors, conn.lock:
        pgconn.send_query(statement)
        results = conn.wait(generators.execute(pgconn))
        if len(results) != 1 or results[0].status != pq.ExecStatus.COPY_IN:
            raise psycopg_errors.error_from_result(results[-1], encoding=conn.info.encoding)
        try:
            view = memoryview(data)
            for start in range(0, len(view), COPY_WRITE):
                conn.wait(generators.copy_to(pgconn, view[start : start + COPY_WRITE], flush=False))
            conn.wait(_copy_end_sent(pgconn))
        except BaseException:
            # A COPY left open would refuse the ROLLBACK that undoes the transaction: end it as failed.
            _copy_abort(conn)
            raise


def _copy_abort(conn) -> None:
    pgconn = conn.pgconn
    with contextlib.suppress(Exception):  # fails if the COPY's end had been queued already
        conn.wait(_copy_end_sent(pgconn, b"COPY interrupted"))
    with contextlib.suppress(Exception):
        conn.wait(generators.send(pgconn))
        conn.wait(generators.fetch_many(pgconn))


def _copy_end_sent(pgconn, error: bytes | None = None):
    """psycopg's `copy_end` without its wait for the outcome."""
    while pgconn.put_copy_end(error) == 0:
        while not (yield Wait.W):
            continue
    yield from generators.send(pgconn)


def _copy_outcome(conn, copy_sql: str) -> None:
    """Wait for the COPY sent last and raise its error (a foreign key's, say) as Django's."""
    started = time.monotonic()
    with connection.wrap_database_errors, conn.lock:
        results = conn.wait(generators.fetch_many(conn.pgconn))
        if not results:
            raise psycopg_errors.OperationalError("the server sent no outcome for a COPY")
        if results[0].status != pq.ExecStatus.COMMAND_OK:
            raise psycopg_errors.error_from_result(results[0], encoding=conn.info.encoding)
    if connection.queries_logged:
        connection.queries_log.append({"sql": copy_sql, "time": f"{time.monotonic() - started:.3f}"})


@transaction.atomic
def annual_roll_up_many(*, branches, year: int, actor) -> list[AnnualFiling]:
    """计算年度积分 for several branches at once: the branch's secretary for their own branch, or the higher
    organization for its branches. Every branch must have its four quarters closed; a branch already
    submitted or filed is refused, and then nothing is written for any branch."""
    take_locks(TRANSITIONS)
    with _cyclic_gc_paused():
        return _roll_up_many(list(branches), year, actor)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """A committee's roll-up allocates about a million short-lived, acyclic objects (facts, scores,
    lines); the cyclic collector would walk them over and over for nothing (~15 % of the run).
    Reference counting still frees them; the collector resumes as it was afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _roll_up_many(branches: list, year: int, actor) -> list[AnnualFiling]:
    for branch in branches:
        if not (actor.has_perm("points.manage_quarter", branch) or actor.has_perm("points.oversee", branch)):
            _deny(f"您无权汇总{branch.name}的年度积分。")
    ids = [b.pk for b in branches]
    closed = dict(
        Quarter.objects.filter(branch_id__in=ids, year=year)
        .values("branch_id")
        .annotate(n=Count("id", filter=Q(state=QuarterState.CLOSED)))
        .values_list("branch_id", "n")
    )
    for branch in branches:
        if closed.get(branch.pk, 0) < 4:
            raise ValidationError(
                f"{branch.name}{year}年度还有 {4 - closed.get(branch.pk, 0)} 个季度未完成公示，不能汇总年度积分。"
            )
    filings = {
        # Without their schemes (~3 KB of JSON each), which the roll-up replaces: each is given the one
        # it is rolled up with below.
        f.branch_id: f
        for f in AnnualFiling.objects.select_for_update().filter(branch_id__in=ids, year=year).defer("scheme")
    }
    for branch in branches:
        filing = filings.get(branch.pk)
        if filing and filing.state not in (FilingState.ROLLED_UP, FilingState.RETURNED):
            raise ValidationError(
                f"{branch.name}{year}年度积分已{filing.get_state_display()}，不能重新汇总。"
            )

    facts = branches_facts(branches, year, members=scoring_members(ids))
    schemes = {pk: bf.scheme for pk, bf in facts.items()}
    previous = _previous_bottom(ids, year, schemes)
    # The branches nearly always share one scheme (`schemes` holds it): each is written out once.
    as_dict = {id(scheme): scheme.to_dict() for scheme in schemes.values()}
    stored = {pk: as_dict[id(scheme)] for pk, scheme in schemes.items()}

    # The roll-up is derived from the ledger; until it is submitted it may be recomputed.
    AnnualResult.objects.filter(filing__in=list(filings.values())).delete()
    # The scheme goes in as an expression, which makes Django insert the filings through VALUES instead of
    # UNNEST arrays: psycopg quotes array elements in Python, a tenth of a second for a committee's schemes.
    scheme_field = AnnualFiling._meta.get_field("scheme")
    try:
        with transaction.atomic():
            new = AnnualFiling.objects.bulk_create(
                AnnualFiling(branch=b, year=year, scheme=Value(stored[b.pk], output_field=scheme_field))
                for b in branches
                if b.pk not in filings
            )
    except IntegrityError:  # a branch's first roll-up made meanwhile by another request (filing_unique)
        raise ValidationError(f"{year}年度积分已由他人汇总，请刷新后查看。") from None
    new_ids = {f.pk for f in new}
    transitions = [
        Transition(
            subject_type="filing",
            subject_id=f.pk,
            to_state=FilingState.ROLLED_UP,
            actor=actor,
            reason="汇总年度积分",
        )
        for f in new
    ]
    for filing in new:
        filing.scheme = stored[filing.branch_id]  # the dict rather than the expression
        filings[filing.branch_id] = filing
    again = [filings[b.pk] for b in branches if filings[b.pk].pk not in new_ids]
    # Re-rolled filings: one UPDATE per distinct scheme (nearly always one for the whole committee).
    by_scheme: dict[int, tuple[dict, list[int]]] = {}  # id of a stored scheme -> it and its filings
    for filing in again:
        scheme = stored[filing.branch_id]
        by_scheme.setdefault(id(scheme), (scheme, []))[1].append(filing.pk)
        transitions.append(
            Transition(
                subject_type="filing",
                subject_id=filing.pk,
                from_state=filing.state,
                to_state=FilingState.ROLLED_UP,
                actor=actor,
                reason="重新汇总年度积分",
            )
        )
        filing.state = FilingState.ROLLED_UP
        filing.scheme = scheme
    for scheme, ids_ in by_scheme.values():
        # A filing rolled up again under the same rules already holds both: not rewritten.
        AnnualFiling.objects.filter(pk__in=ids_).exclude(state=FilingState.ROLLED_UP, scheme=scheme).update(
            state=FilingState.ROLLED_UP, scheme=scheme
        )
    Transition.objects.create_many(transitions)

    # Each branch is scored, ranked and written as the rows stream to the database, which stores them
    # (on its own core) while the next branch is scored; a branch the engine refuses undoes it all.
    writer = _RowWriter()
    shared: dict = {}  # branches under the same rules share scores of the same facts, and their results

    def rows():
        for branch in branches:
            bf = facts[branch.pk]
            try:
                scores = score_many(bf.scheme, [bf.facts[m.pk] for m in bf.members], shared=shared)
                assessed = assess_branch(bf.scheme, scores, previous.get(branch.pk, set()), shared=shared)
            except ScoringError as exc:
                raise ValidationError(f"{branch.name}积分计算有误：{exc}") from None
            filing_id = filings[branch.pk].pk
            for r in assessed:
                yield writer.row(filing_id, r)

    _write_results(rows())
    store_lines(writer.book.lines.values())
    return [filings[b.pk] for b in branches]


def annual_roll_up(*, branch, year: int, actor) -> AnnualFiling:
    """计算年度积分 of one branch: sum the four quarters, score, rank and attach clause 五's results."""
    if not actor.has_perm("points.manage_quarter", branch):
        _deny("只有支部书记或副书记可以汇总年度积分。")
    return annual_roll_up_many(branches=[branch], year=year, actor=actor)[0]


def _changed_since_roll_up(filing: AnnualFiling) -> list[str]:
    """Names of the members whose total from today's records differs from the rolled-up one (or who
    joined or left the roll-up): what would make the reported result disagree with the records."""
    bf = branches_facts([filing.branch], filing.year, members=scoring_members([filing.branch_id]))[
        filing.branch_id
    ]
    try:
        scores = score_many(bf.scheme, [bf.facts[m.pk] for m in bf.members])
    except ScoringError as exc:
        raise ValidationError(f"{filing.branch.name}积分计算有误：{exc}") from None
    fresh = {m.pk: s.total for m, s in zip(bf.members, scores, strict=True)}
    stored = dict(filing.results.values_list("member_id", "total"))
    changed = [pk for pk in fresh.keys() | stored.keys() if fresh.get(pk, "-") != stored.get(pk, "-")]
    names = dict(Member.objects.filter(pk__in=changed).order_by("code").values_list("pk", "name"))
    return list(names.values())


@transaction.atomic
def filing_submit(*, filing: AnnualFiling, actor) -> AnnualFiling:
    """报上级党组织: only a roll-up that still agrees with the records (services/filed.py locks them)."""
    take_locks(TRANSITIONS)
    _require(actor, "points.manage_quarter", filing.branch, "只有支部书记或副书记可以报送年度积分。")
    changed = _changed_since_roll_up(filing)
    if changed:
        shown = "、".join(changed[:5]) + (f"等 {len(changed)} 人" if len(changed) > 5 else "")
        raise ValidationError(
            f"汇总后该年度的记录有变动（{shown}的年度积分与汇总结果不一致），请先重新汇总，核对无误后再上报。"
        )
    return _move(
        AnnualFiling,
        filing,
        from_states=[FilingState.ROLLED_UP, FilingState.RETURNED],
        to_state=FilingState.SUBMITTED,
        actor=actor,
        reason="报上级党组织审核备案",
        subject_type="filing",
    )


@transaction.atomic
def filing_review(*, filing: AnnualFiling, actor, approve: bool, remarks: str = "") -> AnnualFiling:
    take_locks(TRANSITIONS)
    _require(actor, "points.oversee", filing.branch, "只有上级党组织可以审核备案。")
    if not approve and not remarks.strip():
        raise ValidationError("退回须写明审核意见。")
    to_state = FilingState.FILED if approve else FilingState.RETURNED
    return _move(
        AnnualFiling,
        filing,
        from_states=FilingState.SUBMITTED,
        to_state=to_state,
        actor=actor,
        reason=remarks or "审核备案",
        subject_type="filing",
        remarks=remarks,
    )


@transaction.atomic
def filing_reopen(*, filing: AnnualFiling, actor, reason: str) -> AnnualFiling:
    """退回 of a filed year: the higher organization withdraws its filing so the branch can correct the
    year's records (services/filed.py) and report it again; the only way back, logged with its reason in
    the transition chain."""
    take_locks(TRANSITIONS)
    _require(actor, "points.oversee", filing.branch, "只有上级党组织可以退回已备案的年度积分。")
    reason = reason.strip()
    if not reason:
        raise ValidationError("退回已备案的年度积分须写明理由。")
    return _move(
        AnnualFiling,
        filing,
        from_states=FilingState.FILED,
        to_state=FilingState.RETURNED,
        actor=actor,
        reason=f"撤销备案，退回重新办理：{reason}",
        subject_type="filing",
        remarks=reason,
    )
