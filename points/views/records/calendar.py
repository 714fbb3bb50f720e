"""The branch calendar: list by quarter, create, edit, cancel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.errors import error_text

from ...forms.records import MAX_YEAR, MIN_YEAR, SessionForm, year_or_current
from ...selectors import records as selectors
from ...selectors.quarters import final_notice, records_locked
from ...services import records as services
from .common import add_errors, branch_for, calendar_url, session_for


@require_GET
@login_required
def session_list(request: HttpRequest, pk: int) -> HttpResponse:
    branch = branch_for(request, pk, "points.view_branch_points")
    year = year_or_current(request.GET.get("year"))
    now = timezone.now()
    sessions = selectors.branch_sessions(branch, year)
    context = {
        "branch": branch,
        "year": year,
        "quarters": selectors.sessions_by_quarter(sessions),
        "upcoming": selectors.upcoming_sessions(branch, now=now),
        "locked": selectors.locked_quarters(branch, year),
        "filed": final_notice(branch.pk, year),
        "can_record": request.user.has_perm("points.record", branch),
        "now": now,
        "prev_year": year - 1 if year > MIN_YEAR else None,
        "next_year": year + 1 if year < MAX_YEAR else None,
    }
    return render(request, "points/records/session_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def session_new(request: HttpRequest, pk: int) -> HttpResponse:
    branch = branch_for(request, pk, "points.record")
    form = SessionForm(request.POST or None, branch=branch)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(branch=branch, actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已安排活动：{session.title}。")
            return redirect(calendar_url(session))
    return render(request, "points/records/session_form.html", {"branch": branch, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = session_for(request, pk)
    form = SessionForm(request.POST or None, branch=session.branch, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_update(session=session, actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已保存：{session.title}。")
            return redirect(calendar_url(session))
    context = {
        "branch": session.branch,
        "session": session,
        "form": form,
        "locked": records_locked(session.branch, selectors.local_day(session.starts_at)),
    }
    return render(request, "points/records/session_form.html", context)


@require_POST
@login_required
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = session_for(request, pk)
    try:
        services.session_cancel(session=session, actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("points:session_edit", pk=session.pk)
    messages.success(request, f"已取消活动：{session.title}。")
    return redirect(calendar_url(session))
