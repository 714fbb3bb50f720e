"""The annual workbook of a scope (openpyxl, write-only so memory stays flat).

One summary sheet ("汇总") and one sheet per branch. Each branch sheet is closed as soon as it is
written, so a committee of 1,600 branches never holds 1,600 open temp files. The summary is
accumulated while the member rows go by and written last, but it was created first, so it is the
first sheet when the workbook opens.
"""

from __future__ import annotations

import re

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

from branches.models import Organization

from ..scoring import RESULT_LABELS
from .annual import (
    EXEMPT_TEXT,
    MEMBER_FIELDS,
    RESULT_CODES,
    ResultsText,
    SummaryBuilder,
    base_item_columns,
    category_label,
    scope_branches,
    scope_filings,
    scope_scheme,
    score_bands,
    stream_member_rows,
)

SUMMARY_TITLE = "汇总"
# Excel reads a cell starting with one of these as a formula (or DDE): user text never may.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
AVERAGE_FORMAT = "0.00"
COUNT_FORMAT = "0"
INVALID_TITLE = re.compile(r"[\\/*?:\[\]]")

HEADER_STYLE = "表头"
_thin = Side(style="thin", color="999999")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEADER_BORDER = Border(bottom=_thin, top=_thin, left=_thin, right=_thin)
TOTAL_FONT = Font(bold=True)


def workbook_filename(scope: Organization, year: int) -> str:
    return f"{scope.name}{year}年度党员积分.xlsx"


def safe_text(ws, value):
    """User text as a text cell: a leading = + - @ is kept, but marked so Excel never evaluates it."""
    if value and value[0] in FORMULA_PREFIXES:
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet title (31 characters, none of \\ / * ? : [ ])."""
    base = INVALID_TITLE.sub("_", name).strip("'") or "支部"
    title = base[:31]
    n = 2
    while title.lower() in taken:
        suffix = f"（{n}）"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title.lower())
    return title


def _setup(ws, widths: list[float], header_text: str) -> None:
    """Column widths, frozen header row and print setup: all before the first row is written."""
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.HeaderFooter.oddHeader.center.text = header_text.replace("&", "&&")
    ws.HeaderFooter.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.row_dimensions[1].height = 42


def _header_style() -> NamedStyle:
    style = NamedStyle(name=HEADER_STYLE)
    style.font, style.fill, style.alignment, style.border = (
        HEADER_FONT,
        HEADER_FILL,
        HEADER_ALIGN,
        HEADER_BORDER,
    )
    return style


def _header(ws, labels: list[str]) -> list:
    """Header cells in one named style: registered once per workbook, not four style lookups a cell."""
    wb = ws.parent
    if HEADER_STYLE not in wb.named_styles:
        wb.add_named_style(_header_style())
    cells = []
    for label in labels:
        cell = WriteOnlyCell(ws, label)
        cell.style = HEADER_STYLE
        cells.append(cell)
    return cells


def _formatted(ws, number_format: str, **style) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws)
    cell.number_format = number_format
    for name, value in style.items():
        setattr(cell, name, value)
    return cell


class _MemberSheet:
    """One branch's sheet: the header for its scheme's base items, then a row per member.

    Scores are half points, which Excel's General format already shows exactly (97.5, 100), so member
    rows carry plain numbers (a styled cell is a cell object and a style lookup each in write-only mode).
    The explicit number formats are on the summary: counts "0", averages "0.00".
    """

    def __init__(self, wb: Workbook, title: str, header_text: str, items: list[tuple[str, str]]):
        self.ws = ws = wb.create_sheet(title)
        self.codes = [code for code, _ in items]
        labels = ["党员编号", "姓名", "类别", *(label for _, label in items)]
        labels += ["基础积分", "加分", "减分", "年度积分", "排名", "积分结果运用"]
        _setup(ws, [12, 10, 12, *([9] * len(items)), 9, 7, 7, 9, 6, 70], header_text)
        ws.append(_header(ws, labels))
        self.blank = [None] * (len(self.codes) + 5)

    def add(
        self, code, name, category, exempt, base_items, base, bonus, deductions, total, rank, results: str
    ):
        ws = self.ws
        if code and code[0] in FORMULA_PREFIXES:
            code = safe_text(ws, code)
        if name and name[0] in FORMULA_PREFIXES:
            name = safe_text(ws, name)
        if exempt:
            ws.append([code, name, category_label(category), *self.blank, EXEMPT_TEXT])
            return
        get = base_items.get
        row = [code, name, category_label(category)]
        row += [_number(get(c)) for c in self.codes]
        row += [base, bonus, deductions, total, rank, results]
        ws.append(row)

    def close(self, empty_note: str | None = None) -> None:
        if empty_note:
            self.ws.append([empty_note])
        self.ws.close()


def _number(value):
    """A base item from the JSON (a string such as "11.5") as a float: half points are exact."""
    return None if value is None else float(value)


def write_annual_workbook(scope: Organization, year: int, out) -> None:
    """Write the scope's annual workbook to `out` (a path or a binary file object)."""
    branches = scope_branches(scope)
    filings = scope_filings(scope, year)
    bands = score_bands(scope_scheme(scope, year).thresholds)
    builder = SummaryBuilder(scope, year, branches, filings, bands)
    title_text = f"{scope.name} {year}年度党员积分"

    wb = Workbook(write_only=True)
    summary_ws = wb.create_sheet(SUMMARY_TITLE)
    taken = {SUMMARY_TITLE.lower()}

    rows = stream_member_rows(scope, year)
    pending = next(rows, None)
    add = builder.add
    words = ResultsText()
    for branch in branches:
        filing = filings.get(branch.pk)
        sheet = _MemberSheet(
            wb,
            sheet_title(branch.name, taken),
            f"{branch.name} {year}年度党员积分",
            base_item_columns(filing),
        )
        written = 0
        while pending is not None and pending[0] == branch.pk:
            branch_id, code, name, category, exempt, base_items, base, bonus, deductions, total, rank, raw = (
                pending
            )
            text, results = words(raw)
            sheet.add(code, name, category, exempt, base_items, base, bonus, deductions, total, rank, text)
            add(branch_id, exempt, total, results)
            written += 1
            pending = next(rows, None)
        sheet.close(None if written else "本年度尚未汇总年度积分。")
    if pending is not None:
        # Branches and results are both in path order; a row left over means the orders disagreed.
        raise RuntimeError(
            f"年度积分行的支部顺序与支部列表不一致（{dict(zip(MEMBER_FIELDS, pending, strict=True))}）"
        )

    _write_summary(summary_ws, builder, title_text)
    wb.save(out)


def _write_summary(ws, builder: SummaryBuilder, title_text: str) -> None:
    summary = builder.summary()
    band_labels = [band.label for band in summary.bands]
    labels = ["上级党组织", "党支部", "参加积分人数", "免于积分管理人数", "平均分", *band_labels]
    labels += [RESULT_LABELS[code] for code in RESULT_CODES] + ["备案状态"]
    widths = [16, 18, 9, 9, 8, *([9] * len(band_labels)), *([13] * len(RESULT_CODES)), 12]
    _setup(ws, widths, f"{title_text}汇总")
    ws.row_dimensions[1].height = 84
    ws.append(_header(ws, labels))
    for row in summary.rows:
        ws.append(_summary_row(ws, row))
    ws.append(_summary_row(ws, summary.total, bold=True))


def _summary_row(ws, row, bold: bool = False) -> list:
    """One branch (or the total, in bold) of the summary: counts as "0", the average as "0.00"."""
    style = {"font": TOTAL_FONT} if bold else {}

    def number(value, number_format: str) -> WriteOnlyCell:
        cell = _formatted(ws, number_format, **style)
        cell.value = value
        return cell

    if bold:
        name = WriteOnlyCell(ws, row.name)
        name.font = TOTAL_FONT
    else:
        name = safe_text(ws, row.name)
    return [
        safe_text(ws, row.parent_name),
        name,
        number(row.scored, COUNT_FORMAT),
        number(row.exempt, COUNT_FORMAT),
        number(row.average, AVERAGE_FORMAT),
        *(number(n, COUNT_FORMAT) for n in [*row.bands, *row.result_counts()]),
        row.filing_state,
    ]


def write_dataset(dataset, out, title: str, header_text: str) -> None:
    """A django-import-export dataset as a plain workbook: the import template's columns, user text
    neutralized (tablib's own `escape` would drop the '=' and change the data)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title(title, set()))
    headers = list(dataset.headers or [])
    _setup(ws, [max(9, min(40, 2 * len(h) + 3)) for h in headers], header_text)
    ws.row_dimensions[1].height = 24
    ws.append(_header(ws, headers))
    for row in dataset:
        ws.append([safe_text(ws, value) if isinstance(value, str) else value for value in row])
    wb.save(out)
