"""A member's study hours for the year and the study sessions they missed (the 我的学习 page).

Counted exactly as the scoring facts count them (points.selectors.facts): current attendance rows of
sessions that give study hours (集中学习 and 党课), not cancelled, starting in the year; present, late
and left-early count the session's hours, excused and absent count nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from config.prepared import prepared
from points.models import Attendance, AttendanceStatus
from points.models.records import STUDY_HOUR_KINDS
from points.selectors.quarters import local_year

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY)
MISSED = (AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT)


@prepared(member_id=int, since=datetime.datetime, until=datetime.datetime)
def _study_attendance(member_id, since, until):
    """The member's current attended and missed rows of study sessions starting in [since, until), with
    their session (compiled once: config/prepared.py)."""
    return (
        Attendance.objects.filter(
            member_id=member_id,
            is_current=True,
            status__in=ATTENDED + MISSED,
            session__kind__in=STUDY_HOUR_KINDS,
            session__is_cancelled=False,
            session__starts_at__gte=since,
            session__starts_at__lt=until,
        )
        .select_related("session")
        .order_by()
    )


def study_year(member, year: int) -> tuple[list[Attendance], list[Attendance]]:
    """The member's attended and missed (请假, 缺席: with the reason) study sessions of `year` (in the
    current time zone), newest first, from one query; sorted here rather than in SQL, which would make
    Django compare every selected column with the ordering."""
    since, until = local_year(year)
    rows = _study_attendance(member_id=member.pk, since=since, until=until)
    rows.sort(key=lambda a: (a.session.starts_at, a.pk), reverse=True)
    return [a for a in rows if a.status in ATTENDED], [a for a in rows if a.status in MISSED]


def hours_attended(attended) -> Decimal:
    """The hours of the attended rows of `study_year` (a page that lists them adds them up without a
    query)."""
    return sum((a.session.hours for a in attended), Decimal("0.0"))


def target_hours(member, year: int) -> Decimal:
    """The yearly study-hours target of the scheme that scores `member` (32 under the guideline)."""
    from points.selectors.facts import scheme_for

    scheme = scheme_for(member.branch, year)
    for item in scheme.base_items:
        if item.method == "study_hours":
            return Decimal(item.params["target_hours"])
    return Decimal(32)
