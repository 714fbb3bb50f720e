"""The one lock order of every service (docs/concurrency.md).

Each audit-chained table has one installation-wide lock (points/audit.py). A service that appends to
more than one chain takes every chain lock it needs here, at the start of its transaction, before any
write: then two services never hold locks the other one waits for. The order: the ledger, the transition log, the exemption log, then
row locks (the rows the service changes).
"""

import zlib

from django.db import connection

LEDGER = "points.PointEntry"
TRANSITIONS = "points.Transition"
EXEMPTIONS = "members.ExemptionTransition"
ORDER = (LEDGER, TRANSITIONS, EXEMPTIONS)


def chain_key(label: str) -> int:
    """The PostgreSQL advisory lock key of one chain."""
    return zlib.crc32(f"audit-chain:{label}".encode())


def take_locks(*chains: str) -> None:
    """Take the chains' locks, always in ORDER, until the transaction ends. Taking one already held is
    harmless (the lock is re-entrant); SQLite has a single writer and needs none."""
    if not connection.in_atomic_block:
        raise RuntimeError("take_locks() must be called inside a transaction")
    unknown = set(chains) - set(ORDER)
    if unknown:
        raise ValueError(f"unknown chain: {sorted(unknown)}")
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for label in ORDER:
            if label in chains:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [chain_key(label)])
