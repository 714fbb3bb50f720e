"""The app's one way to print HTML to PDF with WeasyPrint, fetching nothing but our own static files.

Templates link them as ``static:css/print.css``; `StaticOnlyFetcher` refuses every other URL (file://,
http(s)://, data:, paths that climb out of ``static/``). Chinese text is set in a system CJK font found
through fontconfig, so no font file is fetched at all.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_SCHEME = "static:"
# Listed first so every machine that has it prints the same; the others cover a desk without it.
CJK_FONTS = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif'


def static_path(relative: str) -> Path | None:
    """The file under one of STATICFILES_DIRS, after resolving symlinks; None when it is not there."""
    for root in settings.STATICFILES_DIRS:
        root = Path(root).resolve()
        candidate = (root / relative).resolve()
        if candidate.is_file() and os.path.commonpath([root, candidate]) == str(root):
            return candidate
    return None


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


def html_pdf(html: str) -> bytes:
    """The PDF of `html`, laid out for print; a resource the fetcher refuses is left out of the page."""
    return HTML(string=html, url_fetcher=StaticOnlyFetcher(), media_type="print").write_pdf()
