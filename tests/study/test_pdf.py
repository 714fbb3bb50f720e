"""The printed arrangement: real Chinese text in the WenQuanYi font, readings and page numbers, A4."""

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from study.models import Arrangement
from study.pdf import arrangement_pdf
from study.selectors import with_content


def _pdf(client, arrangement) -> bytes:
    response = client.get(reverse("study:arrangement_pdf", args=[arrangement.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''" in response["Content-Disposition"]
    return response.content


def _fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


def test_it_prints_the_title_and_readings_in_a_cjk_font(login, cast, arrangement):
    reader = PdfReader(io.BytesIO(_pdf(login(cast.member), arrangement)))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")

    assert "党员学习教育安排" in text and "（2030年第3期）" in text
    assert "一、时间安排" in text and "六、学习要求" in text
    for reading in arrangement.readings.all():
        assert reading.title.replace(" ", "") in text
    assert "（来源：《群众》2020年第9期）" in text
    assert any("WenQuanYi" in name for name in _fonts(reader)), _fonts(reader)
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)


def test_it_numbers_the_pages_at_the_foot(cast, make_arrangement):
    long_purpose = "\n".join(
        ["通过集中学习，统一思想、统一意志、统一行动，提振干事创业、担当作为的精气神。" * 4] * 12
    )
    a = make_arrangement(purpose=long_purpose)
    reader = PdfReader(io.BytesIO(arrangement_pdf(with_content(Arrangement.objects.filter(pk=a.pk)).get())))
    assert len(reader.pages) >= 2
    for number, page in enumerate(reader.pages, start=1):
        assert f"—{number}—" in page.extract_text().replace(" ", "")


def _dark_share(png: bytes, box=None) -> float:
    img = Image.open(io.BytesIO(png)).convert("L")
    if box:
        img = img.crop(box)
    histogram = img.histogram()
    return sum(histogram[:128]) / sum(histogram)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_it_renders_page_one_with_real_glyphs(cast, arrangement, tmp_path):
    pdf = arrangement_pdf(with_content(Arrangement.objects.filter(pk=arrangement.pk)).get())
    (tmp_path / "a.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "50",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "a.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    png = next(tmp_path.glob("page*.png")).read_bytes()
    img = Image.open(io.BytesIO(png))
    assert img.size[0] < img.size[1]  # portrait A4
    assert 0.01 < _dark_share(png) < 0.5  # text on the page: neither blank nor a black box
    # The title band is inked, and the glyphs come from the WenQuanYi font embedded in the PDF
    # (Pango would otherwise draw tofu boxes from a Latin font).
    assert _dark_share(png, (0, img.size[1] // 20, img.size[0], img.size[1] // 9)) > 0.005
    fonts = _fonts(PdfReader(io.BytesIO(pdf)))
    assert fonts and all("WenQuanYi" in name for name in fonts), fonts


def test_the_arrangement_is_printed_through_the_apps_one_fetcher(cast, arrangement, monkeypatch):
    """A link in the arrangement's text to the file system or the network is refused, as in every
    other PDF (config/pdf.py): asked for, not loaded."""
    import config.pdf
    import study.pdf

    asked, served = [], []
    real = config.pdf.StaticOnlyFetcher.fetch

    def recording(self, url, headers=None):
        asked.append(url)
        response = real(self, url, headers)
        served.append(url)
        return response

    monkeypatch.setattr(config.pdf.StaticOnlyFetcher, "fetch", recording)
    html = '<img src="file:///etc/passwd"><img src="https://example.com/x.png"><p>学习安排</p>'
    monkeypatch.setattr(study.pdf, "arrangement_html", lambda a, **kw: html)
    assert study.pdf.arrangement_pdf(arrangement).startswith(b"%PDF")
    assert asked == ["file:///etc/passwd", "https://example.com/x.png"] and served == []
