"""Mobile members' evidence: upload, list, and the permission-checked file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from members.security.downloads import personal_download, stored_file_response

from ...forms.records import EvidenceForm
from ...selectors import records as selectors
from ...services import records as services
from .common import add_errors, branch_for, recordable_members


@require_http_methods(["GET", "POST"])
@login_required
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    branch = branch_for(request, pk, "points.record")
    members = recordable_members(request, selectors.mobile_members(branch), branch)
    form = EvidenceForm(request.POST or None, request.FILES or None, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.mobile_evidence_add(
                member=data["member"],
                activity_on=data["activity_on"],
                description=data["description"],
                upload=data["file"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记{item.member.name}的活动证明。")
            return redirect("points:evidence", pk=branch.pk)
    context = {"branch": branch, "form": form, "items": selectors.branch_evidence(branch)}
    return render(request, "points/records/evidence.html", context)


@require_GET
@login_required
@personal_download
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Evidence is never served from MEDIA_URL: only the member and those who may see them get it."""
    item = get_object_or_404(selectors.evidence_scope(request.user), pk=pk)
    if not request.user.has_perm("members.view_member", item.member):
        raise PermissionDenied
    ext = item.file.name.rsplit(".", 1)[-1].lower()
    return stored_file_response(
        item.file,
        filename=f"活动证明-{item.member.name}-{item.activity_on:%Y%m%d}.{ext}",
        content_type=services.EVIDENCE_KINDS.get(ext),
        what=f"活动证明（{item.activity_on:%Y-%m-%d}）",
        scope=f"{item.member.name}（{item.member.branch.name}）",
    )
