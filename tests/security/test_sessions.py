import time

from django.conf import settings
from django.urls import reverse

from members.models import SecurityEvent, SecurityEventKind
from members.security import sessions_revoke
from members.security.sessions import LOGIN_AT, SEEN_AT
from members.services import member_transfer_out

from .conftest import PASSWORD

HOME = "/"


def _login(client, person):
    response = client.post(reverse("login"), {"username": person.user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(HOME).status_code == 200
    return client


def _set(client, **values):
    session = client.session
    for key, value in values.items():
        session[key] = value
    session.save()


def _logged_out(response):
    return response.status_code == 302 and response.url.startswith(reverse("login"))


def test_it_ends_a_session_idle_for_30_minutes(client, cast):
    _login(client, cast.member)
    _set(client, **{SEEN_AT: time.time() - 31 * 60})
    response = client.get(HOME)
    assert _logged_out(response)
    assert "超过 30 分钟未操作" in client.get(response.url).content.decode()
    ended = SecurityEvent.objects.get(kind=SecurityEventKind.SESSION_ENDED)
    assert ended.user == cast.member.user
    assert _logged_out(client.get(HOME))


def test_it_keeps_a_session_used_within_30_minutes(client, cast):
    _login(client, cast.member)
    _set(client, **{SEEN_AT: time.time() - 29 * 60})
    assert client.get(HOME).status_code == 200
    # …and that request counts as activity.
    assert time.time() - client.session[SEEN_AT] < 60


def test_it_ends_a_session_after_12_hours_however_active(client, cast):
    _login(client, cast.member)
    _set(client, **{LOGIN_AT: time.time() - 12 * 3600 - 1, SEEN_AT: time.time()})
    response = client.get(HOME)
    assert _logged_out(response)
    assert "登录已超过 12 小时" in client.get(response.url).content.decode()


def test_it_stores_the_login_time_in_the_session(client, cast):
    before = time.time()
    _login(client, cast.member)
    assert before <= client.session[LOGIN_AT] <= time.time()


def test_it_expires_the_cookie_with_the_idle_limit(client, cast):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    response = client.post(reverse("login"), {"username": "member", "password": PASSWORD})
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60


def test_it_logs_out_a_disabled_account(client, cast):
    _login(client, cast.member)
    cast.member.user.is_active = False
    cast.member.user.save()
    assert _logged_out(client.get(HOME))
    ended = SecurityEvent.objects.get(kind=SecurityEventKind.SESSION_ENDED)
    assert "停用" in ended.detail
    assert ended.username == f"#{cast.member.user.pk}"


def test_it_logs_out_a_member_transferred_out(client, cast):
    _login(client, cast.member)
    member_transfer_out(member=cast.member.member, actor=cast.secretary.user, reason="转往外单位")
    assert _logged_out(client.get(HOME))
    assert _logged_out(client.get(HOME))


def test_it_ends_open_sessions_when_revoked(client, cast):
    _login(client, cast.member)
    sessions_revoke(cast.member.user, reason="账号停用")
    response = client.get(HOME)
    assert _logged_out(response)
    assert "登录已被终止" in client.get(response.url).content.decode()
    # A new login is not affected by the old epoch.
    _login(client, cast.member)


def test_it_logs_login_and_logout(client, cast):
    _login(client, cast.member)
    client.post(reverse("logout"))
    kinds = list(SecurityEvent.objects.order_by("id").values_list("kind", "username", "ip"))
    assert kinds == [
        (SecurityEventKind.LOGIN, "member", "127.0.0.1"),
        (SecurityEventKind.LOGOUT, "member", "127.0.0.1"),
    ]
