from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.access import actor_for, get_object_for_user
from branches.models import Organization
from config.errors import error_text
from members.security.downloads import PDF, file_response, stored_file_response

from .. import selectors, services
from ..forms import (
    ArrangementForm,
    ReadingFormSet,
    RequirementFormSet,
    ScheduleFormSet,
    kept_rows,
)
from ..models import Reading
from ..pdf import arrangement_pdf, pdf_filename
from ..selectors.scopes import staff_committee_ids
from ..services.arrangements import FIELDS, match_organizers


def _get(request, pk: int, perm: str = "study.view_arrangement"):
    return get_object_for_user(
        request.user, selectors.with_content(selectors.visible_arrangements(request.user)), perm, pk=pk
    )


def _forms(request, initial=None, schedule=None, readings=None, requirements=None):
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    return (
        ArrangementForm(data, initial=initial),
        ScheduleFormSet(data, prefix="schedule", initial=schedule),
        ReadingFormSet(data, files, prefix="readings", initial=readings),
        RequirementFormSet(data, prefix="requirements", initial=requirements),
    )


def _content(form, schedule, readings, requirements) -> dict:
    content = {k: v for k, v in form.cleaned_data.items() if k not in ("reason", "version")}
    content["schedule"] = kept_rows(schedule)
    content["readings"] = kept_rows(readings)
    content["requirements"] = [row["text"] for row in kept_rows(requirements)]
    return content


def _all_valid(*forms) -> bool:
    return all([f.is_valid() for f in forms])  # a list, so every form shows its errors


@require_GET
@login_required
def arrangement_list(request: HttpRequest) -> HttpResponse:
    context = {
        "arrangements": selectors.arrangement_list(request.user),
        "can_add": request.user.has_perm("study.add_arrangement"),
        "can_notices": request.user.has_perm("study.list_notices"),
        "can_inspections": request.user.has_perm("study.list_inspections"),
        "can_completion": request.user.has_perm("study.view_completion"),
        "is_member": request.user.has_perm("study.view_own_study"),
    }
    return render(request, "study/arrangement_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def arrangement_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("study.add_arrangement"):
        raise PermissionDenied
    committee = (
        Organization.objects.filter(pk__in=staff_committee_ids(actor_for(request.user)))
        .order_by("pk")
        .first()
    )
    forms = _forms(request)
    if request.method == "POST" and _all_valid(*forms):
        try:
            arrangement = services.arrangement_create(
                committee=committee, content=_content(*forms), actor=request.user
            )
        except ValidationError as exc:
            forms[0].add_error(None, error_text(exc))
        else:
            messages.success(request, "学习教育安排已保存为草稿，核对无误后发布。")
            return redirect("study:arrangement_detail", pk=arrangement.pk)
    return render(request, "study/arrangement_form.html", {"forms": forms, "arrangement": None})


@require_GET
@login_required
def arrangement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    arrangement = _get(request, pk)
    user = request.user
    can_edit = user.has_perm("study.change_arrangement", arrangement)
    unmatched = []
    if can_edit:
        for row in arrangement.schedule.all():
            unmatched += match_organizers(arrangement.committee, row.organizers_text)[1]
    context = {
        "a": arrangement,
        "can_edit": can_edit,
        "can_plan": user.has_perm("study.plan_session", arrangement),
        "sessions": selectors.arrangement_sessions(user, arrangement),
        "own_sessions": selectors.own_branch_sessions(user, arrangement),
        "unmatched": unmatched,
        "revision_count": arrangement.revisions.count(),
    }
    return render(request, "study/arrangement_detail.html", context)


def _initial(arrangement):
    initial = {f: getattr(arrangement, f) for f in FIELDS}
    initial["version"] = arrangement.version
    schedule = [
        {"week": r.week, "date": r.date, "organizers_text": r.organizers_text}
        for r in arrangement.schedule.all()
    ]
    readings = [
        {
            "id": r.pk,
            "title": r.title,
            "source": r.source,
            "url": r.url,
            "page": r.page,
            "file_name": r.attachment_name,
        }
        for r in arrangement.readings.all()
    ]
    requirements = [{"text": r.text} for r in arrangement.requirements.all()]
    return initial, schedule, readings, requirements


@require_http_methods(["GET", "POST"])
@login_required
def arrangement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    arrangement = _get(request, pk, "study.change_arrangement")
    forms = _forms(request, *_initial(arrangement))
    if request.method == "POST" and _all_valid(*forms):
        try:
            revision = services.arrangement_update(
                arrangement=arrangement,
                content=_content(*forms),
                actor=request.user,
                reason=forms[0].cleaned_data.get("reason", ""),
                expected_version=forms[0].cleaned_data.get("version"),
            )
        except ValidationError as exc:
            forms[0].add_error(None, error_text(exc))
        else:
            if revision is not None:
                messages.success(request, f"已修订（第 {revision.version} 版），修订记录已保存。")
            elif arrangement.is_published:
                messages.info(request, "内容没有变化。")
            else:
                messages.success(request, "草稿已保存。")
            return redirect("study:arrangement_detail", pk=arrangement.pk)
    return render(request, "study/arrangement_form.html", {"forms": forms, "arrangement": arrangement})


@require_POST
@login_required
def arrangement_publish(request: HttpRequest, pk: int) -> HttpResponse:
    arrangement = _get(request, pk, "study.change_arrangement")
    try:
        services.arrangement_publish(arrangement=arrangement, actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "已发布，全体党员可以查看。")
    return redirect("study:arrangement_detail", pk=arrangement.pk)


@require_GET
@login_required
def arrangement_revisions(request: HttpRequest, pk: int) -> HttpResponse:
    arrangement = _get(request, pk)
    return render(
        request,
        "study/arrangement_revisions.html",
        {"a": arrangement, "revisions": selectors.revisions(arrangement)},
    )


@require_GET
@login_required
def arrangement_print(request: HttpRequest, pk: int) -> HttpResponse:
    arrangement = _get(request, pk)
    # The committee's published arrangement holds nobody's personal data: not logged as an export.
    return file_response(
        arrangement_pdf(arrangement),
        filename=pdf_filename(arrangement),
        content_type=PDF,
        what="学习教育安排",
        scope=arrangement.committee.name,
        as_attachment=False,
    )


@require_GET
@login_required
def reading_file(request: HttpRequest, pk: int) -> HttpResponse:
    reading = get_object_for_user(
        request.user,
        Reading.objects.filter(arrangement__in=selectors.visible_arrangements(request.user)).select_related(
            "arrangement__committee"
        ),
        "study.view_reading",
        pk=pk,
    )
    if not reading.attachment:
        raise Http404
    # A reading of the arrangement, the same for every member: not logged as an export.
    return stored_file_response(
        reading.attachment,
        filename=reading.attachment_name,
        what="学习材料",
        scope=reading.arrangement.committee.name,
    )
