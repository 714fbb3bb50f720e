"""QR sign-in: the recorder's code screen and the member's phone page."""

from __future__ import annotations

import datetime
import io

import segno
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from config.errors import error_text

from ...models import AttendanceStatus, Session
from ...services import records as services
from .common import session_for

SCANS_KEY = "points_signin_scans"  # per session pk: the token seen valid and when


def _qr_svg(request: HttpRequest, session: Session, now: datetime.datetime) -> str:
    token = services.signin_token(session, services.signin_slot(now))
    url = request.build_absolute_uri(reverse("points:signin", args=[session.pk, token]))
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=8, border=2, xmldecl=False, omitsize=True)
    return out.getvalue().decode()


@require_GET
@login_required
@never_cache
def session_qr(request: HttpRequest, pk: int) -> HttpResponse:
    session = session_for(request, pk)
    now = timezone.now()
    is_open = services.signin_open(session, now)
    context = {
        "session": session,
        "branch": session.branch,
        "svg": _qr_svg(request, session, now) if is_open else "",
        "is_open": is_open,
        "window": services.signin_window_text(session),
        "refresh_ms": services.SIGNIN_SLOT_SECONDS * 1000,
    }
    return render(request, "points/records/session_qr.html", context)


@require_GET
@login_required
@never_cache
def session_qr_svg(request: HttpRequest, pk: int) -> HttpResponse:
    """The current code alone, for the sign-in screen's script to swap in every 30 seconds."""
    session = session_for(request, pk)
    now = timezone.now()
    if not services.signin_open(session, now):
        text = f"签到时间为{services.signin_window_text(session)}，当前不在签到时间内。"
        return HttpResponse(text, status=409, content_type="text/plain; charset=utf-8")
    return HttpResponse(_qr_svg(request, session, now), content_type="image/svg+xml")


def _remember_scan(request: HttpRequest, session: Session, token: str, now: datetime.datetime) -> None:
    """Note server-side that this browser showed a valid code, so a login detour does not expire it."""
    scans = request.session.get(SCANS_KEY, {})
    scans[str(session.pk)] = [token, now.isoformat()]
    request.session[SCANS_KEY] = scans


def _scan_time(request: HttpRequest, session: Session, token: str) -> datetime.datetime | None:
    seen = request.session.get(SCANS_KEY, {}).get(str(session.pk))
    if not seen or seen[0] != token:
        return None
    try:
        return datetime.datetime.fromisoformat(seen[1])
    except (TypeError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
@never_cache
def signin(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """扫码签到: GET shows a confirm button (or why not), POST records the logged-in member."""
    now = timezone.now()
    if not request.user.is_authenticated:
        session = Session.objects.filter(pk=pk).first()
        if session is not None and services.signin_token_valid(session, token, now):
            _remember_scan(request, session, token, now)
        return redirect_to_login(request.get_full_path())
    session = session_for(request, pk, "points.view_branch_points")
    if request.method == "GET" and services.signin_token_valid(session, token, now):
        _remember_scan(request, session, token, now)
    scanned_at = _scan_time(request, session, token)
    context = {"session": session, "token": token, "error": "", "entry": None, "status": ""}
    try:
        if request.method == "POST":
            context["entry"] = services.attendance_sign_in(
                session=session, user=request.user, token=token, now=now, scanned_at=scanned_at
            )
        else:
            _member, status = services.signin_check(
                session=session, user=request.user, token=token, now=now, scanned_at=scanned_at
            )
            context["status"] = AttendanceStatus(status).label
    except ValidationError as exc:
        context["error"] = error_text(exc)
    return render(request, "points/records/signin.html", context)
