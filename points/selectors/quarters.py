import datetime

from django.utils import timezone

from ..models import Quarter, QuarterState


def quarter_number(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """First day of the quarter and first day after it."""
    start = datetime.date(year, quarter * 3 - 2, 1)
    end = datetime.date(year + 1, 1, 1) if quarter == 4 else datetime.date(year, quarter * 3 + 1, 1)
    return start, end


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The instant the day starts in the app's time zone, to compare with stored datetimes."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())


def quarter_of(branch, day: datetime.date) -> Quarter | None:
    return Quarter.objects.filter(branch=branch, year=day.year, number=quarter_number(day)).first()


def records_locked(branch, day: datetime.date) -> bool:
    """Records of a quarter are editable until the quarter goes to review (issue 4 §1)."""
    quarter = quarter_of(branch, day)
    return quarter is not None and quarter.state != QuarterState.OPEN
