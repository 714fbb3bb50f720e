"""Roster import (upload → preview → confirm), the import template and the xlsx export."""

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.access import get_object_for_user, visible_organizations

from . import roster
from .models import Member
from .security.downloads import XLSX, file_response, personal_download

# The pending import lives in the session: a token tied to this user, and what the preview showed.
SESSION_KEY = "roster_import"


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="名册文件",
        help_text="支持 .xlsx 或 .csv（UTF-8 或 GB18030 编码），不超过 5 MB。",
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def _require_importer(user) -> None:
    if not user.has_perm("branches.import_roster"):
        raise PermissionDenied


def _forget_pending(request: HttpRequest) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        roster.discard(pending["token"])


def _preview(request: HttpRequest, report, *, filename: str, token: str | None) -> HttpResponse:
    context = {"report": report, "filename": filename, "token": token}
    return render(request, "members/roster_preview.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def roster_import(request: HttpRequest) -> HttpResponse:
    _require_importer(request.user)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        _forget_pending(request)  # a new upload replaces any preview still waiting for confirmation
        if request.POST.get("action") == "cancel":
            messages.info(request, "已取消导入，上传的文件已删除。")
            return redirect("members:import")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            roster.check_size(upload.size)  # before the bytes are read into memory
            data = upload.read()
            kind = roster.check_upload(upload.name, data)
            report = roster.roster_import_preview(user=request.user, data=data, kind=kind)
        except roster.RosterRefused as exc:
            form.add_error("file", str(exc))
        else:
            token = None
            if report.ok:
                token = roster.stash(data)
                request.session[SESSION_KEY] = {
                    "token": token,
                    "kind": kind,
                    "filename": upload.name,
                    "digest": report.digest,
                }
            return _preview(request, report, filename=upload.name, token=token)
    return render(request, "members/roster_import.html", {"form": form})


@require_POST
@login_required
def roster_import_confirm(request: HttpRequest) -> HttpResponse:
    _require_importer(request.user)
    pending = request.session.get(SESSION_KEY)
    token = request.POST.get("token", "")
    data = None
    if pending and secrets.compare_digest(token.encode(), pending["token"].encode()):
        data = roster.unstash(token)
    if data is None:
        messages.error(request, "该导入已失效或不属于您，请重新上传文件。")
        return redirect("members:import")
    try:
        report = roster.roster_import_apply(
            user=request.user, data=data, kind=pending["kind"], expected_digest=pending["digest"]
        )
    except roster.RosterRefused as exc:
        _forget_pending(request)
        messages.error(request, str(exc))
        return redirect("members:import")
    if report.applied:
        _forget_pending(request)
        messages.success(request, f"已导入：新增 {report.new_count} 人，更新 {report.update_count} 人。")
        branch_ids = set(Member.objects.filter(pk__in=report.member_ids).values_list("branch_id", flat=True))
        if len(branch_ids) == 1:
            return redirect("branches:unit", pk=branch_ids.pop())
        return redirect("home")
    if report.ok:
        # Someone changed the roster after the preview: show what the file would do now.
        pending["digest"] = report.digest
        request.session[SESSION_KEY] = pending
        messages.warning(request, "预览之后名册已有变动，尚未导入。请核对下面的最新预览后再确认。")
        return _preview(request, report, filename=pending["filename"], token=token)
    _forget_pending(request)
    return _preview(request, report, filename=pending["filename"], token=None)


@require_GET
@login_required
def roster_template(request: HttpRequest) -> HttpResponse:
    _require_importer(request.user)
    content = roster.template_xlsx(example_branch=roster.example_branch_name(request.user))
    # The template's one example row is made up: a download, not an export of personal data.
    return file_response(
        content,
        filename="党员名册导入模板.xlsx",
        content_type=XLSX,
        what="党员名册导入模板",
        scope="空白模板",
    )


@require_GET
@login_required
@personal_download
def roster_export(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = get_object_for_user(
        request.user, visible_organizations(request.user), "branches.view_roster", pk=org_pk
    )
    content = roster.export_xlsx(roster.export_members(org))
    name = org.name.replace("/", "-").replace("\\", "-")
    return file_response(
        content,
        filename=f"党员名册-{name}-{timezone.localdate():%Y%m%d}.xlsx",
        content_type=XLSX,
        what="党员名册",
        scope=org.name,
    )
