"""Helpers for the daily-records tests: a fixed past day, quarters locked as the workflow would lock
them, and a clock passed to the services instead of mocking our code."""

import datetime

import pytest
from django.db import connection, transaction
from django.utils import timezone

from points.models import AttendanceStatus, Quarter, QuarterState
from points.services import workflow
from points.services.records import attendance_record
from tests.factories import make_member

# A past working day, so recording is allowed and nothing depends on today's date.
DAY = datetime.date(2025, 3, 10)


def at(day: datetime.date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute, second))


START = at(DAY, 14)
AFTER = at(DAY, 18)  # "now" when recording that day's session


def lock(branch, day: datetime.date, state: str = QuarterState.IN_REVIEW) -> Quarter:
    """Move the quarter of `day` past OPEN: its records become corrections."""
    quarter, _ = Quarter.objects.update_or_create(
        branch=branch, year=day.year, number=(day.month - 1) // 3 + 1, defaults={"state": state}
    )
    return quarter


def open_quarter(cast, day: datetime.date = DAY) -> Quarter:
    """The quarter of `day` of branch 1, opened by its secretary as the workflow opens it."""
    number = (day.month - 1) // 3 + 1
    return workflow.quarter_open(branch=cast.b1, year=day.year, number=number, actor=cast.secretary.user)


def year_end_quarters(cast) -> dict[str, Quarter]:
    """Branch 1's last quarter of the year before DAY's and the first of DAY's, both open: where a record
    moved across the year end comes "from" and goes "into". Made directly, as the workflow opens a
    quarter only once the one before it has closed."""
    return {
        "from": Quarter.objects.create(branch=cast.b1, year=DAY.year - 1, number=4),
        "into": Quarter.objects.create(branch=cast.b1, year=DAY.year, number=1),
    }


def add_members(branch, n: int, **extra):
    return [make_member(branch, **extra) for _ in range(n)]


def all_present(members) -> dict[int, tuple[str, str]]:
    return {m.pk: (AttendanceStatus.PRESENT, "") for m in members}


def record(session, entries, actor, **kwargs):
    kwargs.setdefault("now", AFTER)
    return attendance_record(session=session, entries=entries, actor=actor, **kwargs)


def postgres_row_locks(test):
    """A test of row locks: PostgreSQL only (SQLite has none), in transactions that really commit."""
    test = pytest.mark.django_db(transaction=True)(test)
    return pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks")(test)


def assert_holds_quarter(quarter: Quarter, save) -> None:
    """PostgreSQL: while `save()`'s transaction is open, sending `quarter` to review (the UPDATE of its row
    that `quarter_start_review` runs, from a second connection) must wait for it; once it commits, the
    UPDATE goes through."""
    import psycopg

    from tests.pg import other_connection

    move = "UPDATE points_quarter SET state = %s WHERE id = %s"
    other = other_connection(options="-c lock_timeout=200")
    try:
        with transaction.atomic():
            save()
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute(move, [QuarterState.IN_REVIEW, quarter.pk])
            other.rollback()
        assert other.execute(move, [QuarterState.IN_REVIEW, quarter.pk]).rowcount == 1
        other.rollback()
    finally:
        other.close()
