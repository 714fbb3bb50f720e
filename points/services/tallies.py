"""Storing a closed quarter's tallies (`QuarterTally`): what each member's records of the quarter count,
so that later year-to-date facts and the annual roll-up read one row per member, not every record."""

from django.db import connection, transaction
from django.db.models import Q

from members.models import Member, MemberStatus

from ..models import QuarterTally
from ..selectors.counts import BY_MEMBER_ID, NO_COUNTS, year_counts
from ..selectors.quarters import local_midnight, quarter_bounds


@transaction.atomic
def store_tallies(branch_ids, year: int, quarter: int) -> int:
    """Store (or replace) the tallies of quarter `quarter` of `year` for every active member of the
    branches: what their current records of the year up to that quarter count. Returns how many were
    stored. Used when a quarter closes."""
    branch_ids = sorted(branch_ids)
    if connection.vendor == "postgresql":
        # A record written while the tallies are counted would delete (through its trigger) a tally not
        # yet committed, leaving one that misses it: records wait until the tallies are stored. (Their
        # triggers take the table lock before reading, so under READ COMMITTED, the app's level, they
        # see and delete a tally committed meanwhile.)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {QuarterTally._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    members = list(
        Member.objects.filter(branch_id__in=branch_ids, status=MemberStatus.ACTIVE).values_list(
            "id", flat=True
        )
    )
    # Counted by member id, not by branch: a member transferred out between the two queries keeps
    # their records (they follow the member), and is not given a tally of zeros.
    counts = {}
    for start in range(0, len(members), BY_MEMBER_ID):
        counts.update(year_counts(Q(member_id__in=members[start : start + BY_MEMBER_ID]), year, quarter))
    starts_at, ends_at = (
        local_midnight(quarter_bounds(year, 1)[0]),
        local_midnight(quarter_bounds(year, quarter)[1]),
    )
    QuarterTally.objects.filter(member_id__in=members, year=year, quarter=quarter).delete()
    QuarterTally.objects.bulk_create(
        QuarterTally(
            member_id=member_id,
            year=year,
            quarter=quarter,
            starts_at=starts_at,
            ends_at=ends_at,
            **counts.get(member_id, NO_COUNTS)._asdict(),
        )
        for member_id in members
    )
    return len(members)
