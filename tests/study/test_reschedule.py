"""Reschedule notices (学习要求 1): reported at least half a day (12 hours) before the original start,
through the general branch, with the new format and venue; accepting moves the session."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from study import services
from study.models import NoticeState, NoticeTransition, RescheduleNotice

START = datetime.datetime(2030, 5, 12, 14, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
NEW_START = START + datetime.timedelta(days=2)


@pytest.fixture
def session(plan):
    return plan(starts_at=START)


def _submit(session, person, now):
    return services.reschedule_submit(
        study_session=session,
        new_starts_at=NEW_START,
        new_ends_at=NEW_START + datetime.timedelta(hours=2),
        new_venue="线上会议室",
        new_format="线上学习",
        reason="学院临时安排教学检查",
        actor=person.user,
        now=now,
    )


def test_it_accepts_a_notice_13_hours_before(cast, session):
    notice = _submit(session, cast.secretary, START - datetime.timedelta(hours=13))
    assert notice.state == NoticeState.SUBMITTED
    assert (notice.old_starts_at, notice.old_venue, notice.new_venue) == (START, "党员活动室", "线上会议室")


def test_it_accepts_a_notice_exactly_12_hours_before(cast, session):
    notice = _submit(session, cast.secretary, START - datetime.timedelta(hours=12))
    assert notice.pk is not None


def test_it_refuses_a_notice_11_hours_before_and_changes_nothing(cast, session):
    with pytest.raises(ValidationError) as exc:
        _submit(session, cast.secretary, START - datetime.timedelta(hours=11))
    assert "须在原定开始时间前 12 小时（即 2030-05-12 02:00 前）报备" in exc.value.messages[0]
    assert not RescheduleNotice.objects.exists() and not NoticeTransition.objects.exists()
    session.session.refresh_from_db()
    assert session.session.starts_at == START and session.session.venue == "党员活动室"


def test_it_refuses_one_second_past_the_deadline(cast, session):
    with pytest.raises(ValidationError, match="12 小时"):
        _submit(session, cast.secretary, START - datetime.timedelta(hours=12) + datetime.timedelta(seconds=1))


def test_it_goes_through_the_general_branch_to_the_department(cast, session):
    notice = _submit(session, cast.secretary, START - datetime.timedelta(days=2))
    with pytest.raises(ValidationError, match="党委组织部"):
        services.reschedule_accept(notice=notice, actor=cast.secretary.user)
    with pytest.raises(ValidationError):  # not yet forwarded by the general branch
        services.reschedule_accept(
            notice=notice, actor=cast.dept.user, now=START - datetime.timedelta(days=1)
        )

    services.reschedule_forward(
        notice=notice, actor=cast.gb_secretary.user, now=START - datetime.timedelta(hours=20)
    )
    accepted_at = START - datetime.timedelta(hours=5)  # the department may answer after the deadline
    services.reschedule_accept(notice=notice, actor=cast.dept.user, note="同意", now=accepted_at)

    notice.refresh_from_db()
    assert notice.state == NoticeState.ACCEPTED and notice.decided_by == cast.dept.user
    assert (notice.old_starts_at, notice.old_venue, notice.old_format) == (START, "党员活动室", "集中学习")
    s = session.session
    s.refresh_from_db()
    assert (s.starts_at, s.venue, s.format) == (NEW_START, "线上会议室", "线上学习")
    assert list(notice.transitions.values_list("from_state", "to_state")) == [
        ("", "submitted"),
        ("submitted", "forwarded"),
        ("forwarded", "accepted"),
    ]


def test_it_refuses_to_forward_after_the_deadline(cast, session):
    notice = _submit(session, cast.secretary, START - datetime.timedelta(hours=13))
    with pytest.raises(ValidationError, match="2030-05-12 02:00"):
        services.reschedule_forward(
            notice=notice, actor=cast.gb_secretary.user, now=START - datetime.timedelta(hours=11)
        )
    notice.refresh_from_db()
    assert notice.state == NoticeState.SUBMITTED


def test_it_sends_a_general_branch_notice_straight_to_the_department(cast, session):
    notice = _submit(session, cast.gb_secretary, START - datetime.timedelta(days=1))
    assert notice.state == NoticeState.FORWARDED and notice.forwarded_by == cast.gb_secretary.user


def test_it_refuses_a_second_open_notice(cast, session):
    _submit(session, cast.secretary, START - datetime.timedelta(days=2))
    with pytest.raises(ValidationError, match="待处理"):
        _submit(session, cast.secretary, START - datetime.timedelta(days=2))
    assert RescheduleNotice.objects.count() == 1


def test_it_returns_a_notice_with_a_reason(cast, session):
    notice = _submit(session, cast.secretary, START - datetime.timedelta(days=2))
    with pytest.raises(ValidationError, match="说明理由"):
        services.reschedule_return(notice=notice, actor=cast.gb_secretary.user, note=" ")
    services.reschedule_return(notice=notice, actor=cast.gb_secretary.user, note="请改在周内")
    notice.refresh_from_db()
    assert notice.state == NoticeState.RETURNED and notice.decision_note == "请改在周内"


def test_it_shows_the_deadline_on_the_page_when_refusing(login, cast, plan):
    import django.utils.timezone as tz

    soon = tz.localtime() + datetime.timedelta(hours=6)
    soon = soon.replace(second=0, microsecond=0)
    ss = plan(starts_at=soon)
    client = login(cast.secretary)
    response = client.post(
        reverse("study:reschedule_new", args=[ss.pk]),
        {
            "date": (soon + datetime.timedelta(days=1)).date().isoformat(),
            "start": "14:00",
            "end": "16:00",
            "venue": "线上",
            "format": "线上学习",
            "reason": "临时有会",
        },
    )
    deadline = soon - datetime.timedelta(hours=12)
    assert response.status_code == 200
    assert f"（即 {deadline:%Y-%m-%d %H:%M} 前）报备" in response.content.decode()
    assert not RescheduleNotice.objects.exists()


def test_it_lets_the_department_see_and_accept_notices_on_the_list(login, cast, plan):
    from .conftest import at

    ss = plan(starts_at=at(5))
    notice = services.reschedule_submit(
        study_session=ss,
        new_starts_at=at(6),
        new_ends_at=at(6) + datetime.timedelta(hours=2),
        new_venue="图书馆报告厅",
        new_format="专题研讨",
        reason="场地冲突",
        actor=cast.gb_secretary.user,
    )
    client = login(cast.dept)
    page = client.get(reverse("study:notices")).content.decode()
    assert "第一党支部" in page and "图书馆报告厅" in page and "同意调整" in page
    response = client.post(reverse("study:notice_accept", args=[notice.pk]), follow=True)
    assert "已同意" in response.content.decode()
    ss.session.refresh_from_db()
    assert ss.session.venue == "图书馆报告厅"
