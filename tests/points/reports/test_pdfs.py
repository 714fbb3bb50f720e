import pytest
from django.urls import reverse
from weasyprint import HTML

from config.pdf import StaticOnlyFetcher
from points.models import AnnualResult

from .conftest import YEAR, dark_share, pdf_fonts, pdf_text


def _get(client, name, *args, query=""):
    response = client.get(reverse(f"points:{name}", args=args) + query)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''" in response["Content-Disposition"]
    return response.content


def test_it_prints_the_quarter_publicity_notice(cast, year, login):
    data = _get(login(cast.member), "quarter_publicity_pdf", year.quarters[3].pk)
    text = pdf_text(data)
    assert "第一党支部2025年第4季度党员积分公示" in text
    assert "公示期：2026年1月5日至2026年1月12日" in text
    assert "普通党员" in text and "=1+1" in text
    assert "受到党内表彰奖励 +3" in text  # this quarter's items, in words
    assert "请于2026年1月12日（含当日）前" in text and "第一党总支" in text
    assert "第 1 页，共 1 页" in text


def test_it_prints_the_annual_publicity_notice(cast, year, login):
    data = _get(login(cast.secretary), "annual_publicity_pdf", year.filing.pk, query="?start=2026-01-05")
    text = pdf_text(data)
    assert "第一党支部2025年度党员积分公示" in text
    assert "2026年1月5日至2026年1月12日" in text
    assert "103" in text and "优先推荐党内各类表彰奖励" in text
    assert "应延长预备期" in text  # the probationary member with a deduction


def test_it_prints_every_line_of_a_member_sheet(cast, year, login):
    result = AnnualResult.objects.get(filing=year.filing, member=cast.member.member)
    text = pdf_text(_get(login(cast.member), "member_sheet_pdf", result.pk))
    assert "2025年度党员积分表" in text and "普通党员" in text
    assert "年度积分 103 分" in text
    assert "全年集中学习 32 学时" in text
    assert "“优秀共产党员”受到无锡市级以上党内表彰奖励" in text.replace("\n", "")
    assert "年度积分 103 分，在 100 分以上，且没有减分项" in text


def test_it_prints_the_annual_report_of_a_scope(cast, year, login):
    text = pdf_text(_get(login(cast.dept), "annual_report_pdf", cast.committee.pk, YEAR))
    assert "测试学院党委2025年度党员积分情况报告" in text
    assert "参加积分 7 人" in text
    assert "已审核备案 1 个" in text
    assert "第一党支部" in text and "第三党支部" in text
    assert "2025年度积分分布" in text  # the chart's title, set in the PDF as text


def test_it_sets_chinese_in_a_real_font(cast, year, login, tmp_path):
    data = _get(login(cast.dept), "annual_report_pdf", cast.committee.pk, YEAR)
    assert any("WenQuanYi" in font for font in pdf_fonts(data))
    share = dark_share(data, tmp_path)
    if share is None:
        pytest.skip("pdftoppm is not installed")
    # Text, table rules and the chart's bars: clearly inked, far from a blank page or a wall of boxes.
    assert 0.01 < share < 0.5


def test_it_renders_the_notice_page_legibly(cast, year, login, tmp_path):
    data = _get(login(cast.member), "quarter_publicity_pdf", year.quarters[3].pk)
    share = dark_share(data, tmp_path)
    if share is None:
        pytest.skip("pdftoppm is not installed")
    assert 0.005 < share < 0.4


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/static/css/print.css",
        "https://example.com/x.css",
        "data:text/css,body{}",
        "static:../config/settings/base.py",
        "static:css/../../manage.py",
        "static:/etc/passwd",
        "static:css/nothing-here.css",
        "ftp://example.com/a",
    ],
)
def test_it_refuses_to_fetch_anything_but_our_static_files(url):
    with pytest.raises(ValueError):
        StaticOnlyFetcher().fetch(url)


def test_it_fetches_our_stylesheet():
    response = StaticOnlyFetcher().fetch("static:css/print.css")
    assert b"WenQuanYi Micro Hei" in response.read()
    assert response.content_type == "text/css"


def test_it_leaves_out_a_remote_image_instead_of_fetching_it(monkeypatch):
    fetched = []

    class Recording(StaticOnlyFetcher):
        def fetch(self, url, headers=None):
            fetched.append(url)
            return super().fetch(url, headers)

    html = (
        '<link rel="stylesheet" href="static:css/print.css"><img src="https://example.com/x.png"><p>公示</p>'
    )
    HTML(string=html, url_fetcher=Recording()).write_pdf()
    assert fetched == ["static:css/print.css", "https://example.com/x.png"]  # asked, and refused


def test_it_hides_an_unpublished_quarter(cast, year, login):
    from points.services import workflow

    quarter = workflow.quarter_open(branch=cast.b1, year=YEAR + 1, number=1, actor=cast.secretary.user)
    response = login(cast.secretary).get(reverse("points:quarter_publicity_pdf", args=[quarter.pk]))
    assert response.status_code == 404
