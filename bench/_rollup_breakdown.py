"""Where the workflow bench's (recomputing) annual roll-up spends its time. Imported after `django.setup()`."""

import collections
import time

from django.db import connection
from django.db.models import QuerySet

from points.audit import AppendOnlyManager
from points.services.workflow import annual

# Each step of the roll-up, timed by wrapping the function the roll-up calls by this name.
STEPS = {
    "facts (records read and turned into facts)": "branches_facts",
    "scoring": "score_many",
    "ranking and clause 5": "assess_branch",
    "building result rows": "_result",
}


def breakdown(roll_up, base_ms: float) -> str:
    """Each step timed by wrapping it, SQL by a wrapper on the connection. Printed so the ratio the bench
    prints can be read against what it is made of."""
    spent: collections.Counter = collections.Counter()
    sql = [0.0]

    def timed_step(name, fn):
        def wrapper(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                spent[name] += time.perf_counter() - t

        return wrapper

    def sql_timer(execute, query, params, many, context):
        t = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql[0] += time.perf_counter() - t

    saved = {attr: getattr(annual, attr) for attr in STEPS.values()}
    # Parts of what would otherwise be only "the rest", each timed by wrapping it in the same run.
    saved_delete, saved_many, saved_bulk = (
        QuerySet.delete,
        AppendOnlyManager.create_many,
        QuerySet.bulk_create,
    )
    try:
        for label, attr in STEPS.items():
            setattr(annual, attr, timed_step(label, saved[attr]))
        QuerySet.bulk_create = timed_step("bulk_create (results, filings)", saved_bulk)
        QuerySet.delete = timed_step("deleting the old results", saved_delete)
        AppendOnlyManager.create_many = timed_step("transitions (audit chain)", saved_many)
        connection.commit = timed_step("commit", connection.commit)
        t0 = time.perf_counter()
        with connection.execute_wrapper(sql_timer):
            roll_up()
        total = time.perf_counter() - t0
    finally:
        for attr, fn in saved.items():
            setattr(annual, attr, fn)
        QuerySet.delete, AppendOnlyManager.create_many = saved_delete, saved_many
        QuerySet.bulk_create = saved_bulk
        del connection.commit  # the instance attribute set above: the class's method again
    parts = [
        f"  {label}: {seconds * 1000:.0f} ms ({seconds * 1000 / base_ms:.2f}x)"
        for label, seconds in spent.items()
    ]
    rest = total - sum(spent.values())
    return "\n".join(
        [
            f"where a recomputing roll-up's {total * 1000:.0f} ms go (all SQL statements together: "
            f"{sql[0] * 1000:.0f} ms = {sql[0] * 1000 / base_ms:.2f}x):",
            *parts,
            f"  the rest (permissions, quarters, locking and writing the filings): {rest * 1000:.0f} ms",
        ]
    )
