"""Two middlewares: session limits and forced password change (before the view), and the security log
of refused requests (after it). Both go after AuthenticationMiddleware and MessageMiddleware."""

from __future__ import annotations

import time
from functools import cached_property

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse

from members.models import SecurityEventKind, SecurityOutcome

from . import sessions
from .services import account_state, log_event


class SessionSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def _open_paths(self) -> tuple[str, ...]:
        """Pages a user who must change their password can still reach."""
        return (
            reverse("password_change"),
            reverse("password_change_done"),
            reverse("logout"),
            settings.STATIC_URL,
            reverse("healthz"),
        )

    def __call__(self, request):
        return self._check(request) or self.get_response(request)

    def _check(self, request):
        user = request.user
        if not user.is_authenticated:
            if SESSION_KEY in request.session:
                # The session names a user the backend now refuses: disabled (转出, 停用) or deleted.
                user_id = request.session[SESSION_KEY]
                request.session.flush()
                log_event(
                    request,
                    SecurityEventKind.SESSION_ENDED,
                    SecurityOutcome.SUCCESS,
                    username=f"#{user_id}",
                    detail="账号已停用或删除，会话已终止",
                )
            return None

        now = time.time()
        epoch, must_change = account_state(user.pk)
        reason = sessions.expiry_reason(request.session, epoch=epoch, now=now)
        if reason:
            request.security_logout_reason = reason
            logout(request)
            messages.info(request, reason)
            return redirect_to_login(request.get_full_path())
        sessions.touch(request.session, epoch=epoch, now=now)

        if must_change and not request.path.startswith(self._open_paths):
            messages.warning(request, "为了账号安全，首次登录请先修改初始密码。")
            return redirect("password_change")
        return None


class SecurityLogMiddleware:
    """Logs every 403, and every 404 an authenticated user gets from one of our URL patterns (an id
    that does not exist or is outside their scope: we do not tell the two apart, on purpose).
    Unmatched paths (scanners, /favicon.ico) are not logged."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            log_event(
                request, SecurityEventKind.FORBIDDEN, SecurityOutcome.DENIED, detail=f"{request.method} 403"
            )
        elif (
            response.status_code == 404
            and getattr(request, "resolver_match", None) is not None
            and request.user.is_authenticated
        ):
            log_event(
                request, SecurityEventKind.NOT_FOUND, SecurityOutcome.DENIED, detail=f"{request.method} 404"
            )
        return response
