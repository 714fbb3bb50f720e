"""What a member's records count for the scoring engine, read from the records in a fixed number of
grouped queries however many members."""

from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractQuarter

from ..models import Attendance, AttendanceStatus, DuesRecord, DuesStatus, ThoughtReport
from ..models.records import MEETING_KINDS, ORG_LIFE_KINDS, STUDY_HOUR_KINDS
from ..scoring import Attendance as AttendanceFacts
from .quarters import local_midnight, quarter_bounds

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY)
LATE_OR_EARLY = (AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY)
BY_MEMBER_ID = 500  # up to this many members to read from their records, records are read by member id


class Counts(NamedTuple):
    """A member's countable records over some quarters."""

    org_life_required: int = 0
    org_life_attended: int = 0
    org_life_late: int = 0
    org_life_excused: int = 0
    meetings_required: int = 0
    meetings_attended: int = 0
    meetings_late: int = 0
    meetings_excused: int = 0
    study_hours: Decimal = Decimal(0)
    dues_on_time: int = 0
    thought_reports: int = 0

    def __add__(self, other: "Counts") -> "Counts":  # type: ignore[override]
        return Counts(*(a + b for a, b in zip(self, other, strict=True)))

    def attendance(self) -> dict[str, AttendanceFacts]:
        return {
            "org_life": AttendanceFacts(*self[0:4]),
            "meetings": AttendanceFacts(*self[4:8]),
        }


NO_COUNTS = Counts()
TENTH = Decimal("0.1")


def _hours(value) -> Decimal:
    # PostgreSQL sums to a Decimal; SQLite to an int or a float, whose sum of tenths is rounded back
    # (2.3000000000000003 -> 2.3), the hours being tenths.
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value)).quantize(TENTH)
    return Decimal(value or 0)


def record_counts(scope: Q, year: int, first: int, last: int) -> dict[tuple[int, int], Counts]:
    """(member id, quarter) -> what the member's current records of quarters `first`..`last` of `year`
    count, read from the records (three grouped queries). `scope` filters on `member`."""
    # Stays long: a fixed set of queries, each filling its columns of the same rows.
    start, end = quarter_bounds(year, first)[0], quarter_bounds(year, last)[1]
    org, meet, study = (
        Q(session__kind__in=ORG_LIFE_KINDS),
        Q(session__kind__in=MEETING_KINDS),
        Q(session__kind__in=STUDY_HOUR_KINDS),
    )
    attended, late, excused = (
        Q(status__in=ATTENDED),
        Q(status__in=LATE_OR_EARLY),
        Q(status=AttendanceStatus.EXCUSED),
    )
    per_item = {}
    for code, kind in (("org_life", org), ("meetings", meet)):
        per_item.update(
            {
                f"{code}_required": Count("id", filter=kind),
                f"{code}_attended": Count("id", filter=kind & attended),
                f"{code}_late": Count("id", filter=kind & late),
                f"{code}_excused": Count("id", filter=kind & excused),
            }
        )
    attendance = (
        Attendance.objects.filter(
            scope,
            is_current=True,
            session__is_cancelled=False,
            session__starts_at__gte=local_midnight(start),
            session__starts_at__lt=local_midnight(end),
        )
        .annotate(q=ExtractQuarter("session__starts_at"))
        .values("member_id", "q")
        .annotate(**per_item, hours=Sum("session__hours", filter=study & attended))
        .order_by()
    )
    counts: dict[tuple[int, int], Counts] = {}
    for member_id, q, *numbers, hours in attendance.values_list("member_id", "q", *per_item, "hours"):
        counts[member_id, q] = Counts(*numbers, _hours(hours))
    dues = (
        DuesRecord.objects.filter(
            scope,
            year=year,
            month__gte=first * 3 - 2,
            month__lte=last * 3,
            is_current=True,
            status=DuesStatus.ON_TIME,
        )
        .annotate(q=(F("month") + 2) / 3)
        .values("member_id", "q")
        .annotate(n=Count("id"))
        .order_by()
    )
    for member_id, q, n in dues.values_list("member_id", "q", "n"):
        counts[member_id, q] = counts.get((member_id, q), NO_COUNTS)._replace(dues_on_time=n)
    reports = (
        ThoughtReport.objects.filter(scope, is_current=True, received_on__gte=start, received_on__lt=end)
        .annotate(q=ExtractQuarter("received_on"))
        .values("member_id", "q")
        .annotate(n=Count("id"))
        .order_by()
    )
    for member_id, q, n in reports.values_list("member_id", "q", "n"):
        counts[member_id, q] = counts.get((member_id, q), NO_COUNTS)._replace(thought_reports=n)
    return counts


def member_counts(scope: Q, year: int, upto_quarter: int, members) -> dict[int, Counts]:
    """Member id -> what their records of quarters 1..`upto_quarter` of `year` count, for the `members`
    (ids) asked for. `scope` filters on `member`."""
    wanted = set(members)
    counts: dict[int, Counts] = {}
    for (member_id, _quarter), c in record_counts(
        _narrowed(scope, list(wanted)), year, 1, upto_quarter
    ).items():
        if member_id in wanted:
            counts[member_id] = counts.get(member_id, NO_COUNTS) + c
    return counts


def _narrowed(scope: Q, members: list[int]) -> Q:
    """`scope` narrowed to the members by id, unless there are too many to list."""
    return Q(member_id__in=sorted(members)) & scope if len(members) <= BY_MEMBER_ID else scope
