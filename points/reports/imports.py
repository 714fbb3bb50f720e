"""Loading historical data (annual results, point items) and exporting it, through django-import-export.

An upload goes through the app's one workbook guard (config.spreadsheets: size, what its zip
declares, the row count streamed) before tablib loads it, is previewed with a dry run, and is
imported whole or not at all: `history_import` runs the resource in one transaction and rolls
everything back if any row is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from branches.models import Organization
from config import spreadsheets
from config.errors import error_text

from ..models import AnnualResult, PointEntry
from ..resources import AnnualResultResource, PointEntryResource

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 20_000


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    resource: type


KINDS = {
    "results": Kind("results", "历史年度积分", AnnualResultResource),
    "entries": Kind("entries", "历史积分条目", PointEntryResource),
}


def read_upload(data: bytes) -> tablib.Dataset:
    """An xlsx upload as a dataset, refused with a Chinese message if it is not a sane workbook."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(f"文件超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB，请分批导入。")
    try:
        spreadsheets.check_xlsx(data, max_unpacked=MAX_UNPACKED_BYTES)
        spreadsheets.check_row_count(data, max_rows=MAX_ROWS)  # streamed, before tablib loads it all
    except spreadsheets.SpreadsheetRefused as exc:
        raise ValidationError(str(exc)) from None
    try:
        dataset = tablib.Dataset().load(data, format="xlsx")
    except Exception:  # openpyxl raises many kinds of error on a damaged file
        raise ValidationError("无法读取该 Excel 文件，请使用导入模板重新填写。") from None
    # Rows left entirely blank at the end of a sheet are not data.
    while len(dataset) and not any(cell not in (None, "") for cell in dataset[-1]):
        del dataset[-1]
    if not len(dataset):
        raise ValidationError("文件中没有数据行。")
    return dataset


@transaction.atomic
def history_import(*, kind: str, dataset: tablib.Dataset, actor, dry_run: bool):
    """Run the file through its resource; with any refused row nothing is kept (all or nothing)."""
    resource = KINDS[kind].resource(actor=actor)
    return resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )


@dataclass
class RowProblem:
    line: int  # the spreadsheet's row number (the header is row 1)
    column: str
    message: str


def problems(result) -> list[RowProblem]:
    """Every refusal of an import, by spreadsheet row and column, in Chinese."""
    found = [RowProblem(0, "", _error_text(e.error)) for e in result.base_errors]
    for number, errors in result.row_errors():
        for e in errors:
            found.append(RowProblem(number + 1, "", _error_text(e.error)))
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            for message in messages:
                found.append(
                    RowProblem(invalid.number + 1, "" if column == NON_FIELD_ERRORS else column, message)
                )
    return sorted(found, key=lambda p: (p.line, p.column))


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return error_text(error)
    text = str(error)
    return text if any("\u4e00" <= ch <= "\u9fff" for ch in text) else f"导入出错：{text}"


# --- the uploaded file between preview and confirmation: the app's one stash (0600, removed after use)

stash = spreadsheets.stash
unstash = spreadsheets.unstash
drop_stash = spreadsheets.discard


# --- exports ------------------------------------------------------------------------------------


def results_dataset(scope: Organization, year: int) -> tablib.Dataset:
    qs = (
        AnnualResult.objects.filter(filing__branch__path__startswith=scope.path, filing__year=year)
        .select_related("filing__branch", "member")
        .defer("lines")  # not exported: a committee's export would read every result's lines for nothing
        .order_by("filing__branch__path", "exempt", "rank", "member__code")
    )
    return AnnualResultResource().export(qs)


def entries_dataset(scope: Organization, year: int) -> tablib.Dataset:
    qs = (
        PointEntry.objects.filter(
            quarter__branch__path__startswith=scope.path, quarter__year=year, is_current=True
        )
        .select_related("quarter__branch", "member")
        .order_by("quarter__branch__path", "quarter__number", "member__code", "id")
    )
    return PointEntryResource().export(qs)


def template_dataset(kind: str) -> tablib.Dataset:
    resource = KINDS[kind].resource()
    return resource.export(resource._meta.model.objects.none())
