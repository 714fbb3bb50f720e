import datetime

from django.contrib.auth import SESSION_KEY
from django.db.models import F
from django.urls import reverse

from members.models import (
    LockScope,
    LoginFailure,
    LoginLock,
    SecurityEvent,
    SecurityEventKind,
    SecurityOutcome,
)
from members.security.lockout import shown_time

from .conftest import PASSWORD

ACCOUNT_LOCKED = "登录失败次数过多，账号已锁定，请于"
ADDRESS_LOCKED = "登录失败次数过多，您所在的网络地址已被暂时锁定，请于"


def _fail(attempt, username, times, *, ips=None):
    response = None
    for n in range(times):
        response = attempt(username, "wrong-password", ip=ips[n] if ips else f"10.0.0.{n + 1}")
    return response


def _age(minutes):
    """Move every lock and failure `minutes` into the past: the clock, without mocking our code."""
    delta = datetime.timedelta(minutes=minutes)
    LoginLock.objects.update(locked_at=F("locked_at") - delta, until=F("until") - delta)
    LoginFailure.objects.update(at=F("at") - delta)


def test_it_locks_an_account_after_5_failures(client, cast, attempt):
    response = _fail(attempt, "member", 4)
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert not LoginLock.objects.exists()

    response = _fail(attempt, "member", 1, ips=["10.0.0.9"])
    lock = LoginLock.objects.get()
    assert (lock.scope, lock.key) == (LockScope.ACCOUNT, "member")
    assert lock.until - lock.locked_at == datetime.timedelta(minutes=30)
    assert f"{ACCOUNT_LOCKED} {shown_time(lock.until)} 后再试" in response.content.decode()


def test_it_refuses_the_right_password_while_locked(client, cast, attempt):
    _fail(attempt, "member", 5)
    response = attempt("member", PASSWORD, ip="10.9.9.9")
    assert response.status_code == 200
    assert ACCOUNT_LOCKED in response.content.decode()
    assert SESSION_KEY not in client.session
    # Refused before the password was checked, and not counted as one more failure.
    assert LoginFailure.objects.count() == 5
    refused = SecurityEvent.objects.get(kind=SecurityEventKind.LOGIN_FAILED, outcome=SecurityOutcome.DENIED)
    assert refused.username == "member" and refused.ip == "10.9.9.9"


def test_it_counts_the_account_whatever_the_case_typed(client, cast, attempt):
    for username in ["member", "Member", "MEMBER", " member", "mEmber"]:
        attempt(username, "wrong-password", ip="10.0.1.1" if username == "member" else "10.0.1.2")
    assert LoginLock.objects.filter(scope=LockScope.ACCOUNT, key="member").exists()


def test_it_unlocks_after_30_minutes_and_logs_it(client, cast, attempt):
    _fail(attempt, "member", 5)
    _age(29)
    assert ACCOUNT_LOCKED in attempt("member", PASSWORD, ip="10.9.9.9").content.decode()

    _age(2)
    response = attempt("member", PASSWORD, ip="10.9.9.9")
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(cast.member.user.pk)
    lock = LoginLock.objects.get()
    assert lock.lifted_at == lock.until
    unlocked = SecurityEvent.objects.get(kind=SecurityEventKind.UNLOCKED)
    assert unlocked.username == "member" and unlocked.at == lock.until
    # A successful login starts the account's count afresh.
    assert not LoginFailure.objects.filter(username="member").exists()


def test_it_forgets_failures_older_than_15_minutes(client, cast, attempt):
    _fail(attempt, "member", 4)
    _age(16)
    _fail(attempt, "member", 1)
    assert not LoginLock.objects.exists()
    assert attempt("member", PASSWORD).status_code == 302


def test_it_locks_an_address_after_5_failures_on_any_accounts(client, cast, attempt):
    for username in ["a1", "a2", "a3", "a4", "a5"]:
        response = attempt(username, "wrong-password", ip="10.2.2.2")
    assert ADDRESS_LOCKED in response.content.decode()
    lock = LoginLock.objects.get()
    assert (lock.scope, lock.key) == (LockScope.ADDRESS, "10.2.2.2")

    assert ADDRESS_LOCKED in attempt("member", PASSWORD, ip="10.2.2.2").content.decode()
    assert SESSION_KEY not in client.session
    assert attempt("member", PASSWORD, ip="10.2.2.3").status_code == 302


def test_it_logs_failures_and_the_lock(client, cast, attempt):
    _fail(attempt, "member", 5, ips=["10.3.3.3"] * 5)
    failures = SecurityEvent.objects.filter(
        kind=SecurityEventKind.LOGIN_FAILED, outcome=SecurityOutcome.FAILURE
    )
    assert failures.count() == 5
    assert {(e.username, e.ip, e.path) for e in failures} == {("member", "10.3.3.3", "/accounts/login/")}
    locks = SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKED).order_by("id")
    # The fifth failure locks both the account and the address it came from.
    assert [(e.outcome, e.ip) for e in locks] == [(SecurityOutcome.DENIED, "10.3.3.3")] * 2
    assert "锁定至" in locks[0].detail


def test_it_counts_admin_login_failures_too(client, cast, attempt):
    for n in range(5):
        response = attempt("member", "wrong-password", ip=f"10.4.4.{n}", url=reverse("admin:login"))
    assert ACCOUNT_LOCKED in response.content.decode()
    assert LoginLock.objects.filter(scope=LockScope.ACCOUNT, key="member").exists()
