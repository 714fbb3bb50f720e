"""session_create / session_update / session_cancel: the branch calendar's writes."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError

from points.models import Attendance, Audience, Session, SessionKind
from points.services.records import session_cancel, session_create, session_update

from .helpers import (
    AFTER,
    DAY,
    START,
    assert_holds_quarter,
    at,
    lock,
    open_quarter,
    postgres_row_locks,
    record,
    year_end_quarters,
)


def _create(cast, **overrides):
    fields = dict(
        branch=cast.b1,
        kind=SessionKind.STUDY,
        title="集中学习：党章",
        starts_at=START,
        ends_at=START + datetime.timedelta(hours=2),
        actor=cast.recorder.user,
    )
    fields.update(overrides)
    return session_create(**fields)


def test_it_creates_a_session_with_a_fresh_signin_secret(cast):
    session = _create(cast, venue="党员活动室", format="集中学习", hours=2)
    other = _create(cast)
    assert re.fullmatch(r"[0-9a-f]{64}", session.signin_secret)
    assert session.signin_secret != other.signin_secret
    assert session.created_by == cast.recorder.user
    assert (session.venue, session.format, session.hours, session.audience) == (
        "党员活动室",
        "集中学习",
        2,
        "branch",
    )


def test_it_creates_a_group_meeting_for_a_group_of_the_branch(cast):
    session = _create(cast, kind=SessionKind.GROUP_MEETING, audience=Audience.GROUP, group=cast.group1)
    assert session.group == cast.group1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": START}, "结束时间须晚于开始时间"),
        ({"ends_at": START - datetime.timedelta(hours=1)}, "结束时间须晚于开始时间"),
        ({"title": "  "}, "请填写活动主题"),
        ({"hours": 25}, "学时应在 0 至 24 之间"),
        ({"hours": -1}, "学时应在 0 至 24 之间"),
        ({"kind": SessionKind.COMMITTEE_MEETING}, "支委会的应参加人员应为支委会成员"),
        ({"kind": SessionKind.GROUP_MEETING}, "党小组会的应参加人员应为党小组成员"),
        ({"audience": Audience.GROUP}, "请选择本支部的党小组"),
    ],
)
def test_it_refuses_a_bad_session_and_saves_nothing(cast, overrides, message):
    with pytest.raises(ValidationError) as exc:
        _create(cast, **overrides)
    assert message in " ".join(exc.value.messages)
    assert Session.objects.count() == 0


def test_it_refuses_a_group_of_another_branch(cast):
    from tests.factories import make_org

    foreign = make_org("三支部第一小组", "group", cast.b3)
    with pytest.raises(ValidationError, match="请选择本支部的党小组"):
        _create(cast, audience=Audience.GROUP, group=foreign)
    assert Session.objects.count() == 0


def test_it_refuses_a_group_when_the_audience_is_the_branch(cast):
    with pytest.raises(ValidationError, match="只有应参加人员为党小组成员时"):
        _create(cast, group=cast.group1)


@pytest.mark.parametrize("role", ["member", "committee_member", "dept", "gb_secretary", "other_secretary"])
def test_it_refuses_to_create_for_someone_who_does_not_record_for_the_branch(cast, role):
    with pytest.raises(ValidationError, match="只有积分记录员或支部书记、副书记可以安排活动"):
        _create(cast, actor=getattr(cast, role).user)
    assert Session.objects.count() == 0


def test_it_refuses_a_new_session_in_a_locked_quarter(cast):
    lock(cast.b1, DAY)
    with pytest.raises(ValidationError, match="2025年第1季度的日常记录已锁定"):
        _create(cast)
    assert Session.objects.count() == 0


def test_it_updates_a_session(cast, session):
    later = at(DAY, 15)
    session_update(
        session=session,
        actor=cast.recorder.user,
        title="改期",
        starts_at=later,
        ends_at=at(DAY, 17),
        venue="会议室",
    )
    session.refresh_from_db()
    assert (session.title, session.starts_at, session.venue) == ("改期", later, "会议室")


def test_it_refuses_to_update_a_session_in_a_locked_quarter(cast, session):
    lock(cast.b1, DAY)
    with pytest.raises(ValidationError, match="已锁定（已转入支委初评），该活动不能再修改"):
        session_update(session=session, actor=cast.secretary.user, title="改名")
    session.refresh_from_db()
    assert session.title == "三月支部党员大会"


def test_it_refuses_to_move_a_session_into_a_locked_quarter(cast, make_session):
    april = datetime.date(2025, 4, 10)
    session = make_session(starts_at=at(april, 9))
    lock(cast.b1, DAY)
    with pytest.raises(
        ValidationError, match="2025年第1季度的日常记录已锁定（已转入支委初评），不能把活动改到该季度"
    ):
        session_update(session=session, actor=cast.secretary.user, starts_at=START, ends_at=at(DAY, 16))
    session.refresh_from_db()
    assert session.starts_at == at(april, 9)


def test_it_refuses_to_change_who_attends_once_attendance_is_recorded(cast, session):
    record(session, {cast.member.member.pk: ("present", "")}, cast.recorder.user)
    with pytest.raises(ValidationError, match="已登记出勤，不能再更改应参加人员"):
        session_update(
            session=session,
            actor=cast.secretary.user,
            kind=SessionKind.GROUP_MEETING,
            audience=Audience.GROUP,
            group=cast.group1,
        )
    session.refresh_from_db()
    assert session.audience == Audience.BRANCH


def test_it_refuses_to_update_a_cancelled_session(cast, session):
    session_cancel(session=session, actor=cast.recorder.user)
    with pytest.raises(ValidationError, match="已取消的活动不能修改"):
        session_update(session=session, actor=cast.recorder.user, title="x")


def test_it_refuses_unknown_fields_on_update(cast, session):
    with pytest.raises(ValidationError, match="不能修改字段：signin_secret"):
        session_update(session=session, actor=cast.recorder.user, signin_secret="0" * 64)


def test_it_refuses_an_update_by_a_plain_member(cast, session):
    with pytest.raises(ValidationError, match="只有积分记录员或支部书记、副书记可以修改活动"):
        session_update(session=session, actor=cast.member.user, title="x")


def test_it_cancels_a_session_once(cast, session):
    session_cancel(session=session, actor=cast.recorder.user)
    session.refresh_from_db()
    assert session.is_cancelled
    with pytest.raises(ValidationError, match="该活动已取消"):
        session_cancel(session=session, actor=cast.recorder.user)


def test_it_refuses_to_cancel_in_a_locked_quarter(cast, session):
    lock(cast.b1, DAY)
    with pytest.raises(ValidationError, match="该活动不能再取消"):
        session_cancel(session=session, actor=cast.secretary.user)
    session.refresh_from_db()
    assert not session.is_cancelled


def test_it_refuses_to_cancel_for_a_plain_member(cast, session):
    with pytest.raises(ValidationError, match="只有积分记录员或支部书记、副书记可以取消活动"):
        session_cancel(session=session, actor=cast.member.user)
    assert not Session.objects.get(pk=session.pk).is_cancelled


def test_it_keeps_attendance_rows_when_a_session_is_cancelled(cast, session):
    record(session, {cast.member.member.pk: ("present", "")}, cast.recorder.user, now=AFTER)
    session_cancel(session=session, actor=cast.recorder.user)
    assert Attendance.objects.filter(session=session).count() == 1


@postgres_row_locks
@pytest.mark.parametrize("step", ["create", "update", "cancel"])
def test_a_calendar_change_holds_its_quarter_open_until_it_commits(cast, step):
    """Sending the quarter to review waits for a session added, changed or cancelled as open."""
    session = _create(cast) if step != "create" else None
    quarter = open_quarter(cast, DAY)
    steps = {
        "create": lambda: _create(cast),
        "update": lambda: session_update(session=session, actor=cast.recorder.user, title="改名"),
        "cancel": lambda: session_cancel(session=session, actor=cast.recorder.user),
    }
    assert_holds_quarter(quarter, steps[step])


@postgres_row_locks
@pytest.mark.parametrize("held", ["from", "into"])
def test_a_session_moved_to_another_year_holds_both_quarters_open_until_it_commits(cast, held):
    december = at(datetime.date(DAY.year - 1, 12, 10), 14)
    session = _create(cast, starts_at=december, ends_at=december + datetime.timedelta(hours=2))
    quarters = year_end_quarters(cast)

    def move():
        ends_at = START + datetime.timedelta(hours=2)
        return session_update(session=session, actor=cast.recorder.user, starts_at=START, ends_at=ends_at)

    assert_holds_quarter(quarters[held], move)
