"""A branch's quarters and one quarter's page: state, timeline, the next steps, the published results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.access import actor_for, get_object_for_user
from config.errors import error_text

from ...forms.workflow import QuarterOpenForm
from ...models import Assembly, QuarterState
from ...selectors import workflow as selectors
from ...services import workflow as services
from ._common import quarter_for


@require_http_methods(["GET", "POST"])
@login_required
def quarters(request: HttpRequest, pk: int) -> HttpResponse:
    """The branch's quarters; the secretary or deputy opens the next one here."""
    user = request.user
    branch = get_object_for_user(user, selectors.points_branches(user), "points.view_branch_points", pk=pk)
    can_manage = user.has_perm("points.manage_quarter", branch)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    year, number = selectors.next_quarter(branch, timezone.localdate())
    form = None
    if can_manage:
        form = QuarterOpenForm(request.POST or None, initial={"year": year, "number": number})
    if request.method == "POST" and form.is_valid():
        try:
            quarter = services.quarter_open(branch=branch, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, f"{quarter.label}已开启，党员可以申报积分事项。")
            return redirect("points:quarter", pk=quarter.pk)
    rows = list(selectors.branch_quarters(branch))
    context = {
        "branch": branch,
        "quarters": rows,
        "form": form,
        "years": sorted({q.year for q in rows}, reverse=True),
    }
    return render(request, "points/workflow/quarters.html", context)


@require_GET
@login_required
def quarter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    quarter = quarter_for(user, pk, "points.view_branch_points")
    branch = quarter.branch
    published = quarter.state in selectors.PUBLISHED_STATES
    today = timezone.localdate()
    assembly = Assembly.objects.filter(quarter=quarter).select_related("recorded_by__member").first()
    context = {
        "quarter": quarter,
        "branch": branch,
        "steps": selectors.timeline("quarter", quarter.pk),
        "assembly": assembly,
        "present_count": assembly.present.count() if assembly else 0,
        "can_manage": user.has_perm("points.manage_quarter", branch),
        "can_review": user.has_perm("points.review", branch),
        "is_member": user.has_perm("points.declare", branch),
        "can_see_all": user.has_perm("points.view_branch_results", branch),
        "can_object": quarter.state == QuarterState.PUBLISHED and today <= quarter.publicity_end,
        "publicity_over": quarter.state == QuarterState.PUBLISHED and today > quarter.publicity_end,
        # Results are the branch's business only once the assembly has determined and published them.
        "rows": selectors.quarter_rows(quarter) if published else None,
        "objections": selectors.quarter_objections(quarter),
        "announced": selectors.announced_objections(quarter),
        "my_member_id": actor_for(user).member_id,
        "states": QuarterState,
    }
    return render(request, "points/workflow/quarter.html", context)


def _quarter_step(request: HttpRequest, pk: int, step, done: str) -> HttpResponse:
    user = request.user
    quarter = quarter_for(user, pk, "points.manage_quarter")
    try:
        step(quarter=quarter, actor=user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, done.format(quarter=quarter))
    return redirect("points:quarter", pk=quarter.pk)


@require_POST
@login_required
def quarter_start_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _quarter_step(
        request,
        pk,
        services.quarter_start_review,
        "{quarter.label}申报已截止，转入支委初评；本季度记录已锁定。",
    )


@require_POST
@login_required
def quarter_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _quarter_step(
        request, pk, services.quarter_publish, "{quarter.label}积分已公示，接受党员群众监督。"
    )


@require_POST
@login_required
def quarter_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _quarter_step(request, pk, services.quarter_close, "{quarter.label}公示期满，已结束公示。")
