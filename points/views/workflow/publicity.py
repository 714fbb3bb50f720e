"""党员大会评定, 公示, 异议与申诉 (clause 四.4-四.5)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from branches.access import actor_for, get_object_for_user
from config.errors import error_text
from members.models import Category, Member, MemberStatus

from ...forms.workflow import AssemblyForm, ObjectionForm, ObjectionHandleForm
from ...models import Assembly, ObjectionState, PointEntry, QuarterState
from ...selectors import workflow as selectors
from ...selectors.facts import scheme_for
from ...services import workflow as services
from ._common import quarter_for


@require_http_methods(["GET", "POST"])
@login_required
def assembly(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    quarter = quarter_for(user, pk, "points.manage_quarter")
    held = Assembly.objects.filter(quarter=quarter).first()
    in_review = quarter.state == QuarterState.IN_REVIEW
    # The same people `services.voting_members` counts: the branch's active full members.
    voters = Member.objects.filter(
        branch=quarter.branch, status=MemberStatus.ACTIVE, category=Category.FULL
    ).order_by("code")
    form = AssemblyForm(request.POST or None, voters=voters) if in_review else None
    if request.method == "POST" and form is None:
        messages.error(request, f"{quarter.label}当前为“{quarter.get_state_display()}”，不能召开评定大会。")
        return redirect("points:quarter", pk=quarter.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assembly_record(
                quarter=quarter,
                actor=user,
                held_on=data["held_on"],
                present=list(data["present"]),
                decision=data["decision"],
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, "党员大会评定已记录。下一步：发布公示。")
            return redirect("points:quarter", pk=quarter.pk)
    context = {
        "quarter": quarter,
        "form": form,
        "held": held,
        "present": held.present.order_by("code") if held else (),
        "rows": selectors.quarter_rows(quarter) if in_review else None,
        "voter_count": voters.count(),
    }
    return render(request, "points/workflow/assembly.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def objection_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A member objects to their own published points, to the branch or to the higher organization."""
    user = request.user
    quarter = quarter_for(user, pk, "points.declare")
    open_now = quarter.state == QuarterState.PUBLISHED and timezone.localdate() <= quarter.publicity_end
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_submit(quarter=quarter, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, "异议已提交，核实后将向您反馈，并在下一次支部党员大会上通报。")
            return redirect("points:object", pk=quarter.pk)
    context = {
        "quarter": quarter,
        "form": form,
        "open_now": open_now,
        "mine": quarter.objections.filter(member_id=actor_for(user).member_id).select_related(
            "handled_by__member"
        ),
    }
    return render(request, "points/workflow/object.html", context)


@require_GET
@login_required
def objections(request: HttpRequest) -> HttpResponse:
    if not selectors.handles_objections(request.user):
        raise PermissionDenied
    return render(
        request,
        "points/workflow/objections.html",
        {"objections": selectors.objections_to_handle(request.user)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def objection_handle(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    objection = get_object_for_user(user, selectors.objection_scope(user), "points.handle_objection", pk=pk)
    quarter = objection.quarter
    scheme = scheme_for(quarter.branch, quarter.year)
    entries = PointEntry.objects.filter(quarter=quarter, member=objection.member, is_current=True)
    form = None
    if objection.state == ObjectionState.SUBMITTED:
        form = ObjectionHandleForm(request.POST or None, scheme=scheme, entries=entries)
    if request.method == "POST" and form is None:
        messages.error(request, "该异议已处理。")
        return redirect("points:objection_handle", pk=objection.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_handle(objection=objection, actor=user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, "已记录核实情况并向党员反馈；将在下一次支部党员大会上通报。")
            return redirect("points:objections")
    context = {
        "objection": objection,
        "quarter": quarter,
        "form": form,
        "detail": selectors.review_detail(quarter, objection.member),
        "steps": selectors.timeline("objection", objection.pk),
    }
    return render(request, "points/workflow/objection_handle.html", context)
