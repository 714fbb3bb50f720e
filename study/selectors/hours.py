"""A member's study hours for the year and the study sessions they missed (the 我的学习 page).

Counted exactly as the scoring facts count them (points.selectors.facts): current attendance rows of
sessions that give study hours (集中学习 and 党课), not cancelled, starting in the year; present, late
and left-early count the session's hours, excused and absent count nothing.
"""

from __future__ import annotations

from decimal import Decimal

from points.models import Attendance, AttendanceStatus
from points.models.records import STUDY_HOUR_KINDS

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY)
MISSED = (AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT)


def study_year(member, year: int) -> tuple[list[Attendance], list[Attendance]]:
    """The member's attended and missed (请假, 缺席: with the reason) study sessions of `year` (in the
    current time zone), newest first, from one query."""
    rows = (
        Attendance.objects.filter(
            member=member,
            is_current=True,
            status__in=ATTENDED + MISSED,
            session__kind__in=STUDY_HOUR_KINDS,
            session__is_cancelled=False,
            session__starts_at__year=year,
        )
        .select_related("session")
        .order_by("-session__starts_at", "-pk")
    )
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
