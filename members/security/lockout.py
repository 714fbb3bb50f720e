"""登录失败锁定: 5 failures within 15 minutes lock the account, or the address, for 30 minutes.

An attempt during a lock is refused before the password is even checked, so a locked account gives
no hint whether a guess was right, and such attempts do not count as new failures. The numbers are
settings (LOGIN_FAILURE_LIMIT, LOGIN_ADDRESS_FAILURE_LIMIT, LOGIN_FAILURE_WINDOW_MINUTES,
LOGIN_LOCK_MINUTES); every time is passed in as `now`, so tests move the clock by editing rows.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from members.models import LockScope, LoginFailure, LoginLock, SecurityEventKind, SecurityOutcome

from .services import log_event


def _key(username: str) -> str:
    # Usernames are matched exactly at login, but "Shuji" and "shuji" must share one failure count.
    return (username or "").strip().lower()[:150]


def lift_expired(now: datetime.datetime) -> None:
    """Log the end of every lock that has run out (stamped with the time it ran out)."""
    for lock in LoginLock.objects.filter(lifted_at__isnull=True, until__lte=now):
        if LoginLock.objects.filter(pk=lock.pk, lifted_at__isnull=True).update(lifted_at=lock.until) != 1:
            continue  # another request logged it first
        log_event(
            None,
            SecurityEventKind.UNLOCKED,
            SecurityOutcome.SUCCESS,
            username=lock.key if lock.scope == LockScope.ACCOUNT else "",
            ip=lock.key if lock.scope == LockScope.ADDRESS else None,
            detail=f"{lock.get_scope_display()}锁定期满，自动解除",
            at=lock.until,
        )


def active_lock(username: str, ip: str | None, now: datetime.datetime) -> LoginLock | None:
    lift_expired(now)
    q = Q(scope=LockScope.ACCOUNT, key=_key(username))
    if ip:
        q |= Q(scope=LockScope.ADDRESS, key=ip)
    return LoginLock.objects.filter(q, until__gt=now).order_by("-until").first()


def record_failure(request, username: str, ip: str | None, now: datetime.datetime) -> LoginLock | None:
    """Count one failed attempt; returns the lock it triggered, if any."""
    key = _key(username)
    LoginFailure.objects.create(username=key, ip=ip, at=now)
    log_event(
        request,
        SecurityEventKind.LOGIN_FAILED,
        SecurityOutcome.FAILURE,
        username=username,
        ip=ip,
        detail="用户名或密码错误",
    )
    since = now - datetime.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    lock = None
    if LoginFailure.objects.filter(username=key, at__gt=since).count() >= settings.LOGIN_FAILURE_LIMIT:
        lock = _lock(request, LockScope.ACCOUNT, key, ip, now)
    if (
        ip
        and LoginFailure.objects.filter(ip=ip, at__gt=since).count() >= settings.LOGIN_ADDRESS_FAILURE_LIMIT
    ):
        lock = _lock(request, LockScope.ADDRESS, ip, ip, now)
    return lock


def _lock(request, scope: str, key: str, ip: str | None, now: datetime.datetime) -> LoginLock:
    lock = LoginLock.objects.create(
        scope=scope,
        key=key,
        locked_at=now,
        until=now + datetime.timedelta(minutes=settings.LOGIN_LOCK_MINUTES),
    )
    log_event(
        request,
        SecurityEventKind.LOCKED,
        SecurityOutcome.DENIED,
        username=key if scope == LockScope.ACCOUNT else "",
        ip=ip,
        detail=f"{settings.LOGIN_FAILURE_WINDOW_MINUTES} 分钟内登录失败次数过多，{lock.get_scope_display()}锁定至 "
        f"{shown_time(lock.until)}",
    )
    return lock


def clear_failures(username: str) -> None:
    """A successful login wipes the account's count (not the address's: one good password must not
    let an address go on guessing other accounts)."""
    LoginFailure.objects.filter(username=_key(username)).delete()


def shown_time(moment: datetime.datetime) -> str:
    """HH:MM in local time, rounded up: at the minute shown the lock has surely ended."""
    local = timezone.localtime(moment)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    return f"{local:%H:%M}"


def lock_message(lock: LoginLock) -> str:
    if lock.scope == LockScope.ACCOUNT:
        return f"登录失败次数过多，账号已锁定，请于 {shown_time(lock.until)} 后再试。"
    return f"登录失败次数过多，您所在的网络地址已被暂时锁定，请于 {shown_time(lock.until)} 后再试。"
