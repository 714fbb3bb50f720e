"""Prepared querysets (config/prepared.py) give what the same queryset gives, from SQL compiled once."""

import datetime

import pytest
from django.db import connection
from django.db.models import Q
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from config.prepared import Prepared, prepared
from points.models import Attendance, Declaration, DuesRecord, Session, ThoughtReport
from points.selectors.workflow import unread
from tests.points.workflow.conftest import TZ, YEAR, full_year_records


def _fields(rows, *names):
    return [tuple(getattr(r, n) for n in names) for r in rows]


@pytest.fixture
def year(cast):
    full_year_records(cast, cast.member.member)
    full_year_records(cast, cast.secretary.member, attended=False)
    return cast.member.member


def test_model_instances_as_the_queryset_gives_them(year):
    @prepared(member_id=int, year=int)
    def dues(member_id, year):
        return DuesRecord.objects.filter(member_id=member_id, year=year)

    got = dues(member_id=year.pk, year=YEAR)
    expected = list(DuesRecord.objects.filter(member_id=year.pk, year=YEAR))
    assert len(got) == 12
    assert [type(r) for r in got] == [DuesRecord] * 12
    names = [f.attname for f in DuesRecord._meta.concrete_fields]
    assert _fields(got, *names) == _fields(expected, *names)  # same rows, same order, same values
    assert not got[0]._state.adding and got[0]._state.db == "default"
    assert dues(member_id=year.pk, year=YEAR - 1) == []


def test_related_rows_deferred_fields_and_datetimes(year, django_assert_num_queries):
    @prepared(member_id=int, since=datetime.datetime, until=datetime.datetime)
    def attendance(member_id, since, until):
        return (
            Attendance.objects.filter(
                member_id=member_id, session__starts_at__gte=since, session__starts_at__lt=until
            )
            .select_related("session")
            .defer(*unread(Session, "session", "starts_at", "title"))
        )

    since = datetime.datetime(YEAR, 1, 1, tzinfo=TZ)
    with django_assert_num_queries(1):
        got = attendance(member_id=year.pk, since=since, until=since.replace(year=YEAR + 1))
        titles = [(a.session.starts_at, a.session.title, a.status) for a in got]
    expected = Attendance.objects.filter(member=year, session__starts_at__year=YEAR).select_related("session")
    assert sorted(titles) == sorted((a.session.starts_at, a.session.title, a.status) for a in expected)
    assert len(titles) == 16
    assert "venue" in got[0].session.get_deferred_fields()
    # The bounds are the values given, as the ORM compares them: the first session starts on 10 January.
    first = min(a.session.starts_at for a in got)
    assert len(attendance(member_id=year.pk, since=first, until=first + datetime.timedelta(seconds=1))) == 1
    assert attendance(member_id=year.pk, since=since, until=first) == []


def test_dates_and_a_parameter_used_twice(cast, year):
    @prepared(member_id=int, first=datetime.date, last=datetime.date)
    def reports(member_id, first, last):
        return ThoughtReport.objects.filter(
            member_id=member_id, received_on__gte=first, received_on__lte=last
        )

    got = reports(member_id=year.pk, first=datetime.date(YEAR, 4, 5), last=datetime.date(YEAR, 7, 5))
    assert [r.received_on for r in sorted(got, key=lambda r: r.received_on)] == [
        datetime.date(YEAR, 4, 5),
        datetime.date(YEAR, 7, 5),
    ]

    @prepared(member_id=int)
    def either(member_id):
        return Declaration.objects.filter(Q(declarant_id=member_id) | Q(subject_id=member_id))

    assert either(member_id=year.pk) == []
    assert either.__name__ == "either"


def test_the_sql_is_compiled_once_per_process(year):
    calls = []

    def build(member_id, year):
        calls.append((member_id, year))
        return DuesRecord.objects.filter(member_id=member_id, year=year)

    dues = Prepared(build, {"member_id": int, "year": int})
    for _ in range(3):
        assert len(dues(member_id=year.pk, year=YEAR)) == 12
    assert len(calls) == 3  # two rounds of probes and one under another time zone, never the real values
    assert year.pk not in [c[0] for c in calls]
    with override_settings(USE_THOUSAND_SEPARATOR=True):  # any change of settings: compiled again
        dues(member_id=year.pk, year=YEAR)
    assert len(calls) == 6


def test_one_query_a_call(year):
    @prepared(member_id=int, year=int)
    def dues(member_id, year):
        return DuesRecord.objects.filter(member_id=member_id, year=year)

    dues(member_id=year.pk, year=YEAR)
    with CaptureQueriesContext(connection) as queries:
        dues(member_id=year.pk, year=YEAR)
    assert len(queries) == 1


@pytest.mark.django_db
def test_queries_whose_shape_depends_on_the_values_are_refused():
    @prepared(year=int)
    def by_year(year):
        return Session.objects.filter(starts_at__year=year)  # becomes BETWEEN two datetimes

    with pytest.raises(TypeError, match="transformed"):
        by_year(year=YEAR)

    @prepared(member_id=int)
    def values(member_id):
        return DuesRecord.objects.filter(member_id=member_id).values("month")

    with pytest.raises(TypeError, match="model instances"):
        values(member_id=1)

    @prepared(member_id=int, year=int)
    def unused(member_id, year):
        return DuesRecord.objects.filter(member_id=member_id)

    with pytest.raises(TypeError, match="'year'|year does not reach"):
        unused(member_id=1, year=YEAR)

    @prepared(member_id=int)
    def dues(member_id):
        return DuesRecord.objects.filter(member_id=member_id)

    with pytest.raises(TypeError, match="takes member_id"):
        dues(member=1)


def test_parameters_are_declared_in_order_and_of_known_kinds():
    with pytest.raises(TypeError, match="declare every parameter"):
        prepared(year=int, member_id=int)(lambda member_id, year: None)
    with pytest.raises(TypeError, match="int, str, date or datetime"):
        prepared(ids=list)(lambda ids: None)


def test_an_id_no_column_holds_finds_nothing_as_django_answers_it(year):
    """An id typed into a URL, past any integer column: Django's own evaluation answers (no rows), where
    SQLite's driver would refuse the number."""
    from members.models import Member

    @prepared(member_id=int)
    def member(member_id):
        return Member.objects.filter(pk=member_id)

    assert member(member_id=10**30) == []
    assert member(member_id=-(10**30)) == []
    assert member(member_id=year.pk) == [year]


@pytest.mark.django_db
def test_what_would_differ_from_the_queryset_is_refused():
    """Each of these made a prepared query answer differently from Django (a review's findings)."""
    from django.db.models import Prefetch

    from members.models import Member

    @prepared(day=datetime.date)
    def on_day(day):
        return Session.objects.filter(starts_at__date=day)  # compares in the current time zone

    with pytest.raises(TypeError, match="time zone"):
        on_day(day=datetime.date(YEAR, 3, 10))

    @prepared(code=str)
    def like(code):
        return Member.objects.filter(
            code__iexact=code
        )  # SQLite's LIKE escapes % _ \\, PostgreSQL's UPPER() not

    if connection.vendor == "sqlite":
        with pytest.raises(TypeError, match="transformed"):
            like(code="0000_")
    else:
        assert like(code="0000_") == list(Member.objects.filter(code__iexact="0000_"))

    @prepared(branch_id=int)
    def prefetching(branch_id):
        return Member.objects.filter(branch_id=branch_id).prefetch_related(Prefetch("positions"))

    with pytest.raises(TypeError, match="prefetch_related"):
        prefetching(branch_id=1)

    @prepared(member_id=int)
    def locking(member_id):
        return DuesRecord.objects.filter(member_id=member_id).select_for_update()

    with pytest.raises(TypeError, match="select_for_update"):
        locking(member_id=1)


@pytest.mark.django_db
def test_values_of_another_kind_none_and_naive_datetimes_are_refused():
    @prepared(member_id=int, since=datetime.datetime, day=datetime.date)
    def rows(member_id, since, day):
        return ThoughtReport.objects.filter(member_id=member_id, recorded_at__gte=since, received_on__gte=day)

    aware = datetime.datetime(YEAR, 1, 1, tzinfo=TZ)
    today = datetime.date(YEAR, 1, 1)
    for bad in (
        {"member_id": None},
        {"member_id": "7"},
        {"member_id": True},
        {"day": aware},
        {"since": None},
    ):
        with pytest.raises(TypeError):
            rows(**{"member_id": 1, "since": aware, "day": today, **bad})
    with pytest.raises(ValueError, match="aware"):
        rows(member_id=1, since=datetime.datetime(YEAR, 1, 1), day=today)
    assert rows(member_id=1, since=aware, day=today) == []
