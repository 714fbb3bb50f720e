"""Reports, exports, imports and the dashboard. Thin views: the building is in points/reports/."""

from __future__ import annotations

import datetime
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from branches.access import get_object_for_user, visible_organizations
from members.security.downloads import PDF, XLSX, file_response, personal_download

from ..reports import access, dashboard, documents, downloads, imports, xlsx
from ..reports.pdf import PdfFailed, PdfPending, pdf_or_start, pdf_state, render_pdf

YEAR_RANGE = range(2000, 2101)
PDF_PENDING_REFRESH = 10  # seconds before the waiting page asks again
PDF_TOKEN_SECONDS = 600  # how long a waiting page's token names its copy; then the report is built again


def _year(year: int) -> int:
    if year not in YEAR_RANGE:
        raise Http404("年度无效。")
    return year


def _query_year(request: HttpRequest, default: int) -> int:
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        return default
    return year if year in YEAR_RANGE else default


def _unit(request: HttpRequest, pk: int, perm: str = "points.export_unit"):
    return get_object_for_user(request.user, visible_organizations(request.user), perm, pk=pk)


def _pdf(data: bytes, filename: str, what: str, scope: str) -> HttpResponse:
    return file_response(data, filename=filename, content_type=PDF, what=what, scope=scope)


def _xlsx_file(write, filename: str, what: str, scope: str) -> HttpResponse:
    """Build the workbook in a temporary file and stream it: a big workbook never sits in memory.
    The file has no name on disk and disappears when the response closes it."""
    out = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        write(out)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return file_response(out, filename=filename, content_type=XLSX, what=what, scope=scope)


# --- the pages ----------------------------------------------------------------------------------


@require_GET
@login_required
def reports_index(request: HttpRequest) -> HttpResponse:
    """What the user may download: their own sheets and notices, and the reports of their units."""
    today = timezone.localdate()
    year = _query_year(request, downloads.latest_year(request.user) or today.year - 1)
    context = downloads.downloads(request.user, unit_pk=request.GET.get("unit"), year=year)
    context["years"] = list(range(today.year, today.year - 8, -1))
    return render(request, "points/reports/index.html", context)


@require_GET
@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("points.view_dashboard"):
        raise PermissionDenied
    today = timezone.localdate()
    year = _query_year(request, today.year)
    units = list(access.dashboard_units(request.user))
    if "unit" in request.GET:
        try:
            pk = int(request.GET["unit"])
        except ValueError:
            raise Http404 from None
        unit = get_object_for_user(request.user, visible_organizations(request.user), "points.oversee", pk=pk)
    else:
        unit = units[0]
    study_rows = _study_rows(request.user, year)
    board = dashboard.build_dashboard(unit, year, today, study_rows=study_rows)
    context = {
        "board": board,
        "units": units,
        "years": list(range(today.year, today.year - 8, -1)),
        "warning_labels": list(
            zip(dashboard.WARNING_SHORT, [label for label, _ in dashboard.WARNINGS.values()], strict=True)
        ),
    }
    return render(request, "points/reports/dashboard.html", context)


def _study_rows(user, year: int):
    """The study app's per-branch completion, when it is installed with its selector."""
    try:
        from study.selectors.completion import completion_table
    except ImportError:
        return None
    return completion_table(user, year)


# --- downloads of a unit ------------------------------------------------------------------------


@require_GET
@login_required
@personal_download
def annual_workbook(request: HttpRequest, pk: int, year: int) -> FileResponse:
    unit = _unit(request, pk)
    year = _year(year)
    return _xlsx_file(
        lambda out: xlsx.write_annual_workbook(unit, year, out),
        xlsx.workbook_filename(unit, year),
        f"{year}年度积分统计表",
        unit.name,
    )


@require_GET
@login_required
@personal_download
def annual_report_pdf(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """The annual report PDF. A long one is laid out in the background: a waiting page reloads itself
    (with ?wait=<token>) until it is ready, then offers the download (?file=<token>). The token, signed
    for this unit and year, names the copy being laid out, so neither the reloads nor the download build
    the report again; it names it for PDF_TOKEN_SECONDS only (after that the report is built again, from
    the data of the moment), and the unit is checked against the user on every request all the same. The waiting
    page never reloads into the PDF itself: an attachment does not replace the page, which would then
    download it again every few seconds."""
    unit = _unit(request, pk)
    year = _year(year)
    salt = f"points.annual_report_pdf:{unit.pk}:{year}"
    try:
        outcome, key = _report_pdf(request, unit, year, salt)
    except PdfFailed as failed:
        context = {"unit": unit, "year": year, "reason": failed.reason}
        return render(request, "points/reports/pdf_failed.html", context, status=503)
    pending = isinstance(outcome, PdfPending)
    if pending or "wait" in request.GET:
        token = signing.dumps(key, salt=salt) if key else ""
        context = {
            "unit": unit,
            "year": year,
            "ready": not pending,
            "seconds": PDF_PENDING_REFRESH,
            "token": token,
        }
        return render(request, "points/reports/pdf_pending.html", context, status=202 if pending else 200)
    return _pdf(outcome, f"{unit.name}{year}年度党员积分情况报告.pdf", f"{year}年度积分报告", unit.name)


def _report_pdf(request: HttpRequest, unit, year: int, salt: str) -> tuple[bytes | PdfPending, str | None]:
    """The copy the page's token names (?file= or ?wait=) while it is kept or being laid out, with its
    key; otherwise the report built now (laid out, or started in the background). Raises PdfFailed."""
    for param in ("file", "wait"):
        key = _unsign(request.GET.get(param), salt)
        if key:
            outcome = pdf_state(key)
            if outcome is not None:
                return outcome, key
            break  # pruned, or its worker died: build it again
    outcome = pdf_or_start(
        "points/reports/pdf/annual_report.html",
        documents.annual_report(unit, year),
        retry=request.GET.get("retry") == "1",
    )
    return outcome, outcome.key if isinstance(outcome, PdfPending) else None


def _unsign(token: str | None, salt: str) -> str | None:
    if not token:
        return None
    try:
        return signing.loads(token, salt=salt, max_age=PDF_TOKEN_SECONDS)
    except signing.BadSignature:
        return None


@require_GET
@login_required
@personal_download
def results_export(request: HttpRequest, pk: int, year: int) -> FileResponse:
    unit = _unit(request, pk)
    year = _year(year)
    dataset = imports.results_dataset(unit, year)
    return _xlsx_file(
        lambda out: xlsx.write_dataset(dataset, out, "年度积分", f"{unit.name} {year}年度积分"),
        f"{unit.name}{year}年度积分数据.xlsx",
        f"{year}年度积分数据",
        unit.name,
    )


@require_GET
@login_required
@personal_download
def entries_export(request: HttpRequest, pk: int, year: int) -> FileResponse:
    unit = _unit(request, pk)
    year = _year(year)
    dataset = imports.entries_dataset(unit, year)
    return _xlsx_file(
        lambda out: xlsx.write_dataset(dataset, out, "积分条目", f"{unit.name} {year}年积分台账"),
        f"{unit.name}{year}年积分台账.xlsx",
        f"{year}年积分台账",
        unit.name,
    )


# --- notices and sheets -------------------------------------------------------------------------


@require_GET
@login_required
@personal_download
def quarter_publicity_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    quarter = get_object_for_user(
        request.user, access.visible_quarters(request.user), "points.view_publicity", pk=pk
    )
    if quarter.state not in downloads.PUBLISHED_STATES:
        raise Http404("该季度尚未公示。")
    context = documents.quarter_publicity(quarter)
    return _pdf(
        render_pdf("points/reports/pdf/publicity.html", context),
        f"{context['title']}.pdf",
        context["title"],
        quarter.branch.name,
    )


@require_GET
@login_required
@personal_download
def annual_publicity_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    filing = get_object_for_user(
        request.user, access.visible_filings(request.user), "points.view_annual_publicity", pk=pk
    )
    start = None
    # The branch's leaders may date the notice for the day it goes up (?start=); otherwise it is today's.
    if "start" in request.GET and request.user.has_perm("points.export_unit", filing.branch):
        try:
            start = datetime.date.fromisoformat(request.GET["start"])
        except ValueError:
            raise Http404("公示开始日期无效。") from None
    context = documents.annual_publicity(filing, start)
    return _pdf(
        render_pdf("points/reports/pdf/publicity.html", context),
        f"{context['title']}.pdf",
        context["title"],
        filing.branch.name,
    )


@require_GET
@login_required
@personal_download
def member_sheet_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_object_for_user(
        request.user, access.visible_results(request.user), "points.view_annual_sheet", pk=pk
    )
    context = documents.member_sheet(result)
    filename = f"{result.member.name}{result.filing.year}年度党员积分表.pdf"
    scope = f"{result.member.name}（{result.filing.branch.name}）"
    return _pdf(render_pdf("points/reports/pdf/member_sheet.html", context), filename, filename[:-4], scope)


# --- imports ------------------------------------------------------------------------------------


def _kind(kind: str) -> imports.Kind:
    if kind not in imports.KINDS:
        raise Http404
    return imports.KINDS[kind]


@require_GET
@login_required
def import_template(request: HttpRequest, kind: str) -> FileResponse:
    spec = _kind(kind)
    if not request.user.has_perm("points.import_history"):
        raise PermissionDenied
    dataset = imports.template_dataset(kind)
    # An empty template holds nobody's data: a download, not an export of personal data.
    return _xlsx_file(
        lambda out: xlsx.write_dataset(dataset, out, spec.label, f"{spec.label}导入模板"),
        f"{spec.label}导入模板.xlsx",
        f"{spec.label}导入模板",
        "空白模板",
    )


@require_http_methods(["GET", "POST"])
@login_required
def import_data(request: HttpRequest, kind: str) -> HttpResponse:
    """Upload → preview (a dry run: every row checked, nothing kept) → confirm → import, all or nothing."""
    spec = _kind(kind)
    if not request.user.has_perm("points.import_history"):
        raise PermissionDenied
    session_key = f"points_import_{kind}"
    context = {"spec": spec, "kinds": imports.KINDS.values()}
    if request.method == "POST" and request.POST.get("action") == "cancel":
        imports.drop_stash(request.session.pop(session_key, None))
        messages.info(request, "已取消导入，上传的文件已删除。")
        return redirect("points:import_data", kind=kind)
    if request.method == "POST" and request.POST.get("action") == "confirm":
        token = request.session.pop(session_key, None)
        data = imports.unstash(token) if token else None
        if data is None:
            messages.error(request, "导入预览已过期，请重新上传文件。")
            return redirect("points:import_data", kind=kind)
        imports.drop_stash(token)
        result = imports.history_import(
            kind=kind, dataset=imports.read_upload(data), actor=request.user, dry_run=False
        )
        found = imports.problems(result)
        if not found:
            messages.success(request, f"已导入{spec.label} {result.totals['new']} 行。")
            return redirect("points:import_data", kind=kind)
        context["problems"] = found
    elif request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = "请选择要导入的 Excel 文件。"
        elif upload.size > imports.MAX_UPLOAD_BYTES:
            context["error"] = f"文件超过 {imports.MAX_UPLOAD_BYTES // 1024 // 1024} MB，请分批导入。"
        else:
            data = upload.read()
            try:
                dataset = imports.read_upload(data)
            except ValidationError as exc:
                context["error"] = "；".join(exc.messages)
            else:
                result = imports.history_import(kind=kind, dataset=dataset, actor=request.user, dry_run=True)
                found = imports.problems(result)
                context.update(
                    problems=found, headers=dataset.headers, rows=dataset[:200], total_rows=len(dataset)
                )
                if not found:
                    old = request.session.get(session_key)
                    if old:
                        imports.drop_stash(old)
                    request.session[session_key] = imports.stash(data)
                    context["ready"] = True
    return render(request, "points/reports/import.html", context)
