"""PDFs with WeasyPrint: the publicity notice (公示) of a quarter or a year, a member's annual points
sheet and the annual report of a scope.

Printed through config/pdf.py, the app's one WeasyPrint fetcher (our own static files only).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.template.loader import render_to_string

from config.pdf import html_pdf, static_path

STATIC_LINK = re.compile(r"static:([^\"')\s]+)")
CACHE_DAYS = 7

logger = logging.getLogger(__name__)


def _pdf_of(html: str) -> bytes:
    return html_pdf(html)


def render_pdf(template_name: str, context: dict) -> bytes:
    return _pdf_of(render_to_string(template_name, context))


def _cache_path(html: str) -> Path:
    """Where the PDF of `html` is kept: the hash of the HTML and of the static files it links."""
    digest = hashlib.sha256(html.encode("utf-8"))
    for relative in sorted(set(STATIC_LINK.findall(html))):
        path = static_path(relative)
        digest.update(relative.encode() + b"\0" + (path.read_bytes() if path else b"-") + b"\0")
    return Path(settings.PDF_CACHE_DIR) / f"{digest.hexdigest()}.pdf"


def _read(cached: Path) -> bytes | None:
    try:
        return cached.read_bytes()
    except OSError:
        return None


def _keep(data: bytes, cached: Path) -> bool:
    """Write the copy (atomically: a reader never sees half a file); False when it cannot be written."""
    root = cached.parent
    try:
        root.mkdir(parents=True, exist_ok=True)
        _prune(root)
        with tempfile.NamedTemporaryFile(dir=root, suffix=".part", delete=False) as part:
            try:
                part.write(data)
            except OSError:
                os.unlink(part.name)
                raise
        os.replace(part.name, cached)
        return True
    except OSError as exc:
        logger.warning("PDF cache not written (%s): %s", root, exc)
        return False


def _lay_out_and_keep(html: str, cached: Path) -> bytes:
    data = _pdf_of(html)
    _keep(data, cached)
    return data


def render_pdf_cached(template_name: str, context: dict) -> bytes:
    """`render_pdf`, kept on disk (PDF_CACHE_DIR) under the hash of the HTML and of the static files it
    links: the same page renders to the same PDF, so a copy can never be stale, and no write has to
    remember to drop it. For reports without personal data whose rendering takes long (a committee's
    annual report). A cache that cannot be written is skipped."""
    html = render_to_string(template_name, context)
    cached = _cache_path(html)
    data = _read(cached)
    return data if data is not None else _lay_out_and_keep(html, cached)


# --- long reports: laid out beside the request ----------------------------------------------------

# A layout whose lock file is older than this is taken to have died with its worker.
STALE_LOCK_SECONDS = 600
# A failed layout is reported, not started again by every reload, for this long (or until asked again).
FAILED_SECONDS = 300
KEY = re.compile(r"[0-9a-f]{64}")  # a copy's name (used with fullmatch)
_running: dict[Path, threading.Thread] = {}
_running_lock = threading.Lock()


class PdfPending(NamedTuple):
    """A long report being laid out in the background; `key` finds it again (`pdf_state`)."""

    key: str


class PdfFailed(Exception):
    """The background layout of a report failed; `reason` says why, in words for the user."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


LAYOUT_FAILED = "排版时出错"
NOT_KEPT = "报告已排版，但服务器无法保存报告文件（磁盘空间不足或缓存目录不可写）"


def pdf_or_start(template_name: str, context: dict, *, retry: bool = False) -> bytes | PdfPending:
    """The report's PDF when it is kept or short enough to lay out now (up to PDF_INLINE_ROWS table
    rows); otherwise start laying it out in the background, once however many ask (a lock file beside
    the copy covers the other workers), and return `PdfPending`: the caller asks the user to come back.
    A committee's report of 1,600 branches takes ~30 s of WeasyPrint, too long for one request.

    Raises `PdfFailed` when its last layout failed less than FAILED_SECONDS ago, unless `retry`."""
    html = render_to_string(template_name, context)
    cached = _cache_path(html)
    data = _read(cached)
    if data is not None:
        return data
    if _in_progress(cached):
        return PdfPending(cached.stem)
    if retry:
        cached.with_suffix(".failed").unlink(missing_ok=True)
    else:
        _raise_if_failed(cached)
    # Short, or nowhere to keep a copy (an unwritable cache: a background copy could never be served).
    if html.count("<tr") <= settings.PDF_INLINE_ROWS or not _start(html, cached):
        return _lay_out_and_keep(html, cached)
    return PdfPending(cached.stem)


def pdf_state(key: str) -> bytes | PdfPending | None:
    """What became of the layout `pdf_or_start` started under `key`, without building the report again:
    the PDF when it is kept, `PdfPending` while this or another worker lays it out, None when it is
    neither (pruned, or its worker died: build it again). Raises `PdfFailed` when it failed."""
    if not KEY.fullmatch(key):
        return None
    cached = Path(settings.PDF_CACHE_DIR) / f"{key}.pdf"
    data = _read(cached)
    if data is not None:
        return data
    if _in_progress(cached):
        return PdfPending(key)
    _raise_if_failed(cached)
    return None


def _in_progress(cached: Path) -> bool:
    """Laid out by a thread of this worker, or by another worker whose lock is fresh."""
    with _running_lock:
        running = _running.get(cached)
        if running is not None and running.is_alive():
            return True
    try:
        return time.time() - cached.with_suffix(".lock").stat().st_mtime < STALE_LOCK_SECONDS
    except OSError:
        return False


def _raise_if_failed(cached: Path) -> None:
    """The failure marker beside the copy, seen by every worker: its text is the reason, an empty one
    (a full disk, see `_record_failure`) means the copy could not be kept."""
    marker = cached.with_suffix(".failed")
    try:
        if time.time() - marker.stat().st_mtime >= FAILED_SECONDS:
            return
        reason = marker.read_text(encoding="utf-8").strip()
    except OSError:
        return
    raise PdfFailed(reason or NOT_KEPT)


def _record_failure(cached: Path, lock: Path, reason: str) -> None:
    marker = cached.with_suffix(".failed")
    try:
        marker.write_text(reason, encoding="utf-8")
        return
    except OSError:
        pass
    try:  # a full disk takes no new text, but a rename needs no space: the lock becomes the marker
        os.replace(lock, marker)
        os.utime(marker)
    except OSError as exc:
        logger.error("PDF failure of %s not recorded: %s", cached.name, exc)


def _start(html: str, cached: Path) -> bool:
    """Lay `html` out in a thread unless this or another worker already is; False when the cache folder
    cannot be written."""
    lock = cached.with_suffix(".lock")
    with _running_lock:
        running = _running.get(cached)
        if running is not None and running.is_alive():
            return True
        taken = _take(lock)
        if taken is None:
            return False
        if not taken:
            return True  # another worker is laying it out
        thread = threading.Thread(target=_background, args=(html, cached, lock), daemon=True)
        _running[cached] = thread
        thread.start()
    return True


def _take(lock: Path) -> bool | None:
    """Create the lock file, atomically (O_EXCL), unless a live one exists (False); a stale one is
    replaced. None when no lock can be written there."""
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                return True
            except FileExistsError:
                if time.time() - lock.stat().st_mtime < STALE_LOCK_SECONDS:
                    return False
                lock.unlink(missing_ok=True)  # its worker died: take it over
    except OSError as exc:
        logger.warning("PDF cache not writable (%s): %s", lock.parent, exc)
        return None
    return False


def _background(html: str, cached: Path, lock: Path) -> None:
    try:
        cached.with_suffix(".failed").unlink(missing_ok=True)
        if not _keep(_pdf_of(html), cached):
            _record_failure(cached, lock, NOT_KEPT)
    except Exception:  # noqa: BLE001 — logged and shown to whoever waits for it
        logger.exception("PDF layout failed: %s", cached.name)
        _record_failure(cached, lock, LAYOUT_FAILED)
    finally:
        lock.unlink(missing_ok=True)
        with _running_lock:
            _running.pop(cached, None)


def wait_for_layouts(timeout: float | None = None) -> None:
    """Wait until this process's background layouts are done (for tests)."""
    with _running_lock:
        threads = list(_running.values())
    for thread in threads:
        thread.join(timeout)


def _prune(root: Path) -> None:
    """Drop copies older than CACHE_DAYS: each day's reports differ by their printing date anyway."""
    too_old = time.time() - CACHE_DAYS * 86400
    for path in root.iterdir():
        try:
            if path.stat().st_mtime < too_old:
                path.unlink()
        except OSError:
            continue
