"""Thought reports received: the list with the add form, and changes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from branches.access import visible_organizations

from ...forms.records import MAX_YEAR, MIN_YEAR, ThoughtReportChangeForm, ThoughtReportForm, year_or_current
from ...models import ThoughtReport
from ...selectors import records as selectors
from ...services import records as services
from .common import add_errors, branch_for, recordable_members


@require_http_methods(["GET", "POST"])
@login_required
def thought_reports(request: HttpRequest, pk: int) -> HttpResponse:
    branch = branch_for(request, pk, "points.record")
    year = year_or_current(request.GET.get("year"))
    members = recordable_members(request, selectors.branch_members(branch), branch)
    form = ThoughtReportForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.thought_report_add(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记{report.member.name}的思想汇报。")
            return redirect(
                f"{reverse('points:thought_reports', args=[branch.pk])}?year={report.received_on.year}"
            )
    counts = selectors.thought_report_counts(branch, year)
    context = {
        "branch": branch,
        "year": year,
        "form": form,
        "reports": selectors.branch_thought_reports(branch, year),
        "tally": [(m, counts.get(m.pk, 0)) for m in selectors.branch_members(branch)],
        "prev_year": year - 1 if year > MIN_YEAR else None,
        "next_year": year + 1 if year < MAX_YEAR else None,
    }
    return render(request, "points/records/thought_reports.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def thought_report_change(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        ThoughtReport.objects.filter(member__branch__in=visible_organizations(request.user)).select_related(
            "member__branch"
        ),
        pk=pk,
    )
    if not request.user.has_perm("points.record", report.member.branch):
        raise PermissionDenied
    initial = {"received_on": report.received_on, "summary": report.summary}
    form = ThoughtReportChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.thought_report_change(report=report, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已保存{report.member.name}的思想汇报。")
            url = reverse("points:thought_reports", args=[report.member.branch_id])
            return redirect(f"{url}?year={new.received_on.year}")
    context = {"report": report, "branch": report.member.branch, "form": form}
    return render(request, "points/records/thought_report_form.html", context)
