"""attendance_record: the whole sheet in one request and one transaction, refused whole on any bad row."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from members.models import Category
from points.models import Attendance, AttendanceStatus
from points.services.records import session_cancel

from .helpers import (
    AFTER,
    DAY,
    all_present,
    assert_holds_quarter,
    at,
    lock,
    open_quarter,
    postgres_row_locks,
    record,
)


def _current(session):
    return {a.member_id: a for a in Attendance.objects.filter(session=session, is_current=True)}


def test_it_records_the_whole_sheet(cast, session, b1_people):
    entries = all_present(b1_people)
    entries[cast.member.member.pk] = (AttendanceStatus.EXCUSED, "出差")
    result = record(session, entries, cast.secretary.user)
    assert (result.created, result.updated, result.corrected) == (4, 0, 0)
    rows = _current(session)
    assert rows[cast.member.member.pk].status == "excused"
    assert rows[cast.member.member.pk].reason == "出差"
    assert rows[cast.recorder.member.pk].recorded_by == cast.secretary.user


def test_it_updates_rows_in_place_before_the_quarter_is_locked(cast, session, b1_people):
    record(session, all_present(b1_people), cast.secretary.user)
    before = _current(session)[cast.member.member.pk]
    result = record(session, {cast.member.member.pk: ("late", "")}, cast.recorder.user)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    after = _current(session)[cast.member.member.pk]
    assert after.pk == before.pk and after.status == "late"
    assert after.recorded_by == cast.recorder.user
    assert Attendance.objects.filter(session=session).count() == 4


def _saved_with_updates(session, changes, actor):
    """`changes` saved: (the UPDATE statements the save ran, its result)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        result = record(session, changes, actor)
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE")], result


def test_it_saves_changed_rows_with_one_update_per_status_and_reason(cast, session, b1_people):
    record(session, all_present(b1_people), cast.secretary.user)
    before = _current(session)
    changes = {
        cast.member.member.pk: ("late", ""),
        cast.committee_member.member.pk: ("late", ""),
        cast.recorder.member.pk: ("excused", "病假"),
    }
    updates, result = _saved_with_updates(session, changes, cast.secretary.user)
    assert len(updates) == 2 and not any("CASE" in sql for sql in updates)
    assert result.updated == 3
    after = _current(session)
    for pk, (status, reason) in changes.items():
        row = after[pk]
        assert (row.pk, row.status, row.reason, row.via_qr) == (before[pk].pk, status, reason, False)
        assert row.recorded_by == cast.secretary.user and row.recorded_at == AFTER
    secretary = cast.secretary.member.pk
    assert (
        after[secretary].status == "present" and after[secretary].recorded_at == before[secretary].recorded_at
    )


def test_it_leaves_unchanged_rows_alone(cast, session, b1_people):
    record(session, all_present(b1_people), cast.secretary.user)
    result = record(session, all_present(b1_people), cast.secretary.user)
    assert result.changed == 0 and result.unchanged == 4


def _refused(session, entries, actor, message, **kwargs):
    before = list(
        Attendance.objects.order_by("pk").values_list("pk", "member_id", "status", "reason", "is_current")
    )
    with pytest.raises(ValidationError) as exc:
        record(session, entries, actor, **kwargs)
    assert message in "；".join(exc.value.messages)
    after = list(
        Attendance.objects.order_by("pk").values_list("pk", "member_id", "status", "reason", "is_current")
    )
    assert after == before


def test_it_refuses_excused_without_a_reason(cast, session):
    entries = {cast.member.member.pk: ("excused", "  "), cast.committee_member.member.pk: ("present", "")}
    _refused(session, entries, cast.recorder.user, "普通党员请假，须填写请假事由")


def test_it_refuses_a_status_not_in_the_choices(cast, session):
    entries = {cast.member.member.pk: ("asleep", ""), cast.committee_member.member.pk: ("present", "")}
    _refused(session, entries, cast.recorder.user, "“asleep”不是有效的出勤状态")


def test_it_refuses_an_unknown_member_id(cast, session):
    entries = {cast.member.member.pk: ("present", ""), 999999: ("present", "")}
    _refused(session, entries, cast.recorder.user, "提交的党员（编号 999999）不存在")


def test_it_refuses_a_member_not_expected(cast, session):
    entries = {cast.member.member.pk: ("present", ""), cast.other_member.member.pk: ("present", "")}
    _refused(session, entries, cast.recorder.user, "外支部党员不在本次活动的应参加人员名单中")


def test_it_refuses_the_whole_request_when_the_recorder_sends_their_own_row(cast, session):
    entries = {cast.member.member.pk: ("present", ""), cast.recorder.member.pk: ("present", "")}
    _refused(session, entries, cast.recorder.user, "积分记录员本人的出勤由支部书记或副书记登记")
    assert Attendance.objects.count() == 0


def test_it_lets_the_secretary_record_the_recorders_row(cast, session):
    record(session, {cast.recorder.member.pk: ("present", "")}, cast.secretary.user)
    assert _current(session)[cast.recorder.member.pk].status == "present"


@pytest.mark.parametrize("role", ["member", "committee_member", "dept", "gb_secretary", "other_secretary"])
def test_it_refuses_someone_who_does_not_record_for_the_branch(cast, session, role):
    _refused(
        session,
        {cast.member.member.pk: ("present", "")},
        getattr(cast, role).user,
        "只有积分记录员或支部书记",
    )


def test_it_refuses_a_cancelled_session(cast, session):
    session_cancel(session=session, actor=cast.recorder.user)
    _refused(
        session, {cast.member.member.pk: ("present", "")}, cast.recorder.user, "该活动已取消，不能登记出勤"
    )


def test_it_refuses_a_session_that_has_not_started(cast, session):
    the_day_before = at(DAY - datetime.timedelta(days=1), 20)
    _refused(
        session,
        {cast.member.member.pk: ("present", "")},
        cast.recorder.user,
        "活动尚未开始，2025年03月10日起才能登记出勤",
        now=the_day_before,
    )


def test_it_allows_recording_from_the_morning_of_the_session_day(cast, session):
    record(session, {cast.member.member.pk: ("present", "")}, cast.recorder.user, now=at(DAY, 8))
    assert _current(session)[cast.member.member.pk].status == "present"


def test_it_corrects_after_the_quarter_is_locked_keeping_the_old_row(cast, session, b1_people):
    record(session, all_present(b1_people), cast.secretary.user)
    old = _current(session)[cast.member.member.pk]
    lock(cast.b1, DAY)
    result = record(
        session,
        {**all_present(b1_people), cast.member.member.pk: ("excused", "病假")},
        cast.secretary.user,
        correction_reason="请假条补交",
    )
    assert (result.corrected, result.unchanged) == (1, 3)
    new = _current(session)[cast.member.member.pk]
    assert new.pk != old.pk
    assert (new.status, new.corrects_id, new.correction_reason) == ("excused", old.pk, "请假条补交")
    old.refresh_from_db()
    assert (old.status, old.is_current) == ("present", False)
    assert Attendance.objects.filter(session=session).count() == 5


def test_it_requires_a_correction_reason_after_the_lock(cast, session, b1_people):
    record(session, all_present(b1_people), cast.secretary.user)
    lock(cast.b1, DAY)
    _refused(
        session,
        {cast.member.member.pk: ("absent", "")},
        cast.secretary.user,
        "2025年第1季度的日常记录已锁定（已转入支委初评），修改出勤属于更正，请填写更正理由",
    )


def test_it_records_a_missing_row_after_the_lock_as_a_correction(cast, session):
    lock(cast.b1, DAY)
    record(session, {cast.member.member.pk: ("present", "")}, cast.recorder.user, correction_reason="漏登")
    row = _current(session)[cast.member.member.pk]
    assert (row.corrects_id, row.correction_reason) == (None, "漏登")


def test_it_clears_the_qr_flag_when_the_recorder_changes_a_signed_in_row(cast, session):
    Attendance.objects.create(session=session, member=cast.member.member, status="present", via_qr=True)
    record(session, {cast.member.member.pk: ("left_early", "")}, cast.recorder.user)
    row = _current(session)[cast.member.member.pk]
    assert (row.status, row.via_qr) == ("left_early", False)


def test_it_refuses_an_activist_at_a_branch_assembly(cast, session):
    from tests.factories import make_member

    activist = make_member(cast.b1, category=Category.ACTIVIST, name="积极分子")
    _refused(
        session, {activist.pk: ("present", "")}, cast.recorder.user, "积极分子不在本次活动的应参加人员名单中"
    )


def test_it_saves_many_distinct_reasons_in_one_statement(cast, session, b1_people, monkeypatch):
    """Past UPDATE_GROUPS distinct (status, reason) pairs, one bulk update: the statements do not grow
    with the number of members on leave, each with a reason of their own."""
    from points.services.records import attendance

    record(session, all_present(b1_people), cast.secretary.user)
    monkeypatch.setattr(attendance, "UPDATE_GROUPS", 1)
    changes = {
        cast.member.member.pk: ("excused", "病假"),
        cast.committee_member.member.pk: ("excused", "出差"),
        cast.recorder.member.pk: ("late", ""),
    }
    updates, result = _saved_with_updates(session, changes, cast.secretary.user)
    assert len(updates) == 1
    assert result.updated == 3
    after = _current(session)
    for pk, (status, reason) in changes.items():
        row = after[pk]
        assert (row.status, row.reason, row.via_qr, row.recorded_at) == (status, reason, False, AFTER)
        assert row.recorded_by == cast.secretary.user


@postgres_row_locks
def test_a_save_holds_its_quarter_open_until_it_commits(cast, session, b1_people):
    """Sending the quarter to review waits for a sheet saved as open: no row it changed in place commits
    after the quarter was locked."""
    quarter = open_quarter(cast, DAY)
    assert_holds_quarter(quarter, lambda: record(session, all_present(b1_people), cast.secretary.user))
