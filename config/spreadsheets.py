"""The one guard and the one stash for uploaded workbooks (the roster and the history imports).

The guard runs before a parser reads the sheet: a zip bomb is small until it is opened, so the
declared unpacked size, the number of parts and any DTD are checked first, and the number of data
rows is counted while streaming the sheet, stopping one row past the limit, so an oversize file is
refused in well under a second instead of after it has been loaded whole.

The stash keeps an upload's bytes between its preview and its confirmation: members' personal
data, so each file is created exclusively and readable by this process's user only (0600) in a
directory only it may list (0700), named by a random token, and removed after use.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from django.conf import settings

# A workbook of one sheet has about a dozen parts; thousands of entries means something else.
XLSX_MAX_ENTRIES = 200
DAMAGED = "文件已损坏，无法读取。请在 Excel 中重新保存后再上传。"


class SpreadsheetRefused(Exception):
    """The whole file is refused; the message says why, in Chinese."""


def check_xlsx(data: bytes, *, max_unpacked: int) -> None:
    """Refuse what is not a plain xlsx before openpyxl sees it (content, parts, unpacked size, DTD)."""
    if not data.startswith(b"PK\x03\x04"):
        raise SpreadsheetRefused("文件内容不是 xlsx 格式（可能只是改了扩展名），请在 Excel 中另存为 .xlsx。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > XLSX_MAX_ENTRIES:
                raise SpreadsheetRefused("文件内部结构异常（包含的部件过多），已拒绝。")
            if sum(entry.file_size for entry in entries) > max_unpacked:
                raise SpreadsheetRefused(f"文件解压后超过 {max_unpacked // (1024 * 1024)} MB，已拒绝。")
            if "[Content_Types].xml" not in archive.namelist():
                raise SpreadsheetRefused("文件内容不是 xlsx 格式，请在 Excel 中另存为 .xlsx。")
            for entry in entries:
                if _declares_dtd(archive, entry):
                    raise SpreadsheetRefused("文件内部结构异常（含有 DTD 声明），已拒绝。")
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        RuntimeError,
        OSError,
        EOFError,
        ValueError,
    ):
        raise SpreadsheetRefused(DAMAGED) from None


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


def check_row_count(data: bytes, *, max_rows: int, sheet_title: str | None = None) -> None:
    """Refuse a sheet with more than `max_rows` data rows (the header row aside), before openpyxl
    loads it: the sheet's XML is scanned for rows that hold a value, stopping at the first row over
    the limit. (openpyxl's read-only mode is no shortcut: without a `<dimension>` element it parses
    the whole sheet on opening, and counting 20,000 rows through it takes seconds.) Formatted but
    empty rows, which Excel keeps in a sheet, are not counted. The sheet is `sheet_title` if present,
    else the active one (the one tablib and Excel open). Call after `check_xlsx`, which bounds the
    unpacked size."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read(_sheet_part(archive, sheet_title))
    except (KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError):
        raise SpreadsheetRefused(DAMAGED) from None
    rows = 0
    for row in ROW_RE.finditer(xml):
        if row.group(1) and CELL_VALUE_RE.search(row.group(1)):
            rows += 1
            if rows > max_rows + 1:  # the header row is the first with values
                raise SpreadsheetRefused(
                    f"文件超过 {max_rows} 行（一次最多导入 {max_rows} 行），请拆分后分批导入。"
                )


ROW_RE = re.compile(rb"<row\b[^>]*?(?:/>|>(.*?)</row>)", re.DOTALL)
CELL_VALUE_RE = re.compile(rb"<(?:v|is)\b")
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _sheet_part(archive: zipfile.ZipFile, title: str | None) -> str:
    """The zip member holding the sheet called `title`, else the workbook's active sheet."""
    # Safe with the standard parser: check_xlsx has refused any part declaring a DTD or an entity.
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
    sheets = book.findall(f"{MAIN}sheets/{MAIN}sheet")
    view = book.find(f"{MAIN}bookViews/{MAIN}workbookView")
    active = int(view.get("activeTab", 0)) if view is not None else 0
    chosen = next((s for s in sheets if title and s.get("name") == title), None)
    if chosen is None:
        chosen = sheets[active if active < len(sheets) else 0]
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    target = next(
        r.get("Target") for r in rels.iter(f"{RELS}Relationship") if r.get("Id") == chosen.get(REL_ID)
    )
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


# --- the preview's file, kept between upload and confirm ---------------------------------------

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32}")  # secrets.token_urlsafe(24)
STASH_MAX_AGE = 24 * 60 * 60


def stash_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def stash(data: bytes) -> str:
    """Keep the uploaded bytes under a random token; the file name comes from the token only.
    Previews abandoned more than a day ago are removed on the way."""
    directory = stash_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)  # also when an older release made it with the default mode
    for old in directory.glob("*.upload"):
        try:
            if old.stat().st_mtime < time.time() - STASH_MAX_AGE:
                old.unlink(missing_ok=True)
        except FileNotFoundError:
            pass  # another worker removed it first
    token = secrets.token_urlsafe(24)
    fd = os.open(directory / f"{token}.upload", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as stashed:
        stashed.write(data)
    return token


def unstash(token: str | None) -> bytes | None:
    """The bytes stashed under `token`, or None for a token that is malformed, used or expired."""
    if not TOKEN_RE.fullmatch(token or ""):
        return None
    try:
        return (stash_dir() / f"{token}.upload").read_bytes()
    except FileNotFoundError:
        return None


def discard(token: str | None) -> None:
    if TOKEN_RE.fullmatch(token or ""):
        (stash_dir() / f"{token}.upload").unlink(missing_ok=True)
