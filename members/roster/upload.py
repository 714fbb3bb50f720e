"""Upload guards and sheet reading: nothing reaches a parser before its size and shape are checked.

An xlsx goes through the app's one workbook guard (config.spreadsheets: declared unpacked size,
parts, DTD) before openpyxl reads it; the bytes of a preview wait in the app's one stash.
"""

import csv
import io
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from openpyxl import load_workbook

from config import spreadsheets

from .columns import COLUMNS, cell_text

logger = logging.getLogger(__name__)

SHEET_TITLE = "党员名册"
REQUIRED_COLUMNS = ("党员编号", "姓名", "所在党支部")


class RosterRefused(Exception):
    """The whole file is refused; the message says why, in Chinese."""


def check_size(size: int) -> None:
    if size > settings.ROSTER_MAX_UPLOAD_BYTES:
        raise RosterRefused(
            f"文件超过 {settings.ROSTER_MAX_UPLOAD_BYTES // (1024 * 1024)} MB，请拆分后分批导入。"
        )


def check_upload(name: str, data: bytes) -> str:
    """The file's kind ("xlsx" or "csv") if it may be parsed; RosterRefused otherwise.

    Runs before any parser sees the bytes: size, extension, content, and for xlsx the app's one
    workbook guard (declared unpacked size, parts, DTD, the row count scanned)."""
    check_size(len(data))
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        raise RosterRefused("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再上传。")
    if suffix not in (".xlsx", ".csv"):
        raise RosterRefused("只能导入 .xlsx 或 .csv 文件，请使用导入模板。")
    if suffix == ".xlsx":
        _check_xlsx(data)
        return "xlsx"
    _decode_csv(data)
    return "csv"


def _check_xlsx(data: bytes) -> None:
    try:
        spreadsheets.check_xlsx(data, max_unpacked=settings.ROSTER_MAX_UNPACKED_BYTES)
        spreadsheets.check_row_count(data, max_rows=settings.ROSTER_MAX_ROWS, sheet_title=SHEET_TITLE)
    except spreadsheets.SpreadsheetRefused as exc:
        raise RosterRefused(str(exc)) from None


def _decode_csv(data: bytes) -> str:
    if b"\x00" in data or data.startswith((b"PK\x03\x04", b"\x89PNG", b"%PDF", b"\xd0\xcf\x11\xe0")):
        raise RosterRefused("文件内容不是 CSV 文本，请使用导入模板。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterRefused("无法识别 CSV 文件的编码，请保存为 UTF-8 或 GB18030（GBK）编码。")


# --- reading the sheet -------------------------------------------------------------------------


@dataclass
class Sheet:
    headers: list[str]
    rows: list[list]
    numbers: list[int]  # each row's line in the file, for messages


def read_sheet(data: bytes, kind: str) -> Sheet:
    lines = _xlsx_lines(data) if kind == "xlsx" else iter(csv.reader(io.StringIO(_decode_csv(data))))
    try:
        header_line = next(lines, None)
        if header_line is None:
            raise RosterRefused("文件是空的。")
        headers = _check_headers([cell_text(h) for h in header_line])
        rows, numbers = [], []
        for number, line in enumerate(lines, start=2):
            values = list(line[: len(headers)]) + [None] * (len(headers) - len(line))
            if all(cell_text(v) == "" for v in values):
                continue
            if len(rows) == settings.ROSTER_MAX_ROWS:
                raise RosterRefused(f"文件超过 {settings.ROSTER_MAX_ROWS} 行，请拆分后分批导入。")
            rows.append(values)
            numbers.append(number)
    except csv.Error:
        raise RosterRefused("CSV 文件格式有误，无法读取。") from None
    finally:
        if hasattr(lines, "close"):
            lines.close()  # closes the workbook when a refusal stops the reading early
    if not rows:
        raise RosterRefused("文件中没有党员数据。")
    return Sheet(headers=headers, rows=rows, numbers=numbers)


def _xlsx_lines(data: bytes):
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        logger.info("roster upload: openpyxl could not open the workbook", exc_info=True)
        raise RosterRefused("文件已损坏，无法读取。请在 Excel 中重新保存后再上传。") from None
    try:
        sheet = book[SHEET_TITLE] if SHEET_TITLE in book.sheetnames else book.active
        yield from sheet.iter_rows(values_only=True, max_col=len(COLUMNS) + 20)
    except Exception:
        logger.info("roster upload: openpyxl could not read the sheet", exc_info=True)
        raise RosterRefused("文件已损坏，无法读取。请在 Excel 中重新保存后再上传。") from None
    finally:
        book.close()


def _check_headers(headers: list[str]) -> list[str]:
    while headers and headers[-1] == "":
        headers.pop()
    named = [h for h in headers if h]
    if duplicated := sorted({h for h, n in Counter(named).items() if n > 1}):
        raise RosterRefused(f"第一行的列名重复：{'、'.join(duplicated)}。")
    if unknown := [h for h in named if h not in COLUMNS]:
        raise RosterRefused(f"无法识别的列：{'、'.join(unknown)}。可用的列：{'、'.join(COLUMNS)}。")
    if missing := [h for h in REQUIRED_COLUMNS if h not in named]:
        raise RosterRefused(f"缺少必需的列：{'、'.join(missing)}。请使用导入模板，第一行为列名。")
    return headers


# --- the preview's file, kept between upload and confirm: the app's one stash ------------------

stash = spreadsheets.stash
unstash = spreadsheets.unstash
discard = spreadsheets.discard
