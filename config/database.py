"""Database connections after a schema change: prepared statements (settings: DB_PREPARE_THRESHOLD) made
stale by a migration or a restore under running workers."""

import logging
import sys

from django.db import NotSupportedError, connections

logger = logging.getLogger(__name__)

# PostgreSQL's refusal of a plan prepared before a column it reads changed type (feature_not_supported).
STALE_PLAN_SQLSTATE = "0A000"
STALE_PLAN_TEXT = "cached plan must not change result type"


def is_stale_plan(exc: BaseException | None) -> bool:
    cause = getattr(exc, "__cause__", None)
    return (
        isinstance(exc, NotSupportedError)
        and getattr(cause, "sqlstate", None) == STALE_PLAN_SQLSTATE
        and STALE_PLAN_TEXT in str(cause)
    )


def close_on_stale_plan(sender, request=None, **kwargs) -> None:
    """`got_request_exception` receiver. PostgreSQL refuses such a statement on every run, psycopg keeps
    it (it forgets its statements only after a rollback or a DROP/ALTER of its own) and Django still
    finds the connection usable, so the same page would fail on that worker until the connection's age
    ran out. The request that met it has failed; the connection is closed, so the next one starts
    afresh. Django sends the signal from inside its `except` block, hence sys.exc_info()."""
    if not is_stale_plan(sys.exc_info()[1]):
        return
    logger.warning("prepared statements out of date after a schema change: reconnecting")
    for conn in connections.all(initialized_only=True):
        conn.close()
