"""The dues grid: members × 12 months in one POST."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ...forms.records import MAX_YEAR, MIN_YEAR, parse_dues
from ...models import DuesStatus
from ...selectors import records as selectors
from ...selectors.quarters import final_notice
from ...services import records as services
from .common import branch_for, saved_text

DUES_SHORT = {
    DuesStatus.ON_TIME: "按时",
    DuesStatus.LATE: "逾期",
    DuesStatus.SHORT: "未足",
    DuesStatus.UNPAID: "未交",
}


@require_http_methods(["GET", "POST"])
@login_required
def dues(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
    branch = branch_for(request, pk, "points.record")
    errors: list[str] = []
    posted: dict[tuple[int, int], str] = {}
    correction_reason = ""
    if request.method == "POST":
        posted, correction_reason, errors = parse_dues(request.POST)
        if not errors:
            try:
                result = services.dues_record(
                    branch=branch,
                    year=year,
                    entries=posted,
                    actor=request.user,
                    correction_reason=correction_reason,
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, saved_text(result))
                return redirect("points:dues", pk=branch.pk, year=year)

    grid = selectors.dues_grid(branch, year)
    filed = final_notice(branch.pk, year)
    rows = []
    for row in grid.rows:
        editable_row = not filed and request.user.has_perm("points.record_member", row.member)
        cells = []
        for cell in row.cells:
            value = posted.get((row.member.pk, cell.month), cell.status)
            cells.append({"cell": cell, "value": value, "editable": editable_row and cell.owed and cell.due})
        rows.append({"row": row, "cells": cells, "editable": editable_row})
    context = {
        "branch": branch,
        "year": year,
        "grid": grid,
        "rows": rows,
        "months": list(selectors.MONTHS),
        "statuses": [(value, DUES_SHORT[value], label) for value, label in DuesStatus.choices],
        "short": {value: DUES_SHORT[value] for value in DuesStatus.values},
        "filed": filed,
        "errors": errors,
        "correction_reason": correction_reason,
        "prev_year": year - 1 if year > MIN_YEAR else None,
        "next_year": year + 1 if year < MAX_YEAR else None,
    }
    return render(request, "points/records/dues.html", context)
