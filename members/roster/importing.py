"""The import: a dry run for the preview, then the same run for real in one transaction."""

import hashlib
import json
import logging
import secrets
from collections import defaultdict
from dataclasses import dataclass, field

import tablib
from django.db import transaction
from import_export.results import RowResult

from .columns import BRANCH_COLUMN, Change, MemberResource, cell_text
from .upload import Sheet, read_sheet

logger = logging.getLogger(__name__)

# The template's example row: refused by code so an untouched template never creates 张三.
EXAMPLE_CODE = "示例001"


@dataclass
class RowError:
    row: int | None
    column: str
    message: str


@dataclass
class PreviewRow:
    row: int
    kind: str  # "new", "update", "unchanged" or "error"
    code: str
    name: str
    branch: str
    changes: list[Change] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[PreviewRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    out_of_scope: list[int] = field(default_factory=list)
    member_ids: list[int] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, kind: str) -> int:
        return sum(1 for r in self.rows if r.kind == kind)

    @property
    def new_count(self) -> int:
        return self.count("new")

    @property
    def update_count(self) -> int:
        return self.count("update")

    @property
    def unchanged_count(self) -> int:
        return self.count("unchanged")

    @property
    def shown_rows(self) -> list[PreviewRow]:
        return [r for r in self.rows if r.kind != "unchanged"]

    @property
    def digest(self) -> str:
        """What the preview promised: the confirm refuses to write anything else."""
        summary = [(r.row, r.kind, r.code, [(c.column, c.old, c.new) for c in r.changes]) for r in self.rows]
        return hashlib.sha256(json.dumps(summary, ensure_ascii=False).encode()).hexdigest()


def _sheet_errors(sheet: Sheet) -> list[RowError]:
    """Whole-file problems found before any row is looked up: missing, example and repeated codes."""
    code_at = sheet.headers.index("党员编号")
    errors, seen = [], defaultdict(list)
    for number, values in zip(sheet.numbers, sheet.rows, strict=True):
        code = cell_text(values[code_at])
        if not code:
            errors.append(RowError(number, "党员编号", "党员编号不能为空。"))
        elif code == EXAMPLE_CODE:
            errors.append(RowError(number, "党员编号", "这是模板中的示例行，请删除后再导入。"))
        else:
            seen[code].append(number)
    for code, numbers in seen.items():
        if len(numbers) > 1:
            rows = "、".join(str(n) for n in numbers)
            errors.extend(
                RowError(n, "党员编号", f"党员编号“{code}”在第 {rows} 行重复出现。") for n in numbers
            )
    return sorted(errors, key=lambda e: e.row)


def _run(*, user, sheet: Sheet, dry_run: bool) -> ImportReport:
    errors = _sheet_errors(sheet)
    if errors:
        return ImportReport(errors=errors)
    dataset = tablib.Dataset(*sheet.rows, headers=sheet.headers)
    resource = MemberResource(user=user)
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
    report = ImportReport(out_of_scope=[sheet.numbers[n - 1] for n in resource.out_of_scope])
    for error in result.base_errors:
        logger.warning("roster import failed: %r", error.error)
        report.errors.append(RowError(None, "", "导入失败，请检查文件后重新上传。"))
    for index, row_result in enumerate(result.rows):
        number, raw = sheet.numbers[index], dict(zip(sheet.headers, sheet.rows[index], strict=True))
        preview = PreviewRow(
            row=number,
            kind="error",
            code=cell_text(raw.get("党员编号")),
            name=cell_text(raw.get("姓名")),
            branch=cell_text(raw.get(BRANCH_COLUMN)),
        )
        if row_result.import_type == RowResult.IMPORT_TYPE_INVALID:
            for key, messages in row_result.validation_error.message_dict.items():
                column = resource.column_for(key)
                report.errors.extend(RowError(number, column, message) for message in messages)
        elif row_result.import_type == RowResult.IMPORT_TYPE_ERROR:
            for error in row_result.errors:
                logger.warning("roster import: row %s failed: %r", number, error.error)
                report.errors.append(RowError(number, "", "本行无法保存，请检查各列内容。"))
        elif row_result.import_type == RowResult.IMPORT_TYPE_NEW:
            preview.kind = "new"
            report.member_ids.append(row_result.object_id)
        elif row_result.import_type == RowResult.IMPORT_TYPE_UPDATE:
            preview.changes = resource.row_changes.get(index + 1, [])
            preview.kind = "update" if preview.changes else "unchanged"
            report.member_ids.append(row_result.object_id)
        else:
            preview.kind = "unchanged"
            report.member_ids.append(row_result.object_id)
        report.rows.append(preview)
    return report


def roster_import_preview(*, user, data: bytes, kind: str) -> ImportReport:
    """What importing the file would do. Runs the real writes in a transaction that is rolled back."""
    return _run(user=user, sheet=read_sheet(data, kind), dry_run=True)


def roster_import_apply(*, user, data: bytes, kind: str, expected_digest: str) -> ImportReport:
    """Import the file, all or nothing, and only if it still does exactly what the preview showed."""
    sheet = read_sheet(data, kind)
    with transaction.atomic():
        report = _run(user=user, sheet=sheet, dry_run=False)
        report.applied = report.ok and secrets.compare_digest(report.digest, expected_digest)
        if not report.applied:
            transaction.set_rollback(True)
    return report
