"""审计链: ledger entries and workflow transitions are sealed into hash chains as they are created.

Each chained row stores `chain_prev` (the hash of the row created before it in the same table) and
`chain_hash` = sha256 of a canonical JSON of its own content and `chain_prev`. A row changed or removed
outside the app (raw SQL, a hand-edited backup) breaks its table's chain at that point, and
`manage.py verify_audit` names the first broken row.

The hash is unkeyed: someone who can write the database and knows this algorithm could recompute a
chain from the tampered row onwards, and removing the newest rows leaves no trace inside the table.
The anchor against both is each chain's head (row count and newest hash) recorded outside the database
with every backup, which verify_audit compares against (points/audit_heads.py, docs/security.md).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import connections, models, router, transaction

from .locks import chain_key

GENESIS = ""
SEAL_BATCH = 1000  # rows sealed per UPDATE (3 parameters each)

# The fields each chain covers, written out once: adding a field to a model later must not change the
# hashes of rows sealed before it existed. Left out on purpose: PointEntry.is_current, which the
# correcting service flips (the ledger's one legitimate change to an existing row).
CHAINED_FIELDS: dict[str, tuple[str, ...]] = {
    "points.PointEntry": (
        "id",
        "quarter_id",
        "member_id",
        "entry_type",
        "kind",
        "value",
        "level",
        "content_key",
        "own_duty",
        "measure",
        "occurred_on",
        "reason",
        "declaration_id",
        "corrects_id",
        "created_by_id",
        "created_at",
    ),
    "points.Transition": (
        "id",
        "subject_type",
        "subject_id",
        "from_state",
        "to_state",
        "actor_id",
        "at",
        "reason",
    ),
    "members.ExemptionTransition": (
        "id",
        "exemption_id",
        "actor_id",
        "at",
        "from_state",
        "to_state",
        "reason",
    ),
}
# Fields knowingly outside the hash (tests/security/test_audit_chain.py checks every field is in one list).
UNCHAINED_FIELDS: dict[str, tuple[str, ...]] = {
    "points.PointEntry": ("is_current", "chain_prev", "chain_hash"),
    "points.Transition": ("chain_prev", "chain_hash"),
    "members.ExemptionTransition": ("chain_prev", "chain_hash"),
}


def _canonical(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # 5, 5.0 and 5.00 are one amount: SQLite and PostgreSQL may hand back different scales.
        return format(value.normalize(), "f")
    return value


def row_hash(label: str, row: dict, prev: str) -> str:
    payload = {
        "model": label,
        "prev": prev,
        "row": {name: _canonical(row[name]) for name in CHAINED_FIELDS[label]},
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AppendOnlyManager(models.Manager):
    def create_many(self, objs) -> list:
        """Create and seal many rows under one lock: one insert, one read, one update, however many.

        For batch steps (a committee's roll-up, an import) where one create() per row would cost six
        queries a row. The rows are sealed in id order, exactly as one create() each would seal them.
        """
        objs = list(objs)
        if not objs:
            return objs
        with _appending(self.model):
            created = self.model._base_manager.using(self.db).bulk_create(objs)
            seal_many(self.model, [o.pk for o in created], using=self.db)
        return created

    def bulk_create(self, *args, **kwargs):
        # bulk_create skips save(), so its rows would never be sealed and verify_audit would flag them.
        raise TypeError(
            f"{self.model._meta.label} 的记录须逐条 create()，以便写入审计链（points/audit.py）；不能 bulk_create。"
        )


@contextmanager
def _appending(model) -> Iterator[None]:
    """One writer per chain at a time. On PostgreSQL a transaction-scoped advisory lock: locking the
    newest row with SELECT … FOR UPDATE would not do, since a waiting transaction is handed that same
    row after the first commits and would fork the chain. SQLite has a single writer anyway.
    Services take this lock earlier, with the others they need, in one order (points/locks.py); here
    it is taken again (a no-op) or, for a service writing one chain only, for the first time."""
    using = router.db_for_write(model)
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [chain_key(model._meta.label)])
        yield


def seal(obj) -> None:
    """Hash a just-inserted row as the database holds it, chained to the row before it."""
    model = type(obj)
    label = model._meta.label
    rows = model._base_manager.using(obj._state.db)
    prev = rows.filter(pk__lt=obj.pk).order_by("-pk").values_list("chain_hash", flat=True).first() or GENESIS
    stored = rows.filter(pk=obj.pk).values(*CHAINED_FIELDS[label]).get()
    digest = row_hash(label, stored, prev)
    rows.filter(pk=obj.pk).update(chain_prev=prev, chain_hash=digest)
    obj.chain_prev, obj.chain_hash = prev, digest


def seal_many(model, pks, using: str = "default") -> None:
    """Seal just-inserted rows (ids ascending, all newer than every sealed row) as one chain segment."""
    label = model._meta.label
    rows = model._base_manager.using(using)
    pks = sorted(pks)
    prev = rows.filter(pk__lt=pks[0]).order_by("-pk").values_list("chain_hash", flat=True).first() or GENESIS
    stored = {r["id"]: r for r in rows.filter(pk__in=pks).values(*CHAINED_FIELDS[label])}
    sealed = []
    for pk in pks:
        digest = row_hash(label, stored[pk], prev)
        sealed.append((prev, digest, pk))
        prev = digest
    # One UPDATE from a VALUES list per SEAL_BATCH rows: bulk_update's CASE expressions cost more to
    # build in Python than the update itself, and one statement per row (a roll-up's 167 filings) cost
    # a round trip each. VALUES columns are column1.. on both PostgreSQL and SQLite.
    table = connections[using].ops.quote_name(model._meta.db_table)
    with connections[using].cursor() as cursor:
        for start in range(0, len(sealed), SEAL_BATCH):
            batch = sealed[start : start + SEAL_BATCH]
            values = ", ".join(["(%s, %s, %s)"] * len(batch))
            cursor.execute(
                f"UPDATE {table} SET chain_prev = v.column1, chain_hash = v.column2 "  # noqa: S608 — model's table
                f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column3",
                [value for row in batch for value in row],
            )


class AuditChained(models.Model):
    """A row that is only ever created, and sealed into its table's audit chain when it is."""

    chain_prev = models.CharField(max_length=64, blank=True, default="", editable=False)
    chain_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = AppendOnlyManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # The one place these rows are written, whichever service creates them: an explicit seal at
        # insert time (not a signal), under the chain's lock so concurrent inserts cannot fork it.
        if not self._state.adding:
            return super().save(*args, **kwargs)
        with _appending(type(self)):
            super().save(*args, **kwargs)
            seal(self)


def seal_existing(model, label: str) -> int:
    """(Re)seal every row of a table in id order: for the migration that introduced the chain."""
    prev = GENESIS
    count = 0
    fields = CHAINED_FIELDS[label]
    for row in model._base_manager.order_by("pk").values(*fields).iterator(chunk_size=2000):
        digest = row_hash(label, row, prev)
        model._base_manager.filter(pk=row["id"]).update(chain_prev=prev, chain_hash=digest)
        prev = digest
        count += 1
    return count


@dataclass
class ChainReport:
    label: str
    rows: int
    head: str
    broken_at: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(model, using: str = "default") -> ChainReport:
    """Walk one table's chain in id order and stop at the first row that does not fit."""
    label = model._meta.label
    fields = CHAINED_FIELDS[label]
    prev = GENESIS
    count = 0
    rows = model._base_manager.using(using).order_by("pk").values(*fields, "chain_prev", "chain_hash")
    for row in rows.iterator(chunk_size=2000):
        count += 1
        if not row["chain_hash"]:
            return ChainReport(label, count, prev, row["id"], "该行未写入审计链（未经应用写入）")
        if row_hash(label, row, row["chain_prev"]) != row["chain_hash"]:
            return ChainReport(label, count, prev, row["id"], "该行内容在应用之外被修改")
        if row["chain_prev"] != prev:
            return ChainReport(label, count, prev, row["id"], "该行之前的记录被删除或替换")
        prev = row["chain_hash"]
    return ChainReport(label, count, prev)


def chained_models():
    from django.apps import apps

    return [apps.get_model(label) for label in CHAINED_FIELDS]
