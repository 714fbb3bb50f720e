"""QR sign-in: the token, the window, who may sign in, and the member's phone screens."""

import datetime
import io
from unittest import mock

import pytest
import segno
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from members.services import member_update
from points.models import Attendance, Audience, SessionKind
from points.services.records import (
    attendance_sign_in,
    session_cancel,
    signin_slot,
    signin_token,
)
from points.views.records.signin import _qr_svg

from .helpers import DAY, START, assert_holds_quarter, lock, open_quarter, postgres_row_locks, record

DURING = START + datetime.timedelta(minutes=2)


def _token(session, now, back=0):
    return signin_token(session, signin_slot(now) - back)


def _sign_in(session, person, now=DURING, token=None, **kwargs):
    token = _token(session, now) if token is None else token
    return attendance_sign_in(session=session, user=person.user, token=token, now=now, **kwargs)


def _refused(session, person, message, **kwargs):
    count = Attendance.objects.count()
    with pytest.raises(ValidationError, match=message):
        _sign_in(session, person, **kwargs)
    assert Attendance.objects.count() == count


def test_it_accepts_the_current_code(cast, session):
    entry = _sign_in(session, cast.member)
    assert (entry.member, entry.status, entry.via_qr) == (cast.member.member, "present", True)
    assert entry.recorded_by == cast.member.user


def test_it_accepts_the_previous_code_for_clock_skew(cast, session):
    entry = _sign_in(session, cast.member, token=_token(session, DURING, back=1))
    assert entry.status == "present"


def test_it_refuses_an_expired_code(cast, session):
    _refused(session, cast.member, "签到二维码已过期或无效", token=_token(session, DURING, back=2))


@pytest.mark.parametrize("token", ["", "0" * 20, "not-a-token", "f" * 64])
def test_it_refuses_a_forged_code(cast, session, token):
    _refused(session, cast.member, "签到二维码已过期或无效", token=token)


def test_it_refuses_a_code_of_another_session(cast, session, make_session):
    other = make_session(title="另一场")
    _refused(session, cast.member, "签到二维码已过期或无效", token=_token(other, DURING))


def test_it_refuses_before_the_window_opens(cast, session):
    early = START - datetime.timedelta(minutes=31)
    _refused(session, cast.member, "签到尚未开始，签到时间为03月10日 13:30 至 16:00", now=early)


def test_it_opens_the_window_thirty_minutes_before_the_start(cast, session):
    entry = _sign_in(session, cast.member, now=START - datetime.timedelta(minutes=30))
    assert entry.status == "present"


def test_it_refuses_after_the_end(cast, session):
    _refused(session, cast.member, "签到已结束", now=START + datetime.timedelta(hours=2, seconds=1))


def test_it_records_late_after_ten_minutes(cast, session):
    assert _sign_in(session, cast.member, now=START + datetime.timedelta(minutes=10)).status == "present"
    later = START + datetime.timedelta(minutes=10, seconds=1)
    assert _sign_in(session, cast.committee_member, now=later).status == "late"


def test_it_refuses_someone_not_expected(cast, make_session):
    meeting = make_session(kind=SessionKind.COMMITTEE_MEETING, audience=Audience.COMMITTEE, title="支委会")
    _refused(meeting, cast.member, "您不在本次活动的应参加人员名单中")


def test_it_refuses_a_member_of_another_branch(cast, session):
    _refused(session, cast.other_member, "您不在本次活动的应参加人员名单中")


def test_it_never_overwrites_an_entry_already_made(cast, session):
    record(session, {cast.member.member.pk: ("excused", "出差")}, cast.recorder.user, now=DURING)
    _refused(session, cast.member, "您的出勤已登记为“请假”，无需重复签到")
    assert Attendance.objects.get(member=cast.member.member).status == "excused"


def test_it_refuses_a_second_scan(cast, session):
    _sign_in(session, cast.member)
    _refused(session, cast.member, "无需重复签到")


def test_it_refuses_a_transferred_out_member(cast, session):
    member_update(member=cast.member.member, status="transferred_out", reason="调出")
    _refused(session, cast.member, "您的组织关系已转出，不能签到")


def test_it_refuses_a_cancelled_session(cast, session):
    session_cancel(session=session, actor=cast.recorder.user)
    _refused(session, cast.member, "本次活动已取消")


def test_it_refuses_in_a_locked_quarter(cast, session):
    lock(cast.b1, DAY)
    _refused(session, cast.member, "已锁定")


@postgres_row_locks
def test_a_sign_in_holds_its_quarter_open_until_it_commits(cast, session):
    """Sending the quarter to review waits for a sign-in that found it open."""
    quarter = open_quarter(cast, DAY)
    assert_holds_quarter(quarter, lambda: _sign_in(session, cast.member))


def test_it_accepts_a_scan_remembered_before_a_login_detour(cast, session):
    scanned = DURING
    token = _token(session, scanned)
    three_minutes_later = scanned + datetime.timedelta(minutes=3)
    entry = _sign_in(session, cast.member, now=three_minutes_later, token=token, scanned_at=scanned)
    assert entry.status == "present"


def test_it_refuses_a_remembered_scan_older_than_the_grace(cast, session):
    scanned = DURING
    token = _token(session, scanned)
    _refused(
        session,
        cast.member,
        "签到二维码已过期或无效",
        now=scanned + datetime.timedelta(minutes=6),
        token=token,
        scanned_at=scanned,
    )


# --- the member's phone ------------------------------------------------------------------------


def _url(session, now):
    return reverse("points:signin", args=[session.pk, _token(session, now)])


def test_it_shows_a_confirm_button_then_records_the_member(client, cast, live_session):
    client.force_login(cast.member.user)
    url = _url(live_session, timezone.now())
    page = client.get(url)
    assert page.status_code == 200
    assert "确认签到" in page.content.decode()
    done = client.post(url)
    assert "签到成功：出席" in done.content.decode()
    entry = Attendance.objects.get(session=live_session, member=cast.member.member)
    assert entry.via_qr and entry.status == "present"


def test_it_shows_why_a_sign_in_is_refused(client, cast, live_session):
    client.force_login(cast.member.user)
    url = reverse("points:signin", args=[live_session.pk, "0" * 20])
    assert "签到二维码已过期或无效" in client.get(url).content.decode()
    assert "签到二维码已过期或无效" in client.post(url).content.decode()
    assert not Attendance.objects.exists()


def test_it_sends_anonymous_to_login_and_back_even_after_the_code_expired(client, cast, live_session):
    now = timezone.now()
    url = _url(live_session, now)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    client.post(reverse("login"), {"username": "member", "password": "pass-for-tests-2026"})
    later = now + datetime.timedelta(minutes=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert "确认签到" in client.get(url).content.decode()
        client.post(url)
    assert Attendance.objects.get(member=cast.member.member).via_qr


def test_it_does_not_remember_an_invalid_scan(client, cast, live_session):
    url = reverse("points:signin", args=[live_session.pk, "0" * 20])
    client.get(url)
    client.force_login(cast.member.user)
    assert "签到二维码已过期或无效" in client.post(url).content.decode()


def test_it_refuses_a_transferred_member_on_the_phone(client, cast, live_session):
    client.force_login(cast.member.user)
    url = _url(live_session, timezone.now())
    member_update(member=cast.member.member, status="transferred_out", reason="调出")
    response = client.post(url)
    # Their member row left the branch: the session is no longer in their scope.
    assert response.status_code == 404
    assert not Attendance.objects.exists()


# --- the recorder's QR screen ------------------------------------------------------------------


def test_it_shows_an_inline_svg_code_to_the_recorder(client, cast, live_session):
    client.force_login(cast.recorder.user)
    page = client.get(reverse("points:session_qr", args=[live_session.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body and "js/signin-qr.js" in body
    assert "cdn" not in body.lower()


def test_it_serves_a_fresh_svg_every_slot(client, cast, live_session):
    client.force_login(cast.recorder.user)
    url = reverse("points:session_qr_svg", args=[live_session.pk])
    now = timezone.now()
    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "image/svg+xml"
    assert "no-store" in first["Cache-Control"]
    with mock.patch("django.utils.timezone.now", return_value=now + datetime.timedelta(seconds=31)):
        second = client.get(url)
    assert first.content != second.content


def test_it_says_when_the_code_is_outside_the_window(client, cast, session):
    client.force_login(cast.recorder.user)
    response = client.get(reverse("points:session_qr_svg", args=[session.pk]))
    assert response.status_code == 409
    assert "当前不在签到时间内" in response.content.decode()
    page = client.get(reverse("points:session_qr", args=[session.pk]))
    assert "<svg" not in page.content.decode() and "当前不在签到时间内" in page.content.decode()


def test_it_encodes_an_absolute_signin_url(cast, session, rf, settings):
    settings.ALLOWED_HOSTS = ["jifen.example.edu.cn"]
    request = rf.get("/", HTTP_HOST="jifen.example.edu.cn", secure=True)
    token = _token(session, DURING)
    url = f"https://jifen.example.edu.cn{reverse('points:signin', args=[session.pk, token])}"
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=8, border=2, xmldecl=False, omitsize=True)
    assert _qr_svg(request, session, DURING) == out.getvalue().decode()
