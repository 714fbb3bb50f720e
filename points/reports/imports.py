"""Loading historical data (annual results, point items) and exporting it, through django-import-export.

An upload is checked before openpyxl ever opens it (its size and the uncompressed size its zip
declares), previewed with a dry run, and imported whole or not at all: `history_import` runs the
resource in one transaction and rolls everything back if any row is refused.
"""

from __future__ import annotations

import io
import tempfile
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from branches.models import Organization

from ..models import AnnualResult, PointEntry
from ..resources import AnnualResultResource, PointEntryResource

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 20_000
STASH_PREFIX = "jifen-import-"


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
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ValidationError("请上传 Excel 文件（.xlsx）。") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ValidationError("文件解压后过大，请检查文件或分批导入。")
    try:
        dataset = tablib.Dataset().load(data, format="xlsx")
    except Exception:  # openpyxl raises many kinds of error on a damaged file
        raise ValidationError("无法读取该 Excel 文件，请使用导入模板重新填写。") from None
    # Rows left entirely blank at the end of a sheet are not data.
    while len(dataset) and not any(cell not in (None, "") for cell in dataset[-1]):
        del dataset[-1]
    if not len(dataset):
        raise ValidationError("文件中没有数据行。")
    if len(dataset) > MAX_ROWS:
        raise ValidationError(f"一次最多导入 {MAX_ROWS} 行，请分批导入。")
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
        return "；".join(error.messages)
    text = str(error)
    return text if any("\u4e00" <= ch <= "\u9fff" for ch in text) else f"导入出错：{text}"


# --- the uploaded file between preview and confirmation -----------------------------------------


STASH_MAX_AGE = 24 * 60 * 60


def stash(data: bytes) -> str:
    """Keep an upload between its preview and its confirmation; previews abandoned a day ago go."""
    cutoff = time.time() - STASH_MAX_AGE
    for old in Path(tempfile.gettempdir()).glob(f"{STASH_PREFIX}*.xlsx"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass  # another worker removed it first
    token = uuid.uuid4().hex
    _stash_path(token).write_bytes(data)
    return token


def unstash(token: str) -> bytes | None:
    path = _stash_path(token)
    return path.read_bytes() if path.is_file() else None


def drop_stash(token: str) -> None:
    _stash_path(token).unlink(missing_ok=True)


def _stash_path(token: str) -> Path:
    if len(token) != 32 or any(ch not in "0123456789abcdef" for ch in token):
        raise ValueError("bad import token")
    return Path(tempfile.gettempdir()) / f"{STASH_PREFIX}{token}.xlsx"


# --- exports ------------------------------------------------------------------------------------


def results_dataset(scope: Organization, year: int) -> tablib.Dataset:
    qs = (
        AnnualResult.objects.filter(filing__branch__path__startswith=scope.path, filing__year=year)
        .select_related("filing__branch", "member")
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
