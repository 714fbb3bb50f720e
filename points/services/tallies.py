"""Storing a closed quarter's tallies (`QuarterTally`): what each member's records of the quarter count,
so that later year-to-date facts and the annual roll-up read one row per member, not every record."""

import logging

from django.db import OperationalError, connection, transaction
from django.db.models import Q

from members.models import Member, MemberStatus

from ..models import QuarterTally
from ..selectors.counts import BY_MEMBER_ID, NO_COUNTS, year_counts
from ..selectors.quarters import local_midnight, quarter_bounds

logger = logging.getLogger(__name__)

# How long closing a quarter waits for the tally table. While it waits in PostgreSQL's lock queue every
# record write of every branch waits behind it, so a long transaction holding the table (a big import)
# must not stall the whole app: the quarter then closes without its tallies, which only cost speed
# (the records are counted instead) until `manage.py store_tallies` stores them.
LOCK_WAIT_SECONDS = 2.0


def _lock_tally_table(wait: float | None) -> bool:
    """Lock the tally table against concurrent record writes (PostgreSQL); False if it could not be had
    within `wait` seconds. With `wait` None it waits as the connection's own lock_timeout lets it, and a
    refusal then is an error, not a skip."""
    table = QuarterTally._meta.db_table
    try:
        # In a savepoint, so that a refused lock leaves the caller's transaction usable. The rollback to
        # it undoes the SET LOCAL too; a granted lock keeps it (a released savepoint does), so the
        # caller's own setting is put back.
        with transaction.atomic(), connection.cursor() as cursor:
            if wait is None:
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
                return True
            cursor.execute("SELECT current_setting('lock_timeout')")
            (before,) = cursor.fetchone()
            cursor.execute(f"SET LOCAL lock_timeout = {max(1, round(wait * 1000))}")
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [before])
    except OperationalError as exc:
        if wait is None or getattr(exc.__cause__, "sqlstate", None) != "55P03":  # lock_not_available
            raise
        return False
    return True


@transaction.atomic
def store_tallies(branch_ids, year: int, quarter: int, *, lock_wait: float | None = LOCK_WAIT_SECONDS) -> int:
    """Store (or replace) the tallies of quarter `quarter` of `year` for every active member of the
    branches: what their current records of the year up to that quarter count. Returns how many were
    stored: none when the tally table could not be locked within `lock_wait` seconds (logged). Used when
    a quarter closes."""
    branch_ids = sorted(branch_ids)
    # A record written while the tallies are counted would delete (through its trigger) a tally not yet
    # committed, leaving one that misses it: records wait until the tallies are stored. (Their triggers
    # take the table lock before reading, so under READ COMMITTED, the app's level, they see and delete a
    # tally committed meanwhile.)
    if connection.vendor == "postgresql" and not _lock_tally_table(lock_wait):
        logger.warning(
            "tallies of %s Q%s for branches %s not stored: the tally table stayed locked for %s s; "
            "run manage.py store_tallies later",
            year,
            quarter,
            branch_ids,
            lock_wait,
        )
        return 0
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
