from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.access import get_object_for_user
from config.errors import error_text
from members.security.downloads import XLSX, file_response, personal_download

from .. import selectors, services
from ..forms import InspectionAnswerForm, InspectionForm, YearForm
from ..models import InspectionKind
from ..xlsx import completion_xlsx


@require_http_methods(["GET", "POST"])
@login_required
def inspection_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    branch = get_object_for_user(user, selectors.visible_branches(user), "study.inspect_branch", pk=pk)
    kinds = [
        kind
        for kind, perm in (
            (InspectionKind.PERIODIC, "study.check_branch"),
            (InspectionKind.SPOT, "study.spot_inspect_branch"),
        )
        if user.has_perm(perm, branch)
    ]
    form = InspectionForm(
        request.POST or None,
        kinds=kinds,
        initial={
            "inspected_on": timezone.localdate(),
            "inspector_name": user.first_name or user.get_username(),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.inspection_record(branch=branch, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, f"已记录对{branch.name}的{inspection.get_kind_display()}。")
            return redirect("study:inspection_detail", pk=inspection.pk)
    return render(request, "study/inspection_form.html", {"branch": branch, "form": form})


@require_GET
@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("study.list_inspections"):
        raise PermissionDenied
    inspections = selectors.listed_inspections(request.user).select_related("branch__parent")
    return render(request, "study/inspection_list.html", {"inspections": inspections})


@require_GET
@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_for_user(
        request.user, selectors.visible_inspections(request.user), "study.view_inspection", pk=pk
    )
    can_answer = not inspection.is_answered and request.user.has_perm("study.answer_inspection", inspection)
    return render(
        request,
        "study/inspection_detail.html",
        {"i": inspection, "answer_form": InspectionAnswerForm() if can_answer else None},
    )


@require_POST
@login_required
def inspection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_for_user(
        request.user, selectors.visible_inspections(request.user), "study.answer_inspection", pk=pk
    )
    form = InspectionAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.inspection_answer(
                inspection=inspection, response=form.cleaned_data["response"], actor=request.user
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, "整改情况已反馈。")
            return redirect("study:inspection_detail", pk=inspection.pk)
    else:
        messages.error(request, "请填写整改情况（2000 字以内）。")
    return redirect("study:inspection_detail", pk=inspection.pk)


def _year(request) -> int:
    return YearForm(request.GET).year_or(timezone.localdate().year)


@require_GET
@login_required
def completion(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("study.view_completion"):
        raise PermissionDenied
    year = _year(request)
    rows = selectors.completion_table(request.user, year)
    return render(
        request, "study/completion.html", {"rows": rows, "year": year, "years": range(year - 3, year + 2)}
    )


@require_GET
@login_required
@personal_download
def completion_export(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("study.view_completion"):
        raise PermissionDenied
    year = _year(request)
    rows = selectors.completion_table(request.user, year)
    return file_response(
        completion_xlsx(rows, year),
        filename=f"{year}年党员学习教育完成情况.xlsx",
        content_type=XLSX,
        what=f"{year}年党员学习教育完成情况",
        scope="、".join(row.branch.name for row in rows) or "无支部",
    )
