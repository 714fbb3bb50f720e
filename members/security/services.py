"""Writes of the security code: the security log, forced password changes, revoking sessions."""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from members.models import AccountSecurity, SecurityEvent, SecurityEventKind, SecurityOutcome

logger = logging.getLogger("jifen.security")


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the entry our own proxies added to X-Forwarded-For.

    Only the last SECURITY_TRUSTED_PROXIES entries were written by proxies we run; anything to their
    left came from the client and could be forged to dodge the per-address lockout.
    """
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.SECURITY_TRUSTED_PROXIES
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def log_event(
    request,
    kind: str,
    outcome: str,
    *,
    user=None,
    username: str | None = None,
    ip: str | None = None,
    detail: str = "",
    at=None,
) -> SecurityEvent:
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    if username is None:
        username = user.get_username() if user is not None else ""
    event = SecurityEvent.objects.create(
        at=at or timezone.now(),
        kind=kind,
        outcome=outcome,
        user=user,
        username=username[:150],
        ip=ip or client_ip(request),
        path=request.get_full_path()[:500] if request is not None and request.path else "",
        detail=detail[:500],
        request_id=getattr(request, "request_id", ""),
    )
    # The same event in the application log too, for whoever collects the JSON lines.
    logger.info(
        "%s %s user=%s ip=%s path=%s %s",
        kind,
        outcome,
        event.username or "-",
        event.ip or "-",
        event.path or "-",
        event.detail,
    )
    return event


def log_export(request, what: str) -> SecurityEvent:
    return log_event(request, SecurityEventKind.EXPORT, SecurityOutcome.SUCCESS, detail=what)


def account_state(user_id: int) -> tuple[int, bool]:
    """(session epoch, must change password) for one account: one query per request."""
    row = (
        AccountSecurity.objects.filter(user_id=user_id)
        .values_list("session_epoch", "must_change_password")
        .first()
    )
    return row if row is not None else (0, False)


@transaction.atomic
def require_password_change(user, *, actor=None) -> None:
    AccountSecurity.objects.update_or_create(user=user, defaults={"must_change_password": True})
    log_event(
        None,
        SecurityEventKind.PASSWORD_CHANGE_REQUIRED,
        SecurityOutcome.SUCCESS,
        user=user,
        detail=f"由 {actor.get_username()} 设置" if actor is not None else "账号由导入或初始化创建",
    )


@transaction.atomic
def password_changed(request, user) -> None:
    AccountSecurity.objects.update_or_create(
        user=user, defaults={"must_change_password": False, "password_changed_at": timezone.now()}
    )
    log_event(request, SecurityEventKind.PASSWORD_CHANGED, SecurityOutcome.SUCCESS, user=user)


@transaction.atomic
def sessions_revoke(user, *, reason: str = "") -> None:
    AccountSecurity.objects.get_or_create(user=user)
    AccountSecurity.objects.filter(user=user).update(session_epoch=F("session_epoch") + 1)
    log_event(
        None,
        SecurityEventKind.SESSION_ENDED,
        SecurityOutcome.SUCCESS,
        user=user,
        detail=f"该账号的全部会话已失效：{reason}" if reason else "该账号的全部会话已失效",
    )
