"""Closed quarters' tallies: stored when a quarter closes, forgotten by the database whenever a record they
counted changes, and never the reason a member's facts differ from what their records say."""

import contextlib
import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import MemberStatus
from points.models import (
    Attendance,
    AttendanceStatus,
    DuesRecord,
    DuesStatus,
    QuarterTally,
    Session,
    SessionKind,
    ThoughtReport,
)
from points.models.workflow import stored_line
from points.scoring import score_many
from points.selectors.facts import branch_facts, branches_facts
from points.services import workflow
from points.services.tallies import store_tallies
from tests.factories import record_session

from .workflow.conftest import TZ, YEAR, full_year_records, run_quarter

RECORD_TABLES = ('"points_attendance"', '"points_duesrecord"', '"points_thoughtreport"')


def _close_year(cast, upto=4):
    for n in range(1, upto + 1):
        q = workflow.quarter_open(branch=cast.b1, year=YEAR, number=n, actor=cast.secretary.user)
        run_quarter(cast, q)


def _varied_records(cast):
    """Three members with different years: perfect, absent all year, late and on leave in places."""
    full_year_records(cast, cast.member.member)
    full_year_records(cast, cast.committee_member.member, attended=False, study_hours=12)
    person = cast.recorder.member
    for month, status in (
        (2, AttendanceStatus.LATE),
        (5, AttendanceStatus.EXCUSED),
        (11, AttendanceStatus.LEFT_EARLY),
    ):
        s = record_session(
            cast.b1, datetime.date(YEAR, month, 14), kind=SessionKind.WORK_MEETING, title="支委会"
        )
        Attendance.objects.create(
            session=s, member=person, status=status, reason="出差" if month == 5 else ""
        )
    DuesRecord.objects.create(member=person, year=YEAR, month=4, status=DuesStatus.LATE)
    DuesRecord.objects.create(member=person, year=YEAR, month=7, status=DuesStatus.ON_TIME)


def _tally(member, quarter):
    return QuarterTally.objects.filter(member=member, year=YEAR, quarter=quarter).first()


def _from_records(cast, **kwargs):
    """The facts as the records alone give them (every tally put aside, then put back)."""
    saved = list(QuarterTally.objects.all())
    QuarterTally.objects.all().delete()
    try:
        return branch_facts(cast.b1, YEAR, **kwargs)
    finally:
        QuarterTally.objects.bulk_create(saved)


@contextlib.contextmanager
def _tally_table_held():
    """Another connection holds the tally table, as a long import's record writes would, until the block
    ends (PostgreSQL)."""
    import threading

    from django.db import connections, transaction

    locked, release = threading.Event(), threading.Event()

    def hold_the_table():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("LOCK TABLE points_quartertally IN ROW EXCLUSIVE MODE")
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_table)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        yield
    finally:
        release.set()
        holder.join(timeout=30)


def test_closing_a_quarter_stores_a_tally_for_every_active_member_of_the_branch(cast):
    full_year_records(cast, cast.member.member)
    _close_year(cast, upto=1)
    active = set(cast.b1.members.filter(status=MemberStatus.ACTIVE).values_list("pk", flat=True))
    assert (
        set(QuarterTally.objects.filter(year=YEAR, quarter=1).values_list("member_id", flat=True)) == active
    )
    t = _tally(cast.member.member, 1)  # a tally counts the year up to its quarter
    assert (t.org_life_required, t.org_life_attended, t.study_hours, t.dues_on_time, t.thought_reports) == (
        3,
        3,
        Decimal("8.0"),
        3,
        1,
    )
    nobody = _tally(cast.secretary.member, 1)  # no records: a tally of zeros, not a missing one
    assert (nobody.org_life_required, nobody.dues_on_time, nobody.study_hours) == (0, 0, 0)
    assert not QuarterTally.objects.filter(quarter=2).exists()


@pytest.mark.parametrize("upto", [1, 2, 4])
def test_facts_and_scores_from_tallies_equal_those_from_the_records(cast, upto):
    _varied_records(cast)
    _close_year(cast)
    tallied = branch_facts(cast.b1, YEAR, upto_quarter=upto)
    assert tallied == _from_records(cast, upto_quarter=upto)
    member = cast.member.member.pk
    assert tallied[member].attendance["org_life"].required == 3 * upto
    scheme = branches_facts([cast.b1], YEAR)[cast.b1.pk].scheme
    with_tallies = score_many(scheme, list(tallied.values()), provisional=True)
    without = score_many(scheme, list(_from_records(cast, upto_quarter=upto).values()), provisional=True)
    assert [[stored_line(x) for x in s.lines] for s in with_tallies] == [
        [stored_line(x) for x in s.lines] for s in without
    ]


def test_a_roll_up_of_tallied_quarters_reads_no_record_and_equals_one_from_the_records(cast):
    _varied_records(cast)
    _close_year(cast)
    with CaptureQueriesContext(connection) as queries:
        filing = workflow.annual_roll_up(branch=cast.b1, year=YEAR, actor=cast.secretary.user)
    assert not [q["sql"] for q in queries if any(t in q["sql"] for t in RECORD_TABLES)]
    tallied = {r.member_id: (r.total, r.lines) for r in filing.results.all()}
    QuarterTally.objects.all().delete()
    filing = workflow.annual_roll_up(branch=cast.b1, year=YEAR, actor=cast.secretary.user)
    assert {r.member_id: (r.total, r.lines) for r in filing.results.all()} == tallied


def test_a_member_without_the_latest_tally_is_read_from_an_earlier_one_and_the_records_after_it(cast):
    _varied_records(cast)
    _close_year(cast)
    QuarterTally.objects.filter(member=cast.recorder.member, quarter__gte=3).delete()
    with CaptureQueriesContext(connection) as queries:
        facts = branch_facts(cast.b1, YEAR)
    assert facts == _from_records(cast)
    record_reads = [q["sql"] for q in queries if '"points_attendance"' in q["sql"]]
    assert record_reads and all(f"IN ({cast.recorder.member.pk})" in sql for sql in record_reads)
    # February and May from the Q2 tally, November from the records.
    assert facts[cast.recorder.member.pk].attendance["meetings"].required == 3


def _change_attendance(cast):
    a = Attendance.objects.get(
        member=cast.member.member, session__starts_at__month=5, session__kind="activity_day"
    )
    Attendance.objects.filter(pk=a.pk).update(status=AttendanceStatus.ABSENT)
    return 2


def _change_attendance_raw(cast):
    a = Attendance.objects.get(
        member=cast.member.member, session__starts_at__month=8, session__kind="activity_day"
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE points_attendance SET status = 'absent' WHERE id = %s", [a.pk])
    return 3


def _add_attendance(cast):
    s = record_session(cast.b1, datetime.date(YEAR, 12, 20), kind=SessionKind.WORK_MEETING, title="补记")
    Attendance.objects.create(session=s, member=cast.member.member, status=AttendanceStatus.ABSENT)
    return 4


def _change_dues(cast):
    DuesRecord.objects.filter(member=cast.member.member, year=YEAR, month=6).update(status=DuesStatus.UNPAID)
    return 2


def _delete_report(cast):
    ThoughtReport.objects.filter(member=cast.member.member, received_on__month=10).delete()
    return 4


def _change_session_hours(cast):
    Session.objects.filter(
        kind=SessionKind.STUDY, starts_at__month=2, attendances__member=cast.member.member
    ).update(hours=Decimal(1))
    return 1


def _move_session(cast):
    s = Session.objects.get(
        kind=SessionKind.ACTIVITY_DAY, starts_at__month=3, attendances__member=cast.member.member
    )
    start = datetime.datetime(YEAR, 4, 2, 9, tzinfo=TZ)
    Session.objects.filter(pk=s.pk).update(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    return 1  # and quarter 2, where it went: counted by the same tallies


def _cancel_session(cast):
    Session.objects.filter(
        kind=SessionKind.ACTIVITY_DAY, starts_at__month=11, attendances__member=cast.member.member
    ).update(is_cancelled=True)
    return 4


@pytest.mark.parametrize(
    "change",
    [
        _change_attendance,
        _change_attendance_raw,
        _add_attendance,
        _change_dues,
        _delete_report,
        _change_session_hours,
        _move_session,
        _cancel_session,
    ],
)
def test_a_change_to_a_counted_record_forgets_that_members_tallies_that_count_it(cast, change):
    full_year_records(cast, cast.member.member)
    full_year_records(cast, cast.committee_member.member, attended=False)
    _close_year(cast)
    member = cast.member.member
    before = {q: branch_facts(cast.b1, YEAR, upto_quarter=q)[member.pk] for q in (1, 2, 3, 4)}
    first = change(cast)  # the first quarter whose records changed: its tally and the later ones go
    assert {q for q in (1, 2, 3, 4) if _tally(member, q) is None} == set(range(first, 5))
    assert QuarterTally.objects.filter(member=cast.committee_member.member).count() == 4  # not theirs
    for q in (1, 2, 3, 4):
        assert branch_facts(cast.b1, YEAR, upto_quarter=q) == _from_records(cast, upto_quarter=q)
    assert branch_facts(cast.b1, YEAR, upto_quarter=first)[member.pk] != before[first]


def test_a_record_of_another_year_leaves_the_tallies_alone(cast):
    full_year_records(cast, cast.member.member)
    _close_year(cast)
    s = record_session(cast.b1, datetime.date(YEAR + 1, 1, 3))
    Attendance.objects.create(session=s, member=cast.member.member, status=AttendanceStatus.PRESENT)
    DuesRecord.objects.create(member=cast.member.member, year=YEAR + 1, month=1, status=DuesStatus.ON_TIME)
    ThoughtReport.objects.create(member=cast.member.member, received_on=datetime.date(YEAR + 1, 1, 4))
    assert QuarterTally.objects.filter(member=cast.member.member, year=YEAR).count() == 4


def test_a_change_to_a_session_forgets_the_tallies_of_everyone_who_attended_it(cast):
    _close_year(cast, upto=1)
    s = record_session(cast.b1, datetime.date(YEAR, 2, 11), kind=SessionKind.STUDY, title="集中学习", hours=4)
    for person in (cast.member, cast.committee_member):
        Attendance.objects.create(session=s, member=person.member, status=AttendanceStatus.PRESENT)
    store_tallies([cast.b1.pk], YEAR, 1)  # as closing the quarter would, with the session in it
    Session.objects.filter(pk=s.pk).update(title="集中学习（更名）")  # not counted: tallies stay
    assert (
        QuarterTally.objects.filter(
            quarter=1, member__in=[cast.member.member, cast.committee_member.member]
        ).count()
        == 2
    )
    Session.objects.filter(pk=s.pk).update(hours=Decimal(2))
    assert not QuarterTally.objects.filter(
        quarter=1, member__in=[cast.member.member, cast.committee_member.member]
    ).exists()
    assert _tally(cast.secretary.member, 1) is not None
    assert branch_facts(cast.b1, YEAR, upto_quarter=1)[cast.member.member.pk].study_hours == 2


def test_a_member_transferred_while_the_tallies_are_counted_keeps_their_records(cast, monkeypatch):
    """The members are read, then their records counted: a transfer committed in between must not
    leave a tally of zeros (records follow the member, so they are counted by member id)."""
    from members.models import Member
    from points.services import tallies

    full_year_records(cast, cast.member.member)
    real = tallies.year_counts

    def transfer_first(*args, **kwargs):
        Member.objects.filter(pk=cast.member.member.pk).update(branch=cast.b2)
        return real(*args, **kwargs)

    monkeypatch.setattr(tallies, "year_counts", transfer_first)
    store_tallies([cast.b1.pk], YEAR, 1)
    t = _tally(cast.member.member, 1)
    assert (t.org_life_required, t.dues_on_time, t.thought_reports) == (3, 3, 1)


def test_attendance_written_before_its_session_forgets_the_tally_when_the_session_comes(cast):
    """Foreign keys are checked at commit: a fixture or an import may write attendance first."""
    from django.db import transaction

    _close_year(cast, upto=1)
    assert _tally(cast.member.member, 1) is not None
    start = datetime.datetime(YEAR, 2, 11, 9, tzinfo=TZ)
    with transaction.atomic():
        new_id = (Session.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 100
        Attendance.objects.create(
            session_id=new_id, member=cast.member.member, status=AttendanceStatus.ABSENT
        )
        Session.objects.create(
            id=new_id,
            branch=cast.b1,
            kind=SessionKind.ACTIVITY_DAY,
            title="补录",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            signin_secret="x",
        )
    assert _tally(cast.member.member, 1) is None
    assert branch_facts(cast.b1, YEAR, upto_quarter=1) == _from_records(cast, upto_quarter=1)


def test_study_hours_summed_from_the_records_are_tenths_as_a_tally_stores_them(cast):
    for hours, day in ((Decimal("1.1"), 3), (Decimal("1.2"), 4)):
        s = record_session(
            cast.b1, datetime.date(YEAR, 2, day), kind=SessionKind.STUDY, title="集中学习", hours=hours
        )
        Attendance.objects.create(session=s, member=cast.member.member, status=AttendanceStatus.PRESENT)
    from_records = branch_facts(cast.b1, YEAR, upto_quarter=1)[cast.member.member.pk].study_hours
    assert from_records == Decimal("2.3") and str(from_records) in ("2.3", "2.30")
    store_tallies([cast.b1.pk], YEAR, 1)
    assert branch_facts(cast.b1, YEAR, upto_quarter=1)[cast.member.member.pk].study_hours == from_records


def test_store_tallies_command_fills_in_closed_quarters_without_tallies_only(cast):
    from io import StringIO

    from django.core.management import call_command

    _varied_records(cast)
    _close_year(cast, upto=2)
    stored_at = {t.pk: t.stored_at for t in QuarterTally.objects.filter(quarter=1)}
    QuarterTally.objects.filter(quarter=2).delete()  # as if closed before tallies existed
    out = StringIO()
    call_command("store_tallies", stdout=out)
    active = cast.b1.members.filter(status=MemberStatus.ACTIVE).count()
    assert f"已为 1 个季度补存 {active} 条" in out.getvalue()
    assert QuarterTally.objects.filter(quarter=2).count() == active
    assert {t.pk: t.stored_at for t in QuarterTally.objects.filter(quarter=1)} == stored_at  # left alone
    assert branch_facts(cast.b1, YEAR, upto_quarter=2) == _from_records(cast, upto_quarter=2)
    call_command("store_tallies", "--year", str(YEAR), stdout=out)
    assert "已为 0 个季度" in out.getvalue()


def test_store_tallies_command_refuses_a_year_out_of_range(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="年度无效"):
        call_command("store_tallies", "--year", "1800")
    assert not QuarterTally.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs PostgreSQL table locks")
def test_a_quarter_closes_without_its_tallies_rather_than_wait_long_for_the_tally_table(cast, caplog):
    """A long transaction holding the tally table (a big import's record writes) must not hold up the
    close, nor, behind the close in PostgreSQL's lock queue, every other record write of the app."""
    import time

    from django.core.management import call_command

    from points.models import QuarterState
    from points.services import tallies

    full_year_records(cast, cast.member.member)
    with _tally_table_held():
        q = workflow.quarter_open(branch=cast.b1, year=YEAR, number=1, actor=cast.secretary.user)
        started = time.monotonic()
        with caplog.at_level("WARNING", logger="points.services.tallies"):
            q = run_quarter(cast, q)
        waited = time.monotonic() - started
    assert q.state == QuarterState.CLOSED
    assert tallies.LOCK_WAIT_SECONDS <= waited < tallies.LOCK_WAIT_SECONDS + 10
    assert not QuarterTally.objects.exists()
    assert "not stored" in caplog.text and "store_tallies" in caplog.text
    # The facts are those of the records meanwhile, and the command stores the tallies later.
    assert branch_facts(cast.b1, YEAR, upto_quarter=1) == _from_records(cast, upto_quarter=1)
    call_command("store_tallies", "--year", str(YEAR))
    assert _tally(cast.member.member, 1).dues_on_time == 3


def _lock_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs PostgreSQL table locks")
def test_the_tally_lock_puts_back_the_callers_own_lock_timeout():
    from django.db import transaction

    from points.services import tallies

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '7s'")
        assert tallies._lock_tally_table(2.0) is True
        assert _lock_timeout() == "7s"
    with transaction.atomic():
        assert tallies._lock_tally_table(2.0) is True
        assert _lock_timeout() == "0"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs PostgreSQL table locks")
def test_the_command_fails_rather_than_skip_when_the_databases_own_lock_timeout_runs_out(cast):
    """Only the close's own 2 s wait turns a refused lock into a skip: `manage.py store_tallies` waits as
    long as the connection lets it, and a lock_timeout of the role or database is an error to report,
    not a quarter counted as done with nothing stored."""
    from django.core.management import call_command
    from django.db import OperationalError

    _close_year(cast, upto=1)
    QuarterTally.objects.all().delete()  # as if closed before tallies existed
    with _tally_table_held():
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")  # as ALTER ROLE ... SET lock_timeout would
        try:
            with pytest.raises(OperationalError, match="lock timeout"):
                call_command("store_tallies", "--year", str(YEAR))
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
    assert not QuarterTally.objects.exists()
