"""Every page, PDF and workbook the demo shows, written out or compared with an earlier run (a tool for
changes that must not change what users see, such as the template engine; skipped unless asked for).

    RENDER_SNAPSHOT_DIR=/tmp/snap uv run pytest tests/test_render_snapshot.py

The first run writes one file per URL and login into the folder; a later run into the same folder
compares with them and fails naming every URL whose output differs. Pages are compared with their
whitespace runs collapsed and the CSRF token blanked; a PDF by the HTML it is laid out from, or with
RENDER_SNAPSHOT_PDF_PAGES=1 by its pages as images (pdftoppm, poppler-utils; slower); a workbook by every
sheet's cell values. The demo is built at a pinned moment, so two runs see the same data.
"""

import hashlib
import io
import os
import re
import subprocess
import tempfile
from collections import Counter, deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from points.reports.pdf import wait_for_layouts

SNAPSHOT_DIR = os.environ.get("RENDER_SNAPSHOT_DIR", "")
PDF_PAGES = os.environ.get("RENDER_SNAPSHOT_PDF_PAGES") == "1"
LOGINS = ["zuzhibu", "zongzhi", "shuji", "jiluyuan", "zhiwei", "dangyuan", "zhishu"]
PER_SHAPE = 3  # URLs kept per shape (digits replaced): enough to see each page with different data
MAX_PAGES = 250  # per login
SKIP = re.compile(r"/logout/|/admin/|/static/")

pytestmark = pytest.mark.skipif(not SNAPSHOT_DIR, reason="RENDER_SNAPSHOT_DIR not set")


def _normal_html(text: str) -> str:
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', text)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r">\s+<", "><", text).strip()


def _workbook_cells(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data))
    lines = []
    for sheet in book.worksheets:
        lines.append(f"## {sheet.title}")
        for row in sheet.iter_rows(values_only=True):
            lines.append("\t".join("" if v is None else str(v) for v in row))
    return "\n".join(lines)


def _page_images(pdf: bytes) -> str:
    """One digest per page image at 50 dpi: a PDF's bytes differ from run to run (its creation time)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "doc.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(source), f"{folder}/page"], check=True)
        pages = sorted(Path(folder).glob("page*.png"))
        return "\n".join(f"{p.name} {hashlib.sha256(p.read_bytes()).hexdigest()}" for p in pages)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _output(response) -> str:
    kind, body = response.get("Content-Type", ""), _body(response)
    if "spreadsheetml" in kind:
        return _workbook_cells(body)
    if "pdf" in kind and PDF_PAGES:
        return _page_images(body)
    if "html" in kind or "pdf" in kind:  # a PDF is the HTML it is laid out from (html_pdf patched below)
        return _normal_html(body.decode())
    return body.decode(errors="replace")


def _links(html: str) -> list[str]:
    found = []
    for href in re.findall(r'href="([^"]+)"', html):
        href = urldefrag(href.replace("&amp;", "&"))[0]
        if href.startswith("/") and not SKIP.search(href):
            found.append(href)
    return found


def _shape(url: str) -> str:
    parts = urlsplit(url)
    return re.sub(r"\d+", "N", parts.path) + (
        "?" + re.sub(r"=[^&]*", "=", parts.query) if parts.query else ""
    )


def _file_name(login: str, url: str) -> str:
    return f"{login}--{hashlib.sha256(url.encode()).hexdigest()[:16]}.txt"


@pytest.mark.django_db(transaction=True)
def test_render_snapshot(client, clock, monkeypatch, settings, tmp_path):
    settings.PDF_CACHE_DIR = tmp_path / "pdf"
    if not PDF_PAGES:
        monkeypatch.setattr("points.reports.pdf.html_pdf", lambda html: html.encode())
        monkeypatch.setattr("study.pdf.html_pdf", lambda html: html.encode())
    clock.move_to("2026-11-20 10:00")
    call_command("seed_demo", stdout=io.StringIO())

    folder = Path(SNAPSHOT_DIR)
    comparing = folder.exists() and any(folder.iterdir())
    folder.mkdir(parents=True, exist_ok=True)
    differ, seen_total = [], 0
    for login in LOGINS:
        client.force_login(get_user_model().objects.get(username=login))
        queue, seen, shapes = deque(["/"]), {"/"}, Counter()
        while queue and len(seen) <= MAX_PAGES:
            url = queue.popleft()
            response = client.get(url)
            if response.status_code == 202:  # a PDF being prepared in the background: ask again
                wait_for_layouts()
                response = client.get(url)
            text = f"{url}\n{response.status_code}\n{_output(response)}"
            seen_total += 1
            path = folder / _file_name(login, url)
            if comparing:
                before = path.read_text() if path.exists() else "(not in the earlier run)"
                if before != text:
                    differ.append(f"{login} {url}")
                    (folder / "after").mkdir(exist_ok=True)
                    (folder / "after" / path.name).write_text(text)
            else:
                path.write_text(text)
            if "text/html" in response.get("Content-Type", ""):
                for link in _links(text):
                    if link not in seen and shapes[_shape(link)] < PER_SHAPE:
                        seen.add(link)
                        shapes[_shape(link)] += 1
                        queue.append(link)
        client.logout()
    print(f"{seen_total} outputs {'compared' if comparing else 'written'}; {len(differ)} differ")
    assert not differ, "\n".join(differ)
