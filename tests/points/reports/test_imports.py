import io
import stat
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from points.models import (
    AnnualFiling,
    AnnualResult,
    EntryType,
    FilingState,
    PointEntry,
    Quarter,
    QuarterState,
    Transition,
)
from points.reports.imports import read_upload
from points.scoring import GUIDELINE_SCHEME

from .conftest import YEAR

ITEMS = [item.label for item in GUIDELINE_SCHEME.base_items]
RESULT_HEADERS = [
    "年度",
    "党支部代码",
    "党员编号",
    "姓名",
    "类别",
    "免于积分管理",
    *ITEMS,
    "基础积分",
    "加分",
    "减分",
    "年度积分",
]
ENTRY_HEADERS = [
    "党员编号",
    "姓名",
    "日期",
    "季度",
    "类别",
    "项目",
    "分值",
    "表彰级别",
    "表彰内容",
    "帮教整改措施",
    "事由与依据",
]
FULL = [12, 12, 24, 12, 4, 12, 12, 12]


def xlsx(headers, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, kind, data, **extra):
    url = reverse("points:import_data", args=[kind])
    return client.post(url, {"file": SimpleUploadedFile("导入.xlsx", data), **extra})


def confirm(client, kind):
    return client.post(reverse("points:import_data", args=[kind]), {"action": "confirm"})


def result_row(member, code="B1", year=2023, items=FULL, bonus=0, deductions=0, total=None, **extra):
    base = sum(items)
    total = base + bonus - deductions if total is None else total
    row = [year, code, member.code, member.name, "正式党员", "否", *items, base, bonus, deductions, total]
    return row


def test_it_previews_then_imports_historical_results(cast, login):
    client = login(cast.dept)
    low = [6, 12, 12, 6, 2, 12, 12, 6]  # 68 points
    data = xlsx(
        RESULT_HEADERS,
        [
            result_row(cast.member.member, bonus=3),
            result_row(cast.secretary.member),
            result_row(cast.recorder.member, items=low),
        ],
    )
    preview = upload(client, "results", data)
    assert preview.status_code == 200
    assert preview.context["ready"] and not preview.context["problems"]
    assert not AnnualFiling.objects.filter(year=2023).exists()  # a preview keeps nothing

    response = confirm(client, "results")
    assert response.status_code == 302
    filing = AnnualFiling.objects.get(branch=cast.b1, year=2023)
    assert filing.state == FilingState.FILED
    assert filing.scheme == GUIDELINE_SCHEME.to_dict()
    results = {r.member_id: r for r in filing.results.all()}
    top = results[cast.member.member.pk]
    assert (top.total, top.rank) == (Decimal(103), 1)
    assert "priority_recommendation" in top.results
    bottom = results[cast.recorder.member.pk]
    assert bottom.rank == 3 and "talk_and_pairing" in bottom.results and bottom.near_bottom
    assert any(line[0] == "result" for line in bottom.lines)
    assert Transition.objects.filter(
        subject_type="filing", subject_id=filing.pk, reason="历史数据导入"
    ).exists()


def test_it_refuses_the_whole_file_for_one_bad_row(cast, login):
    client = login(cast.dept)
    bad = [13, 12, 24, 12, 4, 12, 12, 12]
    data = xlsx(
        RESULT_HEADERS,
        [
            result_row(cast.member.member),
            result_row(cast.secretary.member, items=bad, total=100),
            [2023, "B1", "NOPE", "", "党员", "否", *FULL, 100, 0, 0, 100],
        ],
    )
    response = upload(client, "results", data)
    problems = {(p.line, p.column): p.message for p in response.context["problems"]}
    assert problems[(3, "认真学习")] == "不能超过 12 分。"
    assert "应为 基础积分 101" in problems[(3, "年度积分")]
    assert "不存在" in problems[(4, "党员编号")]
    assert "类别应为" in problems[(4, "类别")]
    assert not response.context.get("ready")
    assert not AnnualFiling.objects.exists()
    page = response.content.decode()
    assert "未导入任何数据" in page and "第 3 行" in page
    # Nothing was stashed for confirmation either.
    assert confirm(client, "results").status_code == 302
    assert not AnnualFiling.objects.exists()


def test_it_refuses_rows_outside_the_importers_scope(cast, login):
    client = login(cast.secretary)
    data = xlsx(
        RESULT_HEADERS, [result_row(cast.member.member), result_row(cast.other_member.member, code="B3")]
    )
    problems = {(p.line, p.column) for p in upload(client, "results", data).context["problems"]}
    assert {(3, "党支部代码"), (3, "党员编号")} <= problems
    assert not AnnualFiling.objects.exists()


def test_it_refuses_a_year_already_in_the_system(cast, login):
    AnnualFiling.objects.create(branch=cast.b1, year=2023, scheme=GUIDELINE_SCHEME.to_dict())
    response = upload(login(cast.dept), "results", xlsx(RESULT_HEADERS, [result_row(cast.member.member)]))
    assert "不能再导入历史数据" in response.context["problems"][0].message


def test_it_imports_point_items_into_closed_quarters(cast, login):
    client = login(cast.secretary)
    rows = [
        [
            cast.member.member.code,
            "",
            "2024-05-10",
            "",
            "加分",
            "参加矛盾化解、助民服务、爱心捐款等公益活动",
            1.5,
            "",
            "",
            "",
            "社区义诊",
        ],
        [
            cast.member.member.code,
            "",
            "2024-06-01",
            "",
            "加分",
            "受到党内表彰奖励",
            "",
            "无锡市级以上",
            "优秀党员",
            "",
            "市级表彰",
        ],
        [
            cast.recorder.member.code,
            "",
            "",
            "2024年第3季度",
            "减分",
            "other_violation",
            5,
            "",
            "",
            "批评教育",
            "无故缺席",
        ],
        [
            cast.recorder.member.code,
            "",
            "2024-08-02",
            "",
            "支委会评定",
            "发挥模范作用",
            10,
            "",
            "",
            "",
            "带头作用不够",
        ],
    ]
    preview = upload(client, "entries", xlsx(ENTRY_HEADERS, rows))
    assert preview.context["ready"], preview.context["problems"]
    assert not Quarter.objects.filter(year=2024).exists()
    assert confirm(client, "entries").status_code == 302

    q2 = Quarter.objects.get(branch=cast.b1, year=2024, number=2)
    assert q2.state == QuarterState.CLOSED
    assert (
        Transition.objects.filter(subject_type="quarter", subject_id=q2.pk, reason="历史数据导入").count()
        == 1
    )
    entries = PointEntry.objects.filter(quarter__year=2024).order_by("id")
    assert [(e.entry_type, e.kind, e.value) for e in entries] == [
        (EntryType.BONUS, "public_welfare", Decimal("1.5")),
        (EntryType.BONUS, "commendation", Decimal(3)),
        (EntryType.DEDUCTION, "other_violation", Decimal(5)),
        (EntryType.JUDGMENT, "exemplary_role", Decimal(10)),
    ]
    assert entries[2].measure == "criticism" and entries[2].occurred_on is None
    assert all(e.created_by == cast.secretary.user and "历史数据导入" in e.reason for e in entries)


def test_it_refuses_items_the_rules_forbid(cast, login):
    Quarter.objects.create(branch=cast.b1, year=2024, number=1, state=QuarterState.OPEN)
    rows = [
        [
            cast.member.member.code,
            "",
            "2024-02-10",
            "",
            "加分",
            "public_welfare",
            1,
            "",
            "",
            "",
            "进行中的季度",
        ],
        [
            cast.member.member.code,
            "",
            "2024-05-10",
            "",
            "减分",
            "other_violation",
            12,
            "",
            "",
            "批评教育",
            "超过上限",
        ],
        [
            cast.member.member.code,
            "",
            "2024-05-10",
            "",
            "减分",
            "other_violation",
            5,
            "",
            "",
            "",
            "没有帮教措施",
        ],
        [cast.member.member.code, "", "2099-01-01", "", "加分", "public_welfare", 1, "", "", "", "未来"],
    ]
    response = upload(login(cast.dept), "entries", xlsx(ENTRY_HEADERS, rows))
    problems = {p.line: p.message for p in response.context["problems"]}
    assert "请在季度流程中录入" in problems[2]
    assert "5-10" in problems[3]
    assert "帮教整改措施" in problems[4]
    assert "不能晚于今天" in problems[5]
    assert not PointEntry.objects.exists()
    assert not Quarter.objects.filter(year=2024, number=2).exists()


def test_it_round_trips_its_own_export(cast, year, login):
    client = login(cast.dept)
    response = client.get(reverse("points:results_export", args=[cast.b1.pk, YEAR]))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb.active
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["年度", "党支部代码", "党支部", "党员编号"]
    formula = next(r for r in ws.iter_rows(min_row=2) if r[4].value == "=1+1")
    assert formula[4].data_type == "s"
    for r in ws.iter_rows(min_row=2):
        r[0].value = 2024
    out = io.BytesIO()
    wb.save(out)
    preview = upload(client, "results", out.getvalue())
    assert preview.context["ready"], preview.context["problems"]
    confirm(client, "results")
    old = {r.member_id: (r.total, r.rank, r.results) for r in AnnualResult.objects.filter(filing=year.filing)}
    new = {r.member_id: (r.total, r.rank, r.results) for r in AnnualResult.objects.filter(filing__year=2024)}
    assert new == old


def test_it_offers_a_template_with_the_import_columns(cast, login):
    response = login(cast.secretary).get(reverse("points:import_template", args=["entries"]))
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in ws[1]] == ["党支部", *ENTRY_HEADERS]


def test_it_rejects_files_that_are_not_sane_workbooks(cast, login):
    with pytest.raises(ValidationError, match="Excel"):
        read_upload(b"name,code\n")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    with pytest.raises(ValidationError, match="解压后超过 50 MB"):
        read_upload(bomb.getvalue())
    with pytest.raises(ValidationError, match="没有数据行"):
        read_upload(xlsx(RESULT_HEADERS, []))
    response = upload(login(cast.dept), "results", b"not a workbook")
    assert "不是 xlsx 格式" in response.content.decode()


def test_it_names_missing_columns(cast, login):
    response = upload(login(cast.dept), "results", xlsx(["年度", "党员编号"], [[2023, "M1"]]))
    assert "表头缺少以下列" in response.context["problems"][0].message


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stashed_files(media) -> list:
    folder = media / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_the_preview_keeps_the_file_readable_by_the_app_only_and_drops_it_on_import(cast, login, media):
    client = login(cast.dept)
    preview = upload(client, "results", xlsx(RESULT_HEADERS, [result_row(cast.member.member)]))
    assert preview.context["ready"]
    [stashed] = stashed_files(media)
    assert stat.S_IMODE(stashed.stat().st_mode) == 0o600

    confirm(client, "results")

    assert AnnualFiling.objects.filter(year=2023).exists()
    assert stashed_files(media) == []


def test_cancelling_the_preview_drops_the_file_and_imports_nothing(cast, login, media):
    client = login(cast.dept)
    upload(client, "results", xlsx(RESULT_HEADERS, [result_row(cast.member.member)]))
    assert len(stashed_files(media)) == 1

    response = client.post(reverse("points:import_data", args=["results"]), {"action": "cancel"}, follow=True)

    assert "已取消导入，上传的文件已删除" in response.content.decode()
    assert stashed_files(media) == []
    assert not AnnualFiling.objects.filter(year=2023).exists()
    stale = client.post(reverse("points:import_data", args=["results"]), {"action": "confirm"}, follow=True)
    assert "导入预览已过期" in stale.content.decode()
    assert not AnnualFiling.objects.filter(year=2023).exists()


def test_it_refuses_a_sheet_over_the_row_limit_naming_the_limit_and_keeps_nothing(
    cast, login, media, monkeypatch
):
    monkeypatch.setattr("points.reports.imports.MAX_ROWS", 2)
    rows = [result_row(m) for m in (cast.member.member, cast.secretary.member, cast.recorder.member)]

    response = upload(login(cast.dept), "results", xlsx(RESULT_HEADERS, rows))

    assert "文件超过 2 行（一次最多导入 2 行）" in response.content.decode()
    assert not response.context.get("ready")
    assert stashed_files(media) == []
    assert not AnnualFiling.objects.filter(year=2023).exists()
