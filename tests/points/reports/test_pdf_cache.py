"""The annual report PDF is kept by content: the same page is not laid out twice, a change is."""

import pytest
from django.urls import reverse

from branches.models import Organization
from points.reports import pdf

from .conftest import YEAR, pdf_text


@pytest.fixture
def renders(monkeypatch, settings, tmp_path):
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"
    calls = []
    real = pdf.HTML

    class CountingHTML(real):
        def write_pdf(self, *args, **kwargs):
            calls.append(1)
            return super().write_pdf(*args, **kwargs)

    monkeypatch.setattr(pdf, "HTML", CountingHTML)
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
