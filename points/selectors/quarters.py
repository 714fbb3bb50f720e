import datetime

from ..models import Quarter, QuarterState


def quarter_number(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_of(branch, day: datetime.date) -> Quarter | None:
    return Quarter.objects.filter(branch=branch, year=day.year, number=quarter_number(day)).first()


def records_locked(branch, day: datetime.date) -> bool:
    """Records of a quarter are editable until the quarter goes to review (issue 4 §1)."""
    quarter = quarter_of(branch, day)
    return quarter is not None and quarter.state != QuarterState.OPEN
