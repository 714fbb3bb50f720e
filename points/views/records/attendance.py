"""The attendance sheet: every expected member in one screen, saved in one POST."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ...forms.records import parse_attendance
from ...models import AttendanceStatus
from ...selectors import records as selectors
from ...selectors.quarters import final_notice, records_locked
from ...services import records as services
from .common import saved_text, session_for


@require_http_methods(["GET", "POST"])
@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = session_for(request, pk)
    errors: list[str] = []
    posted: dict[int, tuple[str, str]] = {}
    correction_reason = ""
    if request.method == "POST":
        posted, correction_reason, errors = parse_attendance(request.POST)
        if not errors:
            try:
                result = services.attendance_record(
                    session=session, entries=posted, actor=request.user, correction_reason=correction_reason
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, saved_text(result))
                return redirect("points:attendance", pk=session.pk)

    now = timezone.now()
    day = selectors.local_day(session.starts_at)
    rows = selectors.session_attendance(session)
    filed = final_notice(session.branch_id, day.year)
    may_record = not session.is_cancelled and selectors.local_day(now) >= day and not filed
    sheet = []
    for row in rows:
        status, reason = posted.get(row.member.pk, ("", ""))
        if row.member.pk not in posted and row.current is not None:
            status, reason = row.current.status, row.current.reason
        editable = (
            may_record and row.is_expected and request.user.has_perm("points.record_member", row.member)
        )
        sheet.append({"row": row, "status": status, "reason": reason, "editable": editable})
    counts = {value: 0 for value in AttendanceStatus.values}
    for row in rows:
        if row.current is not None:
            counts[row.current.status] += 1
    context = {
        "session": session,
        "branch": session.branch,
        "sheet": sheet,
        "counts": [(label, counts[value]) for value, label in AttendanceStatus.choices],
        "statuses": AttendanceStatus.choices,
        "expected_count": sum(1 for r in rows if r.is_expected),
        "recorded_count": sum(1 for r in rows if r.current is not None),
        "locked": records_locked(session.branch, day),
        "filed": filed,
        "may_record": may_record,
        "qr_available": not session.is_cancelled and now <= session.ends_at,
        "not_started": selectors.local_day(now) < day,
        "errors": errors,
        "correction_reason": correction_reason,
    }
    return render(request, "points/records/attendance.html", context)
