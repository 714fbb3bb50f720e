import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from points.models import AnnualResult
from points.reports.xlsx import sheet_title

from .conftest import YEAR


def _workbook(client, unit, year=YEAR):
    response = client.get(reverse("points:annual_workbook", args=[unit.pk, year]))
    assert response.status_code == 200
    return response, load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_it_writes_a_summary_and_a_sheet_per_branch(cast, year, login):
    _, wb = _workbook(login(cast.dept), cast.committee)
    assert wb.sheetnames == ["汇总", "第一党支部", "第二党支部", "第三党支部"]
    summary = wb["汇总"]
    headers = [c.value for c in summary[1]]
    assert headers[:5] == ["上级党组织", "党支部", "参加积分人数", "免于积分管理人数", "平均分"]
    assert "低于70分" in headers and "100分以上" in headers
    assert "优先推荐党内各类表彰奖励" in headers and headers[-1] == "备案状态"
    sheet = wb["第一党支部"]
    assert [c.value for c in sheet[1]] == [
        "党员编号",
        "姓名",
        "类别",
        "认真学习",
        "按时参加会议",
        "自觉参加组织生活",
        "主动交纳党费",
        "及时汇报思想",
        "发挥模范作用",
        "遵守党规党纪",
        "深入联系群众",
        "基础积分",
        "加分",
        "减分",
        "年度积分",
        "排名",
        "积分结果运用",
    ]
    assert wb["第二党支部"]["A2"].value == "本年度尚未汇总年度积分。"


def test_it_sets_frozen_headers_widths_formats_and_print_setup(cast, year, login):
    _, wb = _workbook(login(cast.dept), cast.committee)
    for ws in (wb["汇总"], wb["第一党支部"]):
        assert ws.freeze_panes == "A2"
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.print_title_rows == "$1:$1"
        assert ws.column_dimensions["B"].width >= 10
        assert ws["A1"].font.bold
    summary = wb["汇总"]
    assert summary["E2"].number_format == "0.00"
    assert summary["C2"].number_format == "0"


def test_it_matches_the_database(cast, year, login):
    _, wb = _workbook(login(cast.dept), cast.committee)
    sheet = wb["第一党支部"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    results = AnnualResult.objects.filter(filing=year.filing).select_related("member")
    assert len(rows) == results.count() == 7
    for r in results:
        row = rows[r.member.code]
        assert row[1] == r.member.name
        assert Decimal(str(row[14])) == r.total
        assert Decimal(str(row[11])) == r.base
        assert row[15] == r.rank
        assert Decimal(str(row[3])) == Decimal(r.base_items["study"])
    summary = {row[1]: row for row in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    totals = [r.total for r in results]
    assert summary["第一党支部"][2] == 7
    assert summary["第一党支部"][4] == round(float(sum(totals)) / 7, 2)
    assert summary["第一党支部"][-1] == "已审核备案"
    assert summary["第二党支部"][-1] == "未汇总"
    assert summary["合计"][2] == 7
    # Band counts add up to the members scored; each result column counts the members it names.
    assert sum(summary["第一党支部"][5:10]) == 7
    priority = sum(1 for r in results if "priority_recommendation" in r.results)
    assert summary["第一党支部"][10] == priority == 3


def test_it_writes_a_formula_like_name_as_text(cast, year, login):
    _, wb = _workbook(login(cast.dept), cast.committee)
    cell = next(row[1] for row in wb["第一党支部"].iter_rows(min_row=2) if row[0].value == year.formula.code)
    assert cell.value == "=1+1"
    assert cell.data_type == "s"
    assert cell.quotePrefix


def test_it_sends_a_chinese_filename(cast, year, login):
    response, _ = _workbook(login(cast.dept), cast.committee)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition
    assert "%E5%B9%B4%E5%BA%A6" in disposition  # 年度


def test_it_limits_a_general_branch_to_its_subtree(cast, year, login):
    _, wb = _workbook(login(cast.gb_secretary), cast.g1)
    assert wb.sheetnames == ["汇总", "第一党支部", "第二党支部"]


def test_it_writes_one_branch(cast, year, login):
    _, wb = _workbook(login(cast.secretary), cast.b1)
    assert wb.sheetnames == ["汇总", "第一党支部"]


def test_it_makes_sheet_titles_valid_and_unique():
    taken = {"汇总"}
    assert sheet_title("汇总", taken) == "汇总（2）"
    assert sheet_title("教工[1]/党支部?", taken) == "教工_1__党支部_"
    long = "很长的党支部名称" * 6
    first, second = sheet_title(long, taken), sheet_title(long, taken)
    assert len(first) == len(second) == 31 and first != second


def test_it_logs_every_export(cast, year, login):
    from members.models import SecurityEvent, SecurityEventKind

    client = login(cast.secretary)
    _workbook(client, cast.b1)
    client.get(reverse("points:annual_report_pdf", args=[cast.b1.pk, YEAR]))
    details = list(
        SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORT, user=cast.secretary.user).values_list(
            "detail", flat=True
        )
    )
    assert sorted(details) == sorted(
        ["2025年度积分统计表；范围：第一党支部", "2025年度积分报告；范围：第一党支部"]
    )
