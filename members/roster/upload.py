"""Upload guards and sheet reading: nothing reaches a parser before its size and shape are checked.

A zip bomb is small until it is opened, so an xlsx's declared unpacked size and entry count are
checked before openpyxl sees it; the bytes of a preview wait on disk under a random token.
"""

import csv
import io
import logging
import os
import re
import secrets
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from openpyxl import load_workbook

from .columns import COLUMNS, cell_text

logger = logging.getLogger(__name__)

SHEET_TITLE = "党员名册"
REQUIRED_COLUMNS = ("党员编号", "姓名", "所在党支部")
# A roster workbook has about a dozen parts; thousands of entries means something else.
XLSX_MAX_ENTRIES = 200


class RosterRefused(Exception):
    """The whole file is refused; the message says why, in Chinese."""


def check_size(size: int) -> None:
    if size > settings.ROSTER_MAX_UPLOAD_BYTES:
        raise RosterRefused(
            f"文件超过 {settings.ROSTER_MAX_UPLOAD_BYTES // (1024 * 1024)} MB，请拆分后分批导入。"
        )


def check_upload(name: str, data: bytes) -> str:
    """The file's kind ("xlsx" or "csv") if it may be parsed; RosterRefused otherwise.

    Runs before any parser sees the bytes: size, extension, content, and for xlsx the zip's
    declared unpacked size and entry count (a zip bomb is small until it is opened)."""
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
    if not data.startswith(b"PK\x03\x04"):
        raise RosterRefused("文件内容不是 xlsx 格式（可能只是改了扩展名），请在 Excel 中另存为 .xlsx。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > XLSX_MAX_ENTRIES:
                raise RosterRefused("文件内部结构异常（包含的部件过多），已拒绝。")
            if sum(entry.file_size for entry in entries) > settings.ROSTER_MAX_UNPACKED_BYTES:
                raise RosterRefused(
                    f"文件解压后超过 {settings.ROSTER_MAX_UNPACKED_BYTES // (1024 * 1024)} MB，已拒绝。"
                )
            if "[Content_Types].xml" not in archive.namelist():
                raise RosterRefused("文件内容不是 xlsx 格式，请在 Excel 中另存为 .xlsx。")
            for entry in entries:
                if _declares_dtd(archive, entry):
                    raise RosterRefused("文件内部结构异常（含有 DTD 声明），已拒绝。")
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        RuntimeError,
        OSError,
        EOFError,
        ValueError,
    ):
        raise RosterRefused("文件已损坏，无法读取。请在 Excel 中重新保存后再上传。") from None


def _declares_dtd(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bool:
    """Office never writes a DTD; one in an xlsx part can only be an entity-expansion bomb."""
    if not entry.filename.endswith((".xml", ".rels")):
        return False
    tail = b""
    with archive.open(entry) as part:  # reads no more than the declared size, checked above
        while chunk := part.read(1 << 16):
            if b"<!DOCTYPE" in tail + chunk or b"<!ENTITY" in tail + chunk:
                return True
            tail = chunk[-16:]
    return False


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
        sheet = book[SHEET_TITLE] if SHEET_TITLE in book.sheetnames else book.worksheets[0]
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


# --- the preview's file, kept between upload and confirm ---------------------------------------

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32}")  # secrets.token_urlsafe(24)
STASH_MAX_AGE = 24 * 60 * 60


def _stash_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def stash(data: bytes) -> str:
    """Keep the uploaded bytes under a random token; the file name comes from the token only."""
    directory = _stash_dir()
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.upload"):
        try:
            if old.stat().st_mtime < time.time() - STASH_MAX_AGE:
                old.unlink(missing_ok=True)  # left by a preview that was never confirmed
        except FileNotFoundError:
            pass  # another worker removed it first
    token = secrets.token_urlsafe(24)
    # Only this process's user may read it: the bytes are members' personal data.
    fd = os.open(directory / f"{token}.upload", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as stashed:
        stashed.write(data)
    return token


def unstash(token: str) -> bytes | None:
    if not TOKEN_RE.fullmatch(token or ""):
        return None
    try:
        return (_stash_dir() / f"{token}.upload").read_bytes()
    except FileNotFoundError:
        return None


def discard(token: str) -> None:
    if TOKEN_RE.fullmatch(token or ""):
        (_stash_dir() / f"{token}.upload").unlink(missing_ok=True)
