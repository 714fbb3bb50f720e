"""PDFs with WeasyPrint: the publicity notice (公示) of a quarter or a year, a member's annual points
sheet and the annual report of a scope.

WeasyPrint fetches nothing but our own static files: templates link them as ``static:css/print.css``
and `StaticOnlyFetcher` refuses every other URL (file://, http(s)://, data:, paths that climb out of
``static/``). Chinese text is set in WenQuanYi Micro Hei, a system font found through fontconfig, so
no font file is fetched at all.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import re
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_SCHEME = "static:"
STATIC_LINK = re.compile(r"static:([^\"')\s]+)")
CACHE_DAYS = 7

logger = logging.getLogger(__name__)


class StaticOnlyFetcher(URLFetcher):
    """Serves ``static:<path>`` from the project's ``static/`` directories and refuses everything else."""

    def fetch(self, url, headers=None):
        if not url.startswith(STATIC_SCHEME):
            raise ValueError(f"PDF 只能引用本站静态文件，已拒绝：{url[:200]}")
        relative = unquote(url[len(STATIC_SCHEME) :].split("?", 1)[0].split("#", 1)[0]).lstrip("/")
        parts = relative.replace("\\", "/").split("/")
        if not relative or any(part in ("", ".", "..") for part in parts):
            raise ValueError(f"静态文件路径无效：{url[:200]}")
        path = static_path(relative)
        if path is None:
            raise ValueError(f"没有这个静态文件：{relative}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})


def static_path(relative: str) -> Path | None:
    """The file under one of STATICFILES_DIRS, after resolving symlinks; None when it is not there."""
    for root in settings.STATICFILES_DIRS:
        root = Path(root).resolve()
        candidate = (root / relative).resolve()
        if candidate.is_file() and os.path.commonpath([root, candidate]) == str(root):
            return candidate
    return None


def _pdf_of(html: str) -> bytes:
    return HTML(string=html, url_fetcher=StaticOnlyFetcher(), media_type="print").write_pdf()


def render_pdf(template_name: str, context: dict) -> bytes:
    return _pdf_of(render_to_string(template_name, context))


def render_pdf_cached(template_name: str, context: dict) -> bytes:
    """`render_pdf`, kept on disk (PDF_CACHE_DIR) under the hash of the HTML and of the static files it
    links: the same page renders to the same PDF, so a copy can never be stale, and no write has to
    remember to drop it. For reports without personal data whose rendering takes long (a committee's
    annual report: WeasyPrint lays out ~9 ms per table row). A cache that cannot be written is skipped."""
    html = render_to_string(template_name, context)
    digest = hashlib.sha256(html.encode("utf-8"))
    for relative in sorted(set(STATIC_LINK.findall(html))):
        path = static_path(relative)
        digest.update(relative.encode() + b"\0" + (path.read_bytes() if path else b"-") + b"\0")
    root = Path(settings.PDF_CACHE_DIR)
    cached = root / f"{digest.hexdigest()}.pdf"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    data = _pdf_of(html)
    try:
        root.mkdir(parents=True, exist_ok=True)
        _prune(root)
        with tempfile.NamedTemporaryFile(dir=root, suffix=".part", delete=False) as part:
            part.write(data)
        os.replace(part.name, cached)
    except OSError as exc:
        logger.warning("PDF cache not written (%s): %s", root, exc)
    return data


def _prune(root: Path) -> None:
    """Drop copies older than CACHE_DAYS: each day's reports differ by their printing date anyway."""
    too_old = time.time() - CACHE_DAYS * 86400
    for path in root.iterdir():
        try:
            if path.stat().st_mtime < too_old:
                path.unlink()
        except OSError:
            continue
