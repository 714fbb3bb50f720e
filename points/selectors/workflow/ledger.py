"""Rows as the ledger pages show them: who recorded each, what a correction replaced."""

from __future__ import annotations

import functools

from django.db.models import QuerySet

from ...models import PointEntry
from .labels import Labels


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


def ledger(entries: QuerySet[PointEntry], labels: Labels) -> list[PointEntry]:
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
