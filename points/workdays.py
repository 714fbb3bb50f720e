"""Working days (工作日) as Chinese offices count them: the State Council's holidays are days off and the
weekend days worked in exchange (调休上班) are working days. The publicity period is counted in them."""

import datetime

import chinese_calendar
from django.conf import settings


def is_working_day(day: datetime.date) -> bool:
    if day in settings.EXTRA_HOLIDAYS:
        return False
    if day in settings.EXTRA_WORKDAYS:
        return True
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # A year the package has no schedule for (not announced when it was released).
        return day.weekday() < 5


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The `days`-th working day after `start` (the start day itself is not counted)."""
    day = start
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day
