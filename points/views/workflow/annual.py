"""计算年度积分, 审核备案 (clause 四.6) and a member's year line by line."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from branches.access import actor_for, get_object_for_user
from config.errors import error_text
from members.selectors import visible_members

from ...forms.workflow import FilingReopenForm, FilingReviewForm
from ...models import AnnualFiling, FilingState, QuarterState
from ...selectors import workflow as selectors
from ...services import workflow as services
from ._common import check_year


@require_GET
@login_required
def annual(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    user = request.user
    check_year(year)
    branch = get_object_for_user(user, selectors.points_branches(user), "points.view_branch_points", pk=pk)
    filing = AnnualFiling.objects.filter(branch=branch, year=year).first()
    full = user.has_perm("points.view_branch_results", branch)
    table = None
    if filing:
        table = selectors.annual_table(filing, member_id=None if full else actor_for(user).member_id)
    quarters = selectors.year_quarters(branch, year)
    can_manage = user.has_perm("points.manage_quarter", branch)
    editable = filing is None or filing.state in (FilingState.ROLLED_UP, FilingState.RETURNED)
    context = {
        "branch": branch,
        "year": year,
        "filing": filing,
        "full": full,
        "table": table,
        "quarters": [(n, quarters.get(n)) for n in (1, 2, 3, 4)],
        "all_closed": all(q is not None and q.state == QuarterState.CLOSED for q in quarters.values())
        and len(quarters) == 4,
        "can_roll_up": can_manage and editable,
        "can_submit": can_manage and filing is not None and editable,
        "can_file": filing is not None
        and filing.state == FilingState.SUBMITTED
        and user.has_perm("points.oversee", branch),
        "review_form": FilingReviewForm(),
        "can_reopen": filing is not None
        and filing.state == FilingState.FILED
        and user.has_perm("points.oversee", branch),
        "reopen_form": FilingReopenForm(),
        "steps": selectors.timeline("filing", filing.pk) if filing else [],
    }
    return render(request, "points/workflow/annual.html", context)


@require_POST
@login_required
def annual_roll_up(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    user = request.user
    check_year(year)
    branch = get_object_for_user(user, selectors.points_branches(user), "points.manage_quarter", pk=pk)
    try:
        services.annual_roll_up(branch=branch, year=year, actor=user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"{year}年度积分已汇总。核对无误后请报上级党组织审核备案。")
    return redirect("points:annual", pk=branch.pk, year=year)


@require_POST
@login_required
def filing_submit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    filing = get_object_for_user(
        user, selectors.filing_scope(user), "points.manage_quarter", on=lambda f: f.branch, pk=pk
    )
    try:
        services.filing_submit(filing=filing, actor=user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"{filing.year}年度积分已报上级党组织审核备案。")
    return redirect("points:annual", pk=filing.branch_id, year=filing.year)


@require_POST
@login_required
def filing_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    filing = get_object_for_user(
        user, selectors.filing_scope(user), "points.oversee", on=lambda f: f.branch, pk=pk
    )
    form = FilingReopenForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("退回已备案的年度积分须写明理由。")
        services.filing_reopen(filing=filing, actor=user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"{filing.branch.name}{filing.year}年度积分已撤销备案，退回支部重新办理。")
    return redirect("points:annual", pk=filing.branch_id, year=filing.year)


@require_GET
@login_required
def filings(request: HttpRequest) -> HttpResponse:
    if not actor_for(request.user).oversight_paths:
        raise PermissionDenied
    rows = list(selectors.filings_to_review(request.user))
    pending = [f for f in rows if f.state == FilingState.SUBMITTED]
    for f in pending:
        f.review_form = FilingReviewForm(auto_id=f"id_f{f.pk}_%s")  # one form per filing, distinct ids
    context = {"pending": pending, "done": [f for f in rows if f.state != FilingState.SUBMITTED]}
    return render(request, "points/workflow/filings.html", context)


@require_POST
@login_required
def filing_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    filing = get_object_for_user(
        user, selectors.filing_scope(user), "points.oversee", on=lambda f: f.branch, pk=pk
    )
    form = FilingReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("points:annual", pk=filing.branch_id, year=filing.year)
    approve = form.cleaned_data["decision"] == "file"
    try:
        services.filing_review(
            filing=filing, actor=user, approve=approve, remarks=form.cleaned_data["remarks"]
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("points:annual", pk=filing.branch_id, year=filing.year)
    label = "已审核备案" if approve else "已退回支部修改"
    messages.success(request, f"{filing.branch.name}{filing.year}年度积分{label}。")
    return redirect("points:filings")


@require_GET
@login_required
def member_year(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    user = request.user
    check_year(year)
    member = get_object_for_user(user, visible_members(user), "members.view_member", pk=pk)
    full = user.has_perm("points.view_branch_results", member.branch)
    context = {
        "member": member,
        "year": year,
        "full": full,
        "data": selectors.member_year(member, year, full=full),
        "is_self": member.pk == actor_for(user).member_id,
    }
    return render(request, "points/workflow/member_year.html", context)
