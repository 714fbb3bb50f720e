import datetime

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from ..models import AnnualFiling, FilingState, Quarter, QuarterState


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


def year_quarter_rows(branch_id: int, year: int) -> QuerySet[Quarter]:
    """A branch's quarters of a year, in the order they were opened."""
    return Quarter.objects.filter(branch_id=branch_id, year=year).order_by("pk")


def locked_quarters(branch, year: int, *, hold: bool = False) -> set[int]:
    """Numbers of the quarters of `year` whose records are locked: gone to review (issue 4 §1).

    A save passes `hold=True`, inside its transaction and after any row locks of its own: the year's
    quarter rows are then read FOR SHARE, so sending a quarter to review (an UPDATE of its row) waits
    until the save commits, and the save never edits in place a record whose quarter was locked after it
    looked. Django has no FOR SHARE (`select_for_update(no_key=True)` is FOR NO KEY UPDATE, which would
    also make the branch's concurrent saves wait for each other), hence the query's own SQL with it
    appended. SQLite has no row locks and lets one writer in at a time: there it is the plain read.
    """
    if hold and connection.vendor == "postgresql":
        query = year_quarter_rows(branch.pk, year).values_list("number", "state")
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} FOR SHARE", params)
            rows = cursor.fetchall()
    else:
        rows = year_quarter_rows(branch.pk, year).values_list("number", "state")
    # Open quarters are read (and held) too: they are the ones a transition would lock.
    return {number for number, state in rows if state != QuarterState.OPEN}


def records_locked(branch, day: datetime.date, *, hold: bool = False) -> bool:
    """Records of a quarter are editable until the quarter goes to review (issue 4 §1)."""
    return quarter_number(day) in locked_quarters(branch, day.year, hold=hold)


# A year gone to the higher organization is final (services/filed.py).
FINAL_STATES = (FilingState.SUBMITTED, FilingState.FILED)


def final_filing(branch_id: int, years) -> AnnualFiling | None:
    """The branch's filing of one of `years` that is with (or filed by) the higher organization."""
    return (
        AnnualFiling.objects.filter(branch_id=branch_id, year__in=set(years), state__in=FINAL_STATES)
        .select_related("branch")
        .order_by("year")
        .first()
    )


def final_text(filing: AnnualFiling) -> str:
    if filing.state == FilingState.FILED:
        done = "已经上级党组织审核备案"
    else:
        done = "已报上级党组织审核备案"
    return (
        f"{filing.branch.name}{filing.year}年度积分{done}，该年度的记录已锁定，不能再修改。"
        "如确需更正，须由上级党组织退回后办理。"
    )


def final_notice(branch_id: int, year: int) -> str:
    """What a records page of a final year says instead of offering to save ("" while the year is open)."""
    filing = final_filing(branch_id, [year])
    return final_text(filing) if filing is not None else ""
