"""Storing explanation lines once (`ExplanationLine`): the roll-up and the import of past years give the
distinct lines their results refer to, by ids worked out from the lines themselves (`line_id`)."""

from collections.abc import Iterable

from django.db import connection, transaction

from ..models.workflow import AnnualResult, ExplanationLine, LineIdCollision, line_digest, line_id

__all__ = ["LineIdCollision", "prune_lines", "store_lines"]

CHUNK = 2000  # ids looked up per query
# PostgreSQL advisory lock between storing lines (shared) and pruning them (exclusive): a line found
# stored is not pruned before the results that now point at it are committed.
LINES_LOCK = 0x6A6966656E6C6E  # "jifenln"


def store_lines(lines: Iterable[list]) -> list[int]:
    """Store the lines not stored yet and return each one's id, in order. Safe against another
    transaction storing the same line at the same time; refuses (LineIdCollision) a line whose id is
    taken by a different line, so a result never shows a line it was not given."""
    lines = list(lines)
    _lock("pg_advisory_xact_lock_shared")
    digests = [line_digest(line) for line in lines]
    ids = [line_id(digest) for digest in digests]
    wanted: dict[int, tuple[str, list]] = {}
    for i, digest, line in zip(ids, digests, lines, strict=True):
        known = wanted.setdefault(i, (digest, line))
        if known[0] != digest:
            raise LineIdCollision(f"explanation line {i}: {known[1]} and {line}")
    stored = _digests(list(wanted))
    missing = [i for i in wanted if i not in stored]
    if missing:
        ExplanationLine.objects.bulk_create(
            [ExplanationLine(id=i, digest=wanted[i][0], line=wanted[i][1]) for i in missing],
            ignore_conflicts=True,
        )
        stored.update(_digests(missing))
    for i, (digest, _line) in wanted.items():
        if stored.get(i) != digest:
            raise LineIdCollision(f"explanation line {i}: stored {stored.get(i)}, given {digest}")
    return ids


def _digests(ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(ids), CHUNK):
        found.update(
            ExplanationLine.objects.filter(pk__in=ids[start : start + CHUNK]).values_list("pk", "digest")
        )
    return found


@transaction.atomic
def prune_lines() -> int:
    """Delete the lines no result points at any more (a roll-up done again, or corrected, leaves its
    old lines behind, and a note may name a person); returns how many. Reads every result's ids."""
    _lock("pg_advisory_xact_lock")
    used: set[int] = set()
    for refs in AnnualResult.objects.values_list("line_refs", flat=True).iterator(chunk_size=5000):
        used.update(refs)
    unused = [
        i
        for i in ExplanationLine.objects.values_list("pk", flat=True).iterator(chunk_size=5000)
        if i not in used
    ]
    for start in range(0, len(unused), CHUNK):
        ExplanationLine.objects.filter(pk__in=unused[start : start + CHUNK]).delete()
    return len(unused)


def _lock(function: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s)", [LINES_LOCK])  # noqa: S608 — two constant names
