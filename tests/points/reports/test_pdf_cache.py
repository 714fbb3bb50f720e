"""The annual report PDF is kept by content: the same page is not laid out twice, a change is."""

import pytest
from django.urls import reverse

from branches.models import Organization
from points.reports import pdf

from .conftest import YEAR, pdf_text

# The cache judges locks, failure markers and old files by their modification times.
pytestmark = pytest.mark.real_clock


@pytest.fixture
def renders(monkeypatch, settings, tmp_path):
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"
    import config.pdf

    calls = []
    real = config.pdf.HTML

    class CountingHTML(real):
        def write_pdf(self, *args, **kwargs):
            calls.append(1)
            return super().write_pdf(*args, **kwargs)

    monkeypatch.setattr(config.pdf, "HTML", CountingHTML)
    return calls


def _report(client, cast):
    response = client.get(reverse("points:annual_report_pdf", args=[cast.committee.pk, YEAR]))
    assert response.status_code == 200
    return response.content


def test_the_same_report_is_served_from_the_cache(cast, year, login, renders):
    client = login(cast.dept)
    first = _report(client, cast)
    second = _report(client, cast)
    assert len(renders) == 1 and first == second


def test_a_change_in_the_data_renders_it_again(cast, year, login, renders):
    client = login(cast.dept)
    before = pdf_text(_report(client, cast))
    Organization.objects.filter(pk=cast.b3.pk).update(name="第三党支部（更名）")
    after = pdf_text(_report(client, cast))
    assert len(renders) == 2
    assert "更名" not in before and "第三党支部（更名）" in after.replace("\n", "")


def test_a_change_in_the_print_stylesheet_renders_it_again(cast, year, login, renders, monkeypatch, tmp_path):
    client = login(cast.dept)
    _report(client, cast)
    css = tmp_path / "print.css"
    css.write_text(pdf.static_path("css/print.css").read_text() + "\n/* changed */\n")
    monkeypatch.setattr(pdf, "static_path", lambda relative: css)
    _report(client, cast)
    assert len(renders) == 2


def test_an_unwritable_cache_still_serves_the_report(cast, year, login, renders, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.PDF_CACHE_DIR = blocker / "pdf-cache"
    client = login(cast.dept)
    assert _report(client, cast).startswith(b"%PDF")
    assert _report(client, cast).startswith(b"%PDF")
    assert len(renders) == 2


def test_old_copies_are_pruned_when_a_new_one_is_written(cast, year, login, renders, settings):
    import os
    import time

    cache = settings.PDF_CACHE_DIR
    cache.mkdir(parents=True)
    stale = cache / "old.pdf"
    stale.write_bytes(b"%PDF old")
    long_ago = time.time() - (pdf.CACHE_DAYS + 1) * 86400
    os.utime(stale, (long_ago, long_ago))
    _report(login(cast.dept), cast)
    assert not stale.exists()
    assert len(list(cache.glob("*.pdf"))) == 1


def test_prepare_reports_warms_the_cache_so_a_download_lays_out_nothing(cast, year, login, renders):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("prepare_reports", "--year", str(YEAR), stdout=out)
    assert "测试学院党委2025年度报告" in out.getvalue()
    warmed = len(renders)
    assert warmed >= 1
    _report(login(cast.dept), cast)
    assert len(renders) == warmed


def test_prepare_reports_refuses_a_year_out_of_range(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="年度无效"):
        call_command("prepare_reports", "--year", "1800")


# --- a long report is laid out beside the request ----------------------------------------------------


def _exports(what="年度积分报告"):
    from members.models import SecurityEvent, SecurityEventKind

    return SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORT, detail__contains=what).count()


def _link(response, param: str) -> dict:
    """The query of the page's link with `param` (the waiting page's reload or the download)."""
    import re
    from html import unescape
    from urllib.parse import unquote

    token = re.search(rf"\?{param}=([^\"&]+)", response.content.decode()).group(1)
    return {param: unquote(unescape(token))}


@pytest.fixture
def builds(monkeypatch):
    """How many times the annual report's content was built (the expensive part of a request)."""
    from points.reports import documents

    calls = []
    real = documents.annual_report
    monkeypatch.setattr(documents, "annual_report", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def test_a_long_report_is_laid_out_in_the_background_and_served_when_ready(
    cast, year, login, renders, settings, builds
):
    settings.PDF_INLINE_ROWS = 0  # every report counts as long
    client = login(cast.dept)
    url = reverse("points:annual_report_pdf", args=[cast.committee.pk, YEAR])
    waiting = client.get(url)
    assert waiting.status_code == 202
    html = waiting.content.decode()
    reload = _link(waiting, "wait")
    assert "正在生成报告" in html and f'<meta http-equiv="refresh" content="10; url={url}?wait=' in html
    assert _exports() == 0  # nothing left the server yet
    pdf.wait_for_layouts(timeout=60)
    # The reloading page learns it is ready and offers the download; it does not reload into the PDF
    # (an attachment leaves the page in place, which would download it again every 10 s).
    offered = client.get(url, reload)
    assert offered.status_code == 200 and offered["Content-Type"].startswith("text/html")
    page = offered.content.decode()
    assert "报告已生成" in page and f'href="{url}?file=' in page and "http-equiv" not in page
    assert _exports() == 0
    ready = client.get(url, _link(offered, "file"))
    assert ready.status_code == 200 and ready.content.startswith(b"%PDF")
    assert ready["Content-Type"] == "application/pdf"
    assert len(renders) == 1 and _exports() == 1
    assert len(builds) == 1  # neither the reload nor the download built the report again
    assert not list(settings.PDF_CACHE_DIR.glob("*.lock"))


def test_a_token_names_only_its_own_units_report(cast, year, login, renders, settings, builds):
    settings.PDF_INLINE_ROWS = 0
    client = login(cast.dept)
    committee = reverse("points:annual_report_pdf", args=[cast.committee.pk, YEAR])
    token = _link(client.get(committee), "wait")
    pdf.wait_for_layouts(timeout=60)
    branch = reverse("points:annual_report_pdf", args=[cast.b3.pk, YEAR])
    other = client.get(branch, {"file": token["wait"]})  # the committee's token on a branch's report
    assert len(builds) == 2  # not taken: the branch's own report is built
    assert other.status_code == 202  # the branch's own report, laid out now
    pdf.wait_for_layouts(timeout=60)
    assert len(renders) == 2
    forged = client.get(committee, {"wait": "forged"})  # a bad token is ignored: the report is built
    assert forged.status_code == 200 and "报告已生成" in forged.content.decode()
    assert len(builds) == 3


def test_asking_again_while_it_is_laid_out_starts_nothing_more(
    cast, year, login, renders, settings, monkeypatch
):
    import threading

    settings.PDF_INLINE_ROWS = 0
    release = threading.Event()
    real = pdf._pdf_of

    def slow(html):
        release.wait(30)
        return real(html)

    monkeypatch.setattr(pdf, "_pdf_of", slow)
    client = login(cast.dept)
    url = reverse("points:annual_report_pdf", args=[cast.committee.pk, YEAR])
    try:
        first = client.get(url)
        asked = [first, client.get(url, _link(first, "wait")), client.get(url, _link(first, "wait"))]
        assert [r.status_code for r in asked] == [202, 202, 202]  # the reloads still wait
        assert all("正在生成报告" in r.content.decode() for r in asked)
        assert len(list(settings.PDF_CACHE_DIR.glob("*.lock"))) == 1  # the other workers see it too
    finally:
        release.set()
        pdf.wait_for_layouts(timeout=60)
    assert len(renders) == 1
    assert client.get(url).status_code == 200


def test_another_workers_fresh_lock_is_respected_and_a_stale_one_is_not(cast, year, login, renders, settings):
    import os
    import time

    settings.PDF_INLINE_ROWS = 0
    client = login(cast.dept)
    url = reverse("points:annual_report_pdf", args=[cast.committee.pk, YEAR])
    assert client.get(url).status_code == 202
    pdf.wait_for_layouts(timeout=60)
    [kept] = settings.PDF_CACHE_DIR.glob("*.pdf")
    kept.unlink()  # as if never laid out; another worker holds the lock
    lock = kept.with_suffix(".lock")
    lock.write_text("12345")
    assert client.get(url).status_code == 202
    pdf.wait_for_layouts(timeout=60)
    assert len(renders) == 1 and not kept.exists()  # left to the other worker
    old = time.time() - pdf.STALE_LOCK_SECONDS - 1
    os.utime(lock, (old, old))  # that worker died
    assert client.get(url).status_code == 202
    pdf.wait_for_layouts(timeout=60)
    assert len(renders) == 2 and kept.exists() and not lock.exists()


def test_a_failed_layout_is_reported_and_started_again_when_asked(
    cast, year, login, renders, settings, monkeypatch, caplog
):
    settings.PDF_INLINE_ROWS = 0
    real = pdf._pdf_of
    tries = []

    def broken(html):
        tries.append(1)
        raise OSError("font missing")

    monkeypatch.setattr(pdf, "_pdf_of", broken)
    client = login(cast.dept)
    url = reverse("points:annual_report_pdf", args=[cast.committee.pk, YEAR])
    with caplog.at_level("ERROR", logger="points.reports.pdf"):
        waiting = client.get(url)
        assert waiting.status_code == 202
        pdf.wait_for_layouts(timeout=60)
    assert "PDF layout failed" in caplog.text
    assert not list(settings.PDF_CACHE_DIR.glob("*.pdf")) and not list(settings.PDF_CACHE_DIR.glob("*.lock"))
    # The waiting page, and a new request, say it failed instead of waiting for ever; nothing restarts.
    for response in (client.get(url, _link(waiting, "wait")), client.get(url)):
        assert response.status_code == 503
        page = response.content.decode()
        assert "报告生成失败" in page and "排版时出错" in page and f'href="{url}?retry=1"' in page
        assert "http-equiv" not in page
    pdf.wait_for_layouts(timeout=60)
    assert len(tries) == 1 and _exports() == 0
    monkeypatch.setattr(pdf, "_pdf_of", real)
    assert client.get(url, {"retry": "1"}).status_code == 202
    pdf.wait_for_layouts(timeout=60)
    assert client.get(url).status_code == 200
    assert not list(settings.PDF_CACHE_DIR.glob("*.failed"))


def test_a_report_that_cannot_be_kept_is_reported_not_awaited_for_ever(
    cast, year, login, renders, settings, monkeypatch
):
    """A full disk: laid out, but the copy cannot be written, so no reload could ever serve it."""
    settings.PDF_INLINE_ROWS = 0
    real_write = pdf.tempfile.NamedTemporaryFile

    def full_disk(*args, **kwargs):
        handle = real_write(*args, **kwargs)

        def write(data):
            raise OSError(28, "No space left on device")

        handle.write = write
        return handle

    monkeypatch.setattr(pdf.tempfile, "NamedTemporaryFile", full_disk)
    client = login(cast.dept)
    url = reverse("points:annual_report_pdf", args=[cast.committee.pk, YEAR])
    waiting = client.get(url)
    assert waiting.status_code == 202
    pdf.wait_for_layouts(timeout=60)
    failed = client.get(url, _link(waiting, "wait"))
    assert failed.status_code == 503 and "磁盘空间不足" in failed.content.decode()
    assert not list(settings.PDF_CACHE_DIR.glob("*.part"))  # no half-written file left behind
    monkeypatch.setattr(pdf.tempfile, "NamedTemporaryFile", real_write)
    assert client.get(url, {"retry": "1"}).status_code == 202
    pdf.wait_for_layouts(timeout=60)
    assert client.get(url).status_code == 200


def test_a_short_report_is_still_laid_out_at_once(cast, year, login, renders, settings):
    settings.PDF_INLINE_ROWS = 10_000
    assert _report(login(cast.dept), cast).startswith(b"%PDF")
    assert len(renders) == 1


def test_a_long_report_with_an_unwritable_cache_is_laid_out_at_once(
    cast, year, login, renders, settings, tmp_path
):
    """A background copy could never be kept, so the user would wait for ever: lay it out in the request."""
    settings.PDF_INLINE_ROWS = 0
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.PDF_CACHE_DIR = blocker / "pdf-cache"
    assert _report(login(cast.dept), cast).startswith(b"%PDF")
    assert len(renders) == 1


def test_a_token_older_than_its_lifetime_builds_the_report_again(
    cast, year, login, renders, settings, builds
):
    """A link kept for hours must not serve a copy of data changed since: after PDF_TOKEN_SECONDS the
    report is built from the data of the moment."""
    import time

    from django.core import signing

    from points.views import reports

    settings.PDF_INLINE_ROWS = 0
    client = login(cast.dept)
    url = reverse("points:annual_report_pdf", args=[cast.committee.pk, YEAR])
    key = _link(client.get(url), "wait")["wait"]
    pdf.wait_for_layouts(timeout=60)
    salt = f"points.annual_report_pdf:{cast.committee.pk}:{YEAR}"
    name = signing.loads(key, salt=salt)

    class Earlier(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - reports.PDF_TOKEN_SECONDS - 1)

    old = Earlier(salt=salt).sign_object(name)
    fresh = signing.dumps(name, salt=salt)
    assert client.get(url, {"file": fresh}).content.startswith(b"%PDF") and len(builds) == 1
    Organization.objects.filter(pk=cast.b3.pk).update(name="第三党支部（更名）")
    assert client.get(url, {"file": old}).status_code == 202  # built again: the data changed
    assert len(builds) == 2
    pdf.wait_for_layouts(timeout=60)
    assert "第三党支部（更名）" in pdf_text(_report(client, cast)).replace("\n", "")


def test_a_failure_is_seen_by_every_worker_even_when_the_disk_takes_no_marker_text(
    cast, year, login, renders, settings, monkeypatch
):
    """No worker keeps failures in memory: the marker beside the copy tells them all. A full disk that
    refuses the marker's text still takes a rename of the lock, which reads as "could not be kept"."""
    import pathlib

    settings.PDF_INLINE_ROWS = 0

    def broken(html):
        raise OSError("font missing")

    real_write_text = pathlib.Path.write_text

    def full_disk(self, *args, **kwargs):
        if self.suffix == ".failed":
            raise OSError(28, "No space left on device")
        return real_write_text(self, *args, **kwargs)

    monkeypatch.setattr(pdf, "_pdf_of", broken)
    monkeypatch.setattr(pathlib.Path, "write_text", full_disk)
    client = login(cast.dept)
    url = reverse("points:annual_report_pdf", args=[cast.committee.pk, YEAR])
    waiting = client.get(url)
    pdf.wait_for_layouts(timeout=60)
    [marker] = settings.PDF_CACHE_DIR.glob("*.failed")
    assert marker.read_text() == "" and not list(settings.PDF_CACHE_DIR.glob("*.lock"))
    failed = client.get(url, _link(waiting, "wait"))
    assert failed.status_code == 503 and "无法保存报告文件" in failed.content.decode()


def test_a_layout_in_progress_elsewhere_waits_rather_than_reporting_an_older_failure(
    cast, year, login, renders, settings
):
    settings.PDF_INLINE_ROWS = 0
    client = login(cast.dept)
    url = reverse("points:annual_report_pdf", args=[cast.committee.pk, YEAR])
    client.get(url)
    pdf.wait_for_layouts(timeout=60)
    [kept] = settings.PDF_CACHE_DIR.glob("*.pdf")
    kept.unlink()
    kept.with_suffix(".failed").write_text("排版时出错")  # an earlier failure …
    assert client.get(url).status_code == 503
    kept.with_suffix(".lock").write_text("")  # … and another worker retrying it now
    waiting = client.get(url)
    assert waiting.status_code == 202 and "正在生成报告" in waiting.content.decode()
    assert len(renders) == 1
