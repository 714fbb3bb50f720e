from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from branches.access import get_object_for_user
from config.errors import error_text

from .. import selectors, services
from ..forms import NoticeDecisionForm
from ..models.sessions import OPEN_NOTICE_STATES


@require_GET
@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm("study.list_notices"):
        raise PermissionDenied
    notices = selectors.listed_notices(user).select_related("submitted_by").order_by("-submitted_at", "-id")
    rows = [
        {
            "n": n,
            "can_forward": n.state == "submitted" and user.has_perm("study.forward_notice", n),
            "can_decide": n.state == "forwarded" and user.has_perm("study.decide_notice", n),
        }
        for n in notices
    ]
    open_rows = [r for r in rows if r["n"].state in OPEN_NOTICE_STATES]
    closed_rows = [r for r in rows if r["n"].state not in OPEN_NOTICE_STATES]
    return render(request, "study/notice_list.html", {"open_rows": open_rows, "closed_rows": closed_rows})


def _get(request, pk: int, perm: str):
    return get_object_for_user(request.user, selectors.visible_notices(request.user), perm, pk=pk)


def _done(request, call, success: str) -> HttpResponse:
    try:
        call()
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, success)
    return redirect("study:notices")


@require_POST
@login_required
def notice_forward(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _get(request, pk, "study.forward_notice")
    return _done(
        request, lambda: services.reschedule_forward(notice=notice, actor=request.user), "已报党委组织部。"
    )


@require_POST
@login_required
def notice_accept(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _get(request, pk, "study.decide_notice")
    form = NoticeDecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _done(
        request,
        lambda: services.reschedule_accept(notice=notice, actor=request.user, note=note),
        "已同意，活动时间、地点和方式已按报备调整。",
    )


@require_POST
@login_required
def notice_return(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _get(request, pk, "study.view_notice")
    if not (
        request.user.has_perm("study.decide_notice", notice)
        or request.user.has_perm("study.forward_notice", notice)
    ):
        raise PermissionDenied
    form = NoticeDecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _done(
        request, lambda: services.reschedule_return(notice=notice, actor=request.user, note=note), "已退回。"
    )
