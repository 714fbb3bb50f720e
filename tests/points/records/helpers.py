"""Helpers for the daily-records tests: a fixed past day, quarters locked as the workflow would lock
them, and a clock passed to the services instead of mocking our code."""

import datetime

from django.utils import timezone

from points.models import AttendanceStatus, Quarter, QuarterState
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


def add_members(branch, n: int, **extra):
    return [make_member(branch, **extra) for _ in range(n)]


def all_present(members) -> dict[int, tuple[str, str]]:
    return {m.pk: (AttendanceStatus.PRESENT, "") for m in members}


def record(session, entries, actor, **kwargs):
    kwargs.setdefault("now", AFTER)
    return attendance_record(session=session, entries=entries, actor=actor, **kwargs)
