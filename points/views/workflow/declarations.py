"""党员申报 (clause 四.2): a member declares their own items or reports another member's."""

import calendar
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.access import actor_for, get_object_for_user
from config.errors import error_text
from members.models import Member, MemberStatus
from members.security.downloads import personal_download, stored_file_response

from ...forms.workflow import DeclarationForm
from ...models import DeclarationState, QuarterState
from ...selectors import workflow as selectors
from ...selectors.facts import scheme_for
from ...services import workflow as services
from ._common import quarter_for


def _last_day(quarter) -> datetime.date:
    month = quarter.number * 3
    return datetime.date(quarter.year, month, calendar.monthrange(quarter.year, month)[1])


def window_closed(quarter) -> str:
    """Why declarations are closed, or "" while the window is open."""
    if quarter.state != QuarterState.OPEN:
        return f"{quarter.label}已进入“{quarter.get_state_display()}”阶段，申报已截止。"
    if quarter.declaration_closes and timezone.localdate() > quarter.declaration_closes:
        return f"{quarter.label}的申报已于 {quarter.declaration_closes:%Y-%m-%d} 截止。"
    return ""


def _form(request: HttpRequest, quarter, scheme, **kwargs) -> DeclarationForm:
    """The declaration form of a new declaration or an edited draft: the branch's active members."""
    posted = request.method == "POST"
    return DeclarationForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        scheme=scheme,
        members=Member.objects.filter(branch=quarter.branch, status=MemberStatus.ACTIVE).order_by("code"),
        me=actor_for(request.user).member_id,
        **kwargs,
    )


@require_http_methods(["GET", "POST"])
@login_required
def declare(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    quarter = quarter_for(user, pk, "points.declare")
    me = actor_for(user).member_id
    scheme = scheme_for(quarter.branch, quarter.year)
    form = _form(request, quarter, scheme, day=min(timezone.localdate(), _last_day(quarter)))
    if request.method == "POST" and form.is_valid():
        try:
            declaration = services.declaration_create(quarter=quarter, actor=user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            who = "报告" if declaration.is_report else "申报"
            messages.success(request, f"{who}已保存为草稿，确认无误后请点击“提交”。")
            return redirect("points:declare", pk=quarter.pk)
    context = {
        "quarter": quarter,
        "form": form,
        "closed": window_closed(quarter),
        "declarations": selectors.attach_labels(list(selectors.own_declarations(quarter, me)), scheme),
    }
    return render(request, "points/workflow/declare.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def declaration_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """提交前可修改: the author edits a draft with the same form and checks as a new declaration."""
    user = request.user
    declaration = get_object_for_user(
        user, selectors.declaration_scope(user), "points.change_declaration", pk=pk
    )
    quarter = declaration.quarter
    back = redirect("points:declare", pk=quarter.pk)
    if declaration.state != DeclarationState.DRAFT:
        messages.error(request, f"这条申报{declaration.get_state_display()}，只有尚未提交的草稿可以修改。")
        return back
    form = _form(
        request,
        quarter,
        scheme_for(quarter.branch, quarter.year),
        initial=DeclarationForm.initial_of(declaration),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.declaration_update(declaration=declaration, actor=user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, "草稿已修改，确认无误后请点击“提交”。")
            return back
    context = {"quarter": quarter, "declaration": declaration, "form": form, "closed": window_closed(quarter)}
    return render(request, "points/workflow/declaration_edit.html", context)


def _own_step(request: HttpRequest, pk: int, step, done: str) -> HttpResponse:
    user = request.user
    declaration = get_object_for_user(
        user, selectors.declaration_scope(user), "points.change_declaration", pk=pk
    )
    try:
        step(declaration=declaration, actor=user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, done)
    return redirect("points:declare", pk=declaration.quarter_id)


@require_POST
@login_required
def declaration_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _own_step(request, pk, services.declaration_submit, "已提交，等待支委会初评。")


@require_POST
@login_required
def declaration_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _own_step(request, pk, services.declaration_withdraw, "已撤回。")


@require_GET
@login_required
@personal_download
def declaration_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    declaration = get_object_for_user(user, selectors.declaration_scope(user), "points.view_evidence", pk=pk)
    if not declaration.evidence:
        raise Http404("没有证明材料。")
    # The file was checked by content when uploaded and is stored under our own name and extension.
    name = declaration.evidence.name
    return stored_file_response(
        declaration.evidence,
        filename=f"证明材料-{declaration.pk}{name[name.rfind('.') :]}",
        what=f"积分申报证明材料（第 {declaration.pk} 号申报）",
        scope=f"{declaration.subject.name}（{declaration.quarter.branch.name}）",
    )
