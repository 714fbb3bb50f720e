"""The dues grid: members × 12 months, saved in one POST, corrections once a quarter is locked."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Category
from points.models import DuesRecord
from points.selectors.records import dues_grid
from points.services.records import dues_record
from tests.factories import make_member

from .helpers import add_members, assert_holds_quarter, lock, open_quarter, postgres_row_locks

YEAR = 2025
TODAY = datetime.date(2025, 12, 31)


def _save(cast, entries, actor=None, **kwargs):
    kwargs.setdefault("today", TODAY)
    return dues_record(
        branch=cast.b1, year=YEAR, entries=entries, actor=actor or cast.recorder.user, **kwargs
    )


def _snapshot():
    return list(
        DuesRecord.objects.order_by("pk").values_list("pk", "member_id", "month", "status", "is_current")
    )


def _refused(cast, entries, message, actor=None, **kwargs):
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        _save(cast, entries, actor, **kwargs)
    assert message in "；".join(exc.value.messages)
    assert _snapshot() == before


def test_it_records_a_grid_of_months(cast):
    m = cast.member.member.pk
    result = _save(cast, {(m, 1): "on_time", (m, 2): "late", (m, 3): ""})
    assert result.created == 2
    assert dict(DuesRecord.objects.values_list("month", "status")) == {1: "on_time", 2: "late"}


def test_it_updates_in_place_while_the_quarter_is_open(cast):
    m = cast.member.member.pk
    _save(cast, {(m, 1): "unpaid"})
    first = DuesRecord.objects.get()
    result = _save(cast, {(m, 1): "late"})
    assert (result.updated, DuesRecord.objects.get().pk, DuesRecord.objects.get().status) == (
        1,
        first.pk,
        "late",
    )


def test_it_corrects_a_locked_month_keeping_the_old_row(cast):
    m = cast.member.member.pk
    _save(cast, {(m, 2): "unpaid", (m, 4): "on_time"})
    lock(cast.b1, datetime.date(YEAR, 2, 1))
    _refused(cast, {(m, 2): "on_time"}, "2025年第1季度的日常记录已锁定，修改党费属于更正，请填写更正理由")
    result = _save(cast, {(m, 2): "on_time", (m, 4): "on_time"}, correction_reason="补交凭证")
    assert (result.corrected, result.unchanged) == (1, 1)
    old = DuesRecord.objects.get(month=2, is_current=False)
    new = DuesRecord.objects.get(month=2, is_current=True)
    assert (old.status, new.status, new.corrects_id, new.correction_reason) == (
        "unpaid",
        "on_time",
        old.pk,
        "补交凭证",
    )
    grid = dues_grid(cast.b1, YEAR, today=TODAY)
    cell = next(r for r in grid.rows if r.member.pk == m).cells[1]
    assert cell.locked and cell.original.status == "unpaid" and cell.status == "on_time"


def test_it_refuses_the_recorders_own_row(cast):
    entries = {(cast.member.member.pk, 1): "on_time", (cast.recorder.member.pk, 1): "on_time"}
    _refused(cast, entries, "积分记录员本人的党费由支部书记或副书记登记")


def test_it_lets_the_secretary_record_the_recorder(cast):
    _save(cast, {(cast.recorder.member.pk, 1): "on_time"}, actor=cast.secretary.user)
    assert DuesRecord.objects.get().member == cast.recorder.member


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (("member", 1, "gold"), "“gold”不是有效的交纳情况"),
        (("member", 13, "on_time"), "月份应为 1 至 12"),
        (("other_member", 1, "on_time"), "外支部党员不在本支部的党费名单中"),
        ((999999, 1, "on_time"), "提交的党员（编号 999999）不存在"),
    ],
)
def test_it_refuses_bad_cells(cast, cell, message):
    who, month, status = cell
    pk = who if isinstance(who, int) else getattr(cast, who).member.pk
    _refused(cast, {(cast.committee_member.member.pk, 1): "on_time", (pk, month): status}, message)


def test_it_refuses_months_still_to_come(cast):
    _refused(
        cast,
        {(cast.member.member.pk, 7): "on_time"},
        "2025年7月尚未到期，不能登记党费",
        today=datetime.date(2025, 6, 30),
    )


def test_it_refuses_months_before_the_member_joined(cast):
    new = make_member(
        cast.b1,
        category=Category.PROBATIONARY,
        probation_start=datetime.date(2025, 5, 1),
        probation_end=datetime.date(2026, 5, 1),
        name="新党员",
    )
    _refused(cast, {(new.pk, 4): "on_time"}, "新党员2025年4月尚未入党，无需登记党费")
    _save(cast, {(new.pk, 5): "on_time"})


def test_it_leaves_activists_out_of_the_dues_list(cast):
    activist = make_member(cast.b1, category=Category.ACTIVIST, name="积极分子")
    _refused(cast, {(activist.pk, 1): "on_time"}, "积极分子不在本支部的党费名单中")
    assert "积极分子" not in [r.member.name for r in dues_grid(cast.b1, YEAR).rows]


def test_it_refuses_to_blank_a_recorded_month(cast):
    m = cast.member.member.pk
    _save(cast, {(m, 1): "on_time"})
    _refused(cast, {(m, 1): ""}, "普通党员1月已有记录，不能清空")


@pytest.mark.parametrize("role", ["member", "committee_member", "dept", "gb_secretary", "other_secretary"])
def test_it_refuses_someone_who_does_not_record_for_the_branch(cast, role):
    _refused(
        cast, {(cast.member.member.pk, 1): "on_time"}, "只有积分记录员或支部书记", getattr(cast, role).user
    )


# --- the page ------------------------------------------------------------------------------------


def _url(cast, year=YEAR):
    return reverse("points:dues", args=[cast.b1.pk, year])


def test_it_shows_and_saves_the_grid(client, cast):
    client.force_login(cast.recorder.user)
    body = client.get(_url(cast)).content.decode()
    assert f'name="d-{cast.member.member.pk}-12"' in body
    assert f'name="d-{cast.recorder.member.pk}-1"' not in body  # own row: read-only
    response = client.post(
        _url(cast), {f"d-{cast.member.member.pk}-1": "on_time", f"d-{cast.member.member.pk}-2": ""}
    )
    assert response.status_code == 302
    assert DuesRecord.objects.get().status == "on_time"


def test_it_refuses_a_bad_post_and_keeps_the_grid(client, cast):
    client.force_login(cast.recorder.user)
    response = client.post(
        _url(cast),
        {f"d-{cast.member.member.pk}-1": "on_time", f"d-{cast.recorder.member.pk}-1": "on_time"},
    )
    assert "积分记录员本人的党费由支部书记或副书记登记" in response.content.decode()
    assert not DuesRecord.objects.exists()


def test_it_404s_an_absurd_year(client, cast):
    client.force_login(cast.recorder.user)
    assert client.get(_url(cast, 1900)).status_code == 404


def _measure(client, url, method="get", data=None):
    """(reads, writes) of one request."""
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302)
    sql = [q["sql"].lstrip().upper() for q in ctx.captured_queries]
    writes = sum(1 for q in sql if q.startswith(("INSERT", "UPDATE")))
    return len(sql) - writes, writes


def _cells(members, months, status="on_time"):
    return {f"d-{m.pk}-{month}": status for m in members for month in months}


def test_it_reads_and_saves_a_month_for_everyone_in_constant_queries(client, cast):
    client.force_login(cast.secretary.user)
    add_members(cast.b1, 1)
    members = [r.member for r in dues_grid(cast.b1, YEAR).rows]
    assert len(members) == 5
    small = [
        _measure(client, _url(cast)),
        _measure(client, _url(cast), "post", _cells(members, [3])),
        _measure(client, _url(cast), "post", _cells(members, [3], "late")),
    ]
    add_members(cast.b1, 55)
    members = [r.member for r in dues_grid(cast.b1, YEAR).rows]
    assert len(members) == 60
    big = [
        _measure(client, _url(cast)),
        _measure(client, _url(cast), "post", _cells(members, [4])),
        _measure(client, _url(cast), "post", _cells(members, [4], "late")),
    ]
    assert DuesRecord.objects.filter(month=4, status="late").count() == 60
    assert small == big


def test_it_saves_a_whole_year_with_bulk_writes(client, cast):
    """720 cells: the reads stay constant; the writes are bulk statements (SQLite splits them into
    batches of at most 999 parameters, PostgreSQL sends one)."""
    client.force_login(cast.secretary.user)
    add_members(cast.b1, 1)
    members = [r.member for r in dues_grid(cast.b1, YEAR).rows]
    small_reads, _ = _measure(client, _url(cast), "post", _cells(members, range(1, 13)))
    add_members(cast.b1, 55)
    members = [r.member for r in dues_grid(cast.b1, YEAR - 1).rows]
    big_reads, big_writes = _measure(client, _url(cast, YEAR - 1), "post", _cells(members, range(1, 13)))
    assert DuesRecord.objects.filter(year=YEAR - 1).count() == 720
    assert small_reads == big_reads
    assert big_writes <= 720 * 11 // 999 + 1


def test_a_save_changes_cells_with_one_plain_update_per_status(cast):
    """bulk_update's CASE per row and field took longer to build than to run: the changed cells go in
    one UPDATE per status, whatever their number, stamped with one time."""
    members = [cast.member.member, cast.secretary.member, cast.committee_member.member]
    _save(cast, {(m.pk, month): "on_time" for m in members for month in (1, 2, 3)})
    changes = {(m.pk, month): ("late" if month == 1 else "short") for m in members for month in (1, 2)}
    with CaptureQueriesContext(connection) as ctx:
        result = _save(cast, {**changes, (cast.member.member.pk, 3): "on_time"})
    updates = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 2 and not any("CASE" in sql for sql in updates)
    assert (result.updated, result.unchanged, result.created) == (6, 1, 0)
    rows = DuesRecord.objects.filter(is_current=True, month__in=(1, 2))
    assert {(r.member_id, r.month): r.status for r in rows} == changes
    assert len({r.recorded_at for r in rows}) == 1
    assert {r.recorded_by_id for r in rows} == {cast.recorder.user.pk}


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks")
@pytest.mark.django_db(transaction=True)
def test_a_save_holds_the_cells_it_read_until_it_commits(cast):
    """Even a cell left as it was: a concurrent save of the same grid waits for this one."""
    import psycopg
    from django.db import transaction

    from tests.pg import other_connection

    _save(cast, {(cast.member.member.pk, 1): "on_time", (cast.member.member.pk, 2): "on_time"})
    kept = DuesRecord.objects.get(member=cast.member.member, month=2)
    other = other_connection()
    try:
        with transaction.atomic():
            _save(cast, {(cast.member.member.pk, 1): "late", (cast.member.member.pk, 2): "on_time"})
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute("SELECT id FROM points_duesrecord WHERE id = %s FOR UPDATE NOWAIT", [kept.pk])
            other.rollback()
        other.execute("SELECT id FROM points_duesrecord WHERE id = %s FOR UPDATE NOWAIT", [kept.pk])
        other.rollback()
    finally:
        other.close()


def test_a_refused_correction_changes_no_cell_of_the_request(cast):
    """A locked month changed without a reason refuses the whole grid: the open months sent with it
    are not saved either."""
    m = cast.member.member.pk
    _save(cast, {(m, 2): "unpaid", (m, 4): "unpaid"})
    lock(cast.b1, datetime.date(YEAR, 2, 1))
    _refused(
        cast,
        {(m, 2): "on_time", (m, 4): "late", (m, 5): "on_time"},
        "2025年第1季度的日常记录已锁定，修改党费属于更正，请填写更正理由",
    )


@postgres_row_locks
def test_a_save_holds_its_quarter_open_until_it_commits(cast):
    """Sending the quarter to review waits for a save that found it open: the cells it wrote in place
    commit before the quarter is locked."""
    quarter = open_quarter(cast, datetime.date(YEAR, 2, 1))
    assert_holds_quarter(quarter, lambda: _save(cast, {(cast.member.member.pk, 2): "on_time"}))


def _wait_for_a_lock_wait(timeout=10.0):
    """Until a connection to the test database waits for a lock (the save in its thread)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
        assert time.monotonic() < deadline, "the save never waited for the rows"
        time.sleep(0.02)


@postgres_row_locks
def test_a_save_that_waited_for_the_rows_sees_the_quarter_locked_meanwhile(cast):
    """The race: a save waits for another save's row locks while the quarter goes to review. Once it has
    the rows it must see the quarter locked, and refuse a change without a reason, changing nothing,
    rather than edit the locked month in place."""
    import threading

    from points.services import workflow
    from tests.pg import other_connection

    m = cast.member.member.pk
    quarter = open_quarter(cast, datetime.date(YEAR, 2, 1))
    _save(cast, {(m, 2): "unpaid", (m, 4): "unpaid"})
    before = _snapshot()
    outcome = {}

    def waiting_save():
        try:
            outcome["result"] = _save(cast, {(m, 2): "on_time", (m, 4): "late"})
        except ValidationError as exc:
            outcome["error"] = "；".join(exc.messages)
        finally:
            connection.close()  # this thread's own connection

    first = other_connection()  # the other save, still holding the member's rows
    first.execute("SELECT id FROM points_duesrecord WHERE member_id = %s FOR UPDATE", [m])
    thread = threading.Thread(target=waiting_save)
    thread.start()
    try:
        _wait_for_a_lock_wait()
        with connection.cursor() as cursor:  # should it wait for the waiting save: an error, not a hang
            cursor.execute("SET lock_timeout = '5s'")
        workflow.quarter_start_review(quarter=quarter, actor=cast.secretary.user)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
        first.rollback()
        first.close()
        thread.join(timeout=30)
    assert "2025年第1季度的日常记录已锁定，修改党费属于更正，请填写更正理由" in outcome.get("error", "")
    assert _snapshot() == before
