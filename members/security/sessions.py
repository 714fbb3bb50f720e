"""会话安全: what a session remembers about its login, and the login/logout receivers.

A session ends after SESSION_IDLE_MINUTES without a request, SESSION_MAX_HOURS after login whatever
happens, and at once when sessions_revoke() raises the account's epoch. A disabled account's session
ends by itself: Django's ModelBackend refuses inactive users on every request.
"""

from __future__ import annotations

import time

from django.conf import settings

from members.models import SecurityEventKind, SecurityOutcome

from . import lockout
from .services import account_state, log_event

LOGIN_AT = "security_login_at"
SEEN_AT = "security_seen_at"
EPOCH = "security_epoch"
# Writing the last-seen time on every request would save the session on every request; once a
# minute is precise enough for a 30-minute limit.
SEEN_RESOLUTION_SECONDS = 60


def stamp(session, *, epoch: int, now: float | None = None) -> None:
    now = time.time() if now is None else now
    session[LOGIN_AT] = now
    session[SEEN_AT] = now
    session[EPOCH] = epoch


def expiry_reason(session, *, epoch: int, now: float) -> str:
    """Why this session must end now, or "" if it may go on."""
    if session.get(EPOCH, epoch) != epoch:
        return "您的登录已被终止（账号状态变更），请重新登录。"
    login_at = session.get(LOGIN_AT)
    if login_at is not None and now - login_at > settings.SESSION_MAX_HOURS * 3600:
        return f"登录已超过 {settings.SESSION_MAX_HOURS} 小时，请重新登录。"
    seen_at = session.get(SEEN_AT)
    if seen_at is not None and now - seen_at > settings.SESSION_IDLE_MINUTES * 60:
        return f"超过 {settings.SESSION_IDLE_MINUTES} 分钟未操作，已自动退出，请重新登录。"
    return ""


def touch(session, *, epoch: int, now: float) -> None:
    # Sessions opened before this code (or by a test's force_login before the receiver ran) start now.
    session.setdefault(LOGIN_AT, now)
    session.setdefault(EPOCH, epoch)
    if now - session.get(SEEN_AT, 0) >= SEEN_RESOLUTION_SECONDS:
        session[SEEN_AT] = now


def on_logged_in(sender, request, user, **kwargs) -> None:
    epoch, _ = account_state(user.pk)
    stamp(request.session, epoch=epoch)
    lockout.clear_failures(user.get_username())
    log_event(request, SecurityEventKind.LOGIN, SecurityOutcome.SUCCESS, user=user)


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is None:
        return  # logging out an anonymous visitor
    reason = getattr(request, "security_logout_reason", "")
    log_event(
        request,
        SecurityEventKind.SESSION_ENDED if reason else SecurityEventKind.LOGOUT,
        SecurityOutcome.SUCCESS,
        user=user,
        detail=reason or "用户退出",
    )
