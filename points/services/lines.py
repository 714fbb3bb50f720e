"""Storing explanation lines once (`ExplanationLine`): the roll-up and the import of past years give their
distinct lines and get back the ids that results keep."""

from ..models.workflow import ExplanationLine, line_digest

CHUNK = 2000  # digests looked up per query


def store_lines(lines: list[list]) -> list[int]:
    """The `ExplanationLine` id of each stored line given (in order), adding the ones not stored yet.
    Safe against another transaction adding the same line at the same time (the digest is unique)."""
    digests = [line_digest(line) for line in lines]
    known = _ids(digests)
    missing = {d: line for d, line in zip(digests, lines, strict=True) if d not in known}
    if missing:
        ExplanationLine.objects.bulk_create(
            [ExplanationLine(digest=d, line=line) for d, line in missing.items()], ignore_conflicts=True
        )
        known.update(_ids(list(missing)))
    return [known[d] for d in digests]


def _ids(digests: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(digests), CHUNK):
        found.update(
            ExplanationLine.objects.filter(digest__in=digests[start : start + CHUNK]).values_list(
                "digest", "pk"
            )
        )
    return found
