"""名册导入: upload → preview → confirm, all or nothing, and every way a file is refused."""

import csv
import datetime
import io
import stat
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from members.models import Category, Gender, Member, MemberChange
from members.roster import COLUMNS, EXAMPLE_CODE
from members.roster_views import SESSION_KEY
from members.services import member_update

from ..conftest import ROLES

ANON = "anonymous"
IMPORTERS = {"dept", "gb_secretary", "secretary"}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Previews keep the uploaded file under MEDIA_ROOT/imports: one folder per test."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def person(code, name, branch="第一党支部", **extra):
    values = {
        "党员编号": code,
        "姓名": name,
        "性别": "男",
        "类别": "正式党员",
        "入党日期": "2015-07-01",
        "所在党支部": branch,
        "流动党员": "否",
    }
    values.update(extra)
    return values


def existing(member, **changes):
    """A row that says what the database already says about `member`, with `changes` on top."""
    values = {
        "党员编号": member.code,
        "姓名": member.name,
        "性别": member.get_gender_display(),
        "类别": member.get_category_display(),
        "入党日期": member.join_date.isoformat() if member.join_date else "",
        "所在党支部": member.branch.name,
        "党小组": member.group.name if member.group else "",
        "流动党员": "是" if member.is_mobile else "否",
        "联系电话": member.phone,
    }
    values.update(changes)
    return values


def xlsx(rows, headers=COLUMNS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "党员名册"
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding="utf-8-sig", headers=COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return buffer.getvalue().encode(encoding)


def upload(client, data, name="名册.xlsx"):
    return client.post(reverse("members:import"), {"file": SimpleUploadedFile(name, data)})


def confirm(client, token=None):
    if token is None:
        token = client.session[SESSION_KEY]["token"]
    return client.post(reverse("members:import_confirm"), {"token": token})


def snapshot(cast):
    member = Member.objects.get(pk=cast.member.member.pk)
    return Member.objects.count(), MemberChange.objects.count(), member.phone, member.name


def page(response) -> str:
    return response.content.decode()


# --- happy paths ------------------------------------------------------------------------------


def test_it_previews_then_imports_new_members_with_history(client, cast, media_root):
    client.force_login(cast.secretary.user)
    rows = [
        person("T0001", "王小明", 党小组="第一党小组", 联系电话="13900000001"),
        person(
            "T0002",
            "李小红",
            "B1",
            性别="女",
            类别="预备党员",
            入党日期="",
            预备期开始="2026-01-01",
            预备期结束="2027-01-01",
            流动党员="是",
            流入地="苏州",
            流动党员活动证编号="LD-01",
        ),
    ]
    before = snapshot(cast)

    response = upload(client, xlsx(rows))

    assert response.status_code == 200
    report = response.context["report"]
    assert (report.new_count, report.update_count, report.errors) == (2, 0, [])
    assert "王小明" in page(response) and "确认导入" in page(response)
    assert snapshot(cast) == before  # a preview writes nothing

    response = confirm(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("branches:unit", args=[cast.b1.pk])
    wang = Member.objects.get(code="T0001")
    assert (wang.name, wang.gender, wang.category, wang.group, wang.phone) == (
        "王小明",
        Gender.MALE,
        Category.FULL,
        cast.group1,
        "13900000001",
    )
    assert wang.join_date == datetime.date(2015, 7, 1)
    assert wang.committee == cast.committee
    li = Member.objects.get(code="T0002")
    assert (li.category, li.probation_end, li.is_mobile, li.mobile_destination, li.activity_card_no) == (
        Category.PROBATIONARY,
        datetime.date(2027, 1, 1),
        True,
        "苏州",
        "LD-01",
    )
    history = MemberChange.objects.filter(member__code__in=["T0001", "T0002"])
    assert {(c.field, c.reason, c.actor) for c in history} == {("*", "名册导入", cast.secretary.user)}
    assert history.count() == 2
    assert SESSION_KEY not in client.session
    assert "已导入：新增 2 人，更新 0 人" in page(client.get(response["Location"]))
    assert not list((media_root / "imports").iterdir())  # the preview's file is gone


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_it_imports_csv_in_utf8_or_gb18030(client, cast, encoding):
    client.force_login(cast.secretary.user)

    response = upload(client, csv_bytes([person("T0001", "王小明")], encoding), "名册.csv")

    assert response.context["report"].new_count == 1
    confirm(client)
    assert Member.objects.get(code="T0001").name == "王小明"


def test_it_changes_nothing_when_the_same_file_is_imported_again(client, cast):
    client.force_login(cast.secretary.user)
    data = xlsx([person("T0001", "王小明", 党小组="第一党小组"), existing(cast.member.member)])
    upload(client, data)
    confirm(client)
    before = snapshot(cast)

    response = upload(client, data)

    report = response.context["report"]
    assert (report.new_count, report.update_count, report.unchanged_count) == (0, 0, 2)
    assert "没有需要导入的变化" in page(response)
    response = confirm(client)
    assert response.status_code == 302
    assert snapshot(cast) == before


def test_it_shows_a_changed_field_in_the_preview_and_applies_it(client, cast):
    client.force_login(cast.secretary.user)
    member = cast.member.member

    response = upload(client, xlsx([existing(member, 联系电话="13911112222")]))

    report = response.context["report"]
    assert (report.new_count, report.update_count) == (0, 1)
    [row] = report.shown_rows
    assert [(c.column, c.old, c.new) for c in row.changes] == [("联系电话", "", "13911112222")]
    assert "联系电话：（空） → 13911112222" in page(response)
    assert Member.objects.get(pk=member.pk).phone == ""

    confirm(client)

    assert Member.objects.get(pk=member.pk).phone == "13911112222"
    change = MemberChange.objects.get(member=member, field="phone")
    assert (change.old_value, change.new_value, change.actor) == ("", "13911112222", cast.secretary.user)


def test_it_accepts_excel_dates_and_day_numbers(client, cast):
    client.force_login(cast.secretary.user)
    book = Workbook()
    book.active.append(list(COLUMNS))
    book.active.append(
        [person("T0001", "王小明").get(h, "") for h in COLUMNS[:4]]
        + [datetime.datetime(2016, 7, 1)]
        + ["", "", "第一党支部"]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    upload(client, buffer.getvalue())
    confirm(client)
    upload(client, csv_bytes([person("T0002", "李小红", 入党日期="42186")]), "名册.csv")
    confirm(client)

    assert Member.objects.get(code="T0001").join_date == datetime.date(2016, 7, 1)
    assert Member.objects.get(code="T0002").join_date == datetime.date(2015, 7, 1)


def test_it_picks_the_importers_branch_when_names_repeat(client, cast):
    from tests.factories import make_org

    make_org("第一党支部", "branch", cast.g2, code="B9")  # same name under the other general branch
    client.force_login(cast.secretary.user)

    response = upload(client, xlsx([person("T0001", "王小明")]))

    assert response.context["report"].ok
    confirm(client)
    assert Member.objects.get(code="T0001").branch == cast.b1


# --- refused files: the database is left as it was ----------------------------------------------


def _zip(entries) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            for _ in range(51):
                part.write(b"\0" * (1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024  # small until it is opened
    return data


def _good_xlsx(cast):
    return xlsx([person("T0001", "王小明"), existing(cast.member.member, 联系电话="13911112222")])


REFUSED_FILES = {
    "text file": (lambda cast: b"just some notes", "名册.txt", "只能导入 .xlsx 或 .csv 文件"),
    "old xls": (lambda cast: b"\xd0\xcf\x11\xe0" + b"\0" * 100, "名册.xls", "另存为 .xlsx"),
    "png renamed xlsx": (lambda cast: b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "名册.xlsx", "不是 xlsx 格式"),
    "png renamed csv": (lambda cast: b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "名册.csv", "不是 CSV 文本"),
    "truncated xlsx": (lambda cast: _good_xlsx(cast)[:2000], "名册.xlsx", "文件已损坏"),
    "zip without a workbook": (
        lambda cast: _zip([("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "garbage")]),
        "名册.xlsx",
        "文件已损坏",
    ),
    "zip that is not an xlsx": (lambda cast: _zip([("readme.txt", "hi")]), "名册.xlsx", "不是 xlsx 格式"),
    "over 5 MB": (lambda cast: b"a," * (5 * 1024 * 1024 // 2 + 1), "名册.csv", "文件超过 5 MB"),
    "zip bomb": (lambda cast: _zip_bomb(), "名册.xlsx", "解压后超过 50 MB"),
    "too many zip entries": (
        lambda cast: _zip([("[Content_Types].xml", "<Types/>")] + [(f"x/{i}.xml", "") for i in range(300)]),
        "名册.xlsx",
        "部件过多",
    ),
    "entity expansion": (
        lambda cast: _zip(
            [
                ("[Content_Types].xml", '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa">]><Types/>'),
            ]
        ),
        "名册.xlsx",
        "DTD",
    ),
    "undecodable csv": (lambda cast: b"abc,\xff\xff\n", "名册.csv", "无法识别 CSV 文件的编码"),
    "unknown column": (
        lambda cast: xlsx(
            [{"党员编号": "T1", "姓名": "王", "所在党支部": "B1", "备注": "x"}],
            headers=("党员编号", "姓名", "所在党支部", "备注"),
        ),
        "名册.xlsx",
        "无法识别的列：备注",
    ),
    "missing column": (
        lambda cast: xlsx([{"党员编号": "T1", "姓名": "王"}], headers=("党员编号", "姓名")),
        "名册.xlsx",
        "缺少必需的列：所在党支部",
    ),
    "no rows": (lambda cast: xlsx([]), "名册.xlsx", "没有党员数据"),
}


@pytest.mark.parametrize("case", REFUSED_FILES)
def test_it_refuses_a_bad_file_and_changes_nothing(client, cast, case):
    make, name, message = REFUSED_FILES[case]
    client.force_login(cast.secretary.user)
    before = snapshot(cast)

    response = upload(client, make(cast), name)

    assert response.status_code == 200
    assert response.templates[0].name == "members/roster_import.html"
    assert response.context["form"].errors["file"]
    assert message in page(response)
    assert SESSION_KEY not in client.session
    assert snapshot(cast) == before


def test_it_refuses_more_rows_than_the_limit(client, cast, settings):
    settings.ROSTER_MAX_ROWS = 3
    client.force_login(cast.secretary.user)

    response = upload(client, xlsx([person(f"T{i}", f"党员{i}") for i in range(4)]))

    assert "文件超过 3 行" in page(response)
    assert not Member.objects.filter(code__startswith="T").exists()


REFUSED_ROWS = {
    # case: (rows after a good new row and an update of cast.member, expected (row, column, words))
    "unknown branch": (
        [person("T0009", "赵六", "第九党支部")],
        (4, "所在党支部", "找不到党支部“第九党支部”"),
    ),
    "branch out of scope": ([person("T0009", "赵六", "第三党支部")], (4, "所在党支部", "不在您的管理范围内")),
    "not a branch": ([person("T0009", "赵六", "G1")], (4, "所在党支部", "党员只能编入党支部")),
    "duplicate code": ([person("T0001", "王小明二号")], (4, "党员编号", "在第 2、4 行重复出现")),
    "example row": ([person(EXAMPLE_CODE, "张三")], (4, "党员编号", "示例行")),
    "bad gender": ([person("T0009", "赵六", 性别="M")], (4, "性别", "应填写：男、女")),
    "bad date": ([person("T0009", "赵六", 入党日期="2015年13月")], (4, "入党日期", "YYYY-MM-DD")),
    "bad yes/no": ([person("T0009", "赵六", 流动党员="可能")], (4, "流动党员", "“是”或“否”")),
    "group of another branch": (
        [person("T0009", "赵六", "第二党支部", 党小组="第一党小组")],
        (4, "党小组", "第二党支部下没有党小组“第一党小组”"),
    ),
    "probation dates missing": (
        [person("T0009", "赵六", 类别="预备党员")],
        (4, "预备期结束", "预备党员须填写预备期起止日期"),
    ),
    "probation ends before it starts": (
        [person("T0009", "赵六", 类别="预备党员", 预备期开始="2026-01-01", 预备期结束="2025-01-01")],
        (4, "预备期结束", "须晚于预备期开始"),
    ),
    "name missing": ([person("T0009", "")], (4, "姓名", "")),
}


@pytest.mark.parametrize("case", REFUSED_ROWS)
def test_it_lists_row_errors_offers_no_confirm_and_changes_nothing(client, cast, case):
    extra, (row, column, words) = REFUSED_ROWS[case]
    client.force_login(cast.secretary.user)
    rows = [person("T0001", "王小明"), existing(cast.member.member, 联系电话="13911112222"), *extra]
    before = snapshot(cast)

    response = upload(client, xlsx(rows))

    report = response.context["report"]
    assert not report.ok
    assert any(e.row == row and e.column == column and words in e.message for e in report.errors), (
        report.errors
    )
    assert "确认导入" not in page(response) and response.context["token"] is None
    assert "整个文件都没有导入" in page(response)
    assert SESSION_KEY not in client.session
    assert snapshot(cast) == before


def test_it_names_the_rows_outside_the_scope(client, cast):
    client.force_login(cast.secretary.user)
    rows = [person("T0001", "王小明"), person("T0002", "赵六", "第三党支部"), person("T0003", "钱七", "B2")]

    response = upload(client, xlsx(rows))

    assert response.context["report"].out_of_scope == [3, 4]
    assert "第 3、4 行的党员或党支部不在您的管理范围内" in page(response)


def test_it_refuses_to_move_a_member_in_from_outside_the_scope(client, cast):
    client.force_login(cast.secretary.user)
    other = cast.other_member.member

    response = upload(client, xlsx([existing(other, 所在党支部="第一党支部")]))

    [error] = response.context["report"].errors
    assert (error.row, error.column) == (2, "党员编号")
    assert "管理范围以外" in error.message
    assert Member.objects.get(pk=other.pk).branch == cast.b3


@pytest.mark.parametrize("second", ["row error", "wrong file type"])
def test_it_refuses_a_forged_confirm_after_a_preview_with_errors(client, cast, second):
    client.force_login(cast.secretary.user)
    upload(client, _good_xlsx(cast))
    token = client.session[SESSION_KEY]["token"]
    if second == "row error":
        upload(client, xlsx([person("T0001", "王小明"), person("T0002", "赵六", 性别="?")]))
    else:
        upload(client, b"notes", "名册.txt")
    before = snapshot(cast)

    response = confirm(client, token)

    assert response.status_code == 302 and response["Location"] == reverse("members:import")
    assert "该导入已失效" in page(client.get(response["Location"]))
    assert snapshot(cast) == before


def test_it_refuses_a_made_up_token(client, cast):
    client.force_login(cast.secretary.user)
    upload(client, _good_xlsx(cast))
    before = snapshot(cast)

    for token in ["A" * 32, "../../settings", ""]:
        response = confirm(client, token)
        assert response["Location"] == reverse("members:import")
    assert snapshot(cast) == before


def test_it_refuses_the_token_of_another_user(client, cast):
    client.force_login(cast.secretary.user)
    upload(client, _good_xlsx(cast))
    token = client.session[SESSION_KEY]["token"]
    before = snapshot(cast)

    client.force_login(cast.dept.user)
    response = confirm(client, token)

    assert response["Location"] == reverse("members:import")
    assert snapshot(cast) == before


def test_it_writes_nothing_if_the_roster_changed_after_the_preview(client, cast):
    client.force_login(cast.secretary.user)
    member = cast.member.member
    upload(client, xlsx([person("T0001", "王小明"), existing(member, 联系电话="13911112222")]))
    member_update(member=member, phone="13700000000", reason="电话变更")
    before = snapshot(cast)

    response = confirm(client)

    assert response.status_code == 200
    assert "预览之后名册已有变动" in page(response)
    [row] = [r for r in response.context["report"].rows if r.kind == "update"]
    assert [(c.old, c.new) for c in row.changes] == [("13700000000", "13911112222")]
    assert snapshot(cast) == before

    confirm(client)  # confirming the fresh preview imports it

    assert Member.objects.get(pk=member.pk).phone == "13911112222"
    assert Member.objects.filter(code="T0001").exists()


def test_it_rolls_back_everything_when_a_row_fails_on_confirm(client, cast):
    client.force_login(cast.secretary.user)
    upload(client, xlsx([person("T0001", "王小明"), existing(cast.member.member, 联系电话="13911112222")]))
    # Between preview and confirm, someone else takes the new member's code in branch 3.
    from tests.factories import make_member

    make_member(cast.b3, code="T0001", name="先到者")
    before = snapshot(cast)

    response = confirm(client)

    assert response.status_code == 200
    assert "整个文件都没有导入" in page(response)
    assert snapshot(cast) == before
    assert Member.objects.get(code="T0001").name == "先到者"


# --- who may use the import ----------------------------------------------------------------------

GET_URLS = {"import": "members:import", "import_template": "members:import_template"}


@pytest.mark.parametrize("role", [ANON, *ROLES])
@pytest.mark.parametrize("url_name", GET_URLS.values())
def test_it_lets_only_importers_open_the_import_pages(client, cast, url_name, role):
    if role != ANON:
        client.force_login(getattr(cast, role).user)

    response = client.get(reverse(url_name))

    if role == ANON:
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == (200 if role in IMPORTERS else 403), role


@pytest.mark.parametrize("role", [ANON, *ROLES])
def test_it_lets_only_importers_upload_and_confirm(client, cast, role):
    if role != ANON:
        client.force_login(getattr(cast, role).user)
    before = snapshot(cast)

    uploaded = upload(client, xlsx([person("T0001", "王小明")]))
    confirmed = confirm(client, "A" * 32)

    if role == ANON:
        assert uploaded.status_code == confirmed.status_code == 302
        assert confirmed["Location"].startswith(reverse("login"))
    elif role in IMPORTERS:
        assert uploaded.status_code == 200
    else:
        assert uploaded.status_code == confirmed.status_code == 403
    assert snapshot(cast) == before


def test_it_refuses_wrong_methods(client, cast):
    client.force_login(cast.secretary.user)
    assert client.put(reverse("members:import")).status_code == 405
    assert client.delete(reverse("members:import")).status_code == 405
    assert client.post(reverse("members:import_template")).status_code == 405
    assert client.get(reverse("members:import_confirm")).status_code == 405


def test_it_downloads_the_template_with_chinese_headers(client, cast):
    client.force_login(cast.secretary.user)

    response = client.get(reverse("members:import_template"))

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''" in response["Content-Disposition"].lower()
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["党员名册"].iter_rows(values_only=True))
    assert rows[0] == COLUMNS
    assert rows[0][:3] == ("党员编号", "姓名", "性别")
    assert rows[1][0] == EXAMPLE_CODE and rows[1][7] == "第一党支部"
    assert "填写说明" in book.sheetnames


def test_it_refuses_the_untouched_template(client, cast):
    client.force_login(cast.secretary.user)
    template = client.get(reverse("members:import_template")).content

    response = upload(client, template)

    assert "示例行" in page(response)
    assert not response.context["report"].ok


def test_the_preview_keeps_the_file_for_this_user_only_and_cancel_drops_it(client, cast, media_root):
    client.force_login(cast.secretary.user)
    before = snapshot(cast)
    upload(client, xlsx([person("T0001", "王小明")]))
    [stashed] = (media_root / "imports").iterdir()
    assert stat.S_IMODE(stashed.stat().st_mode) == 0o600
    token = client.session[SESSION_KEY]["token"]

    response = client.post(reverse("members:import"), {"action": "cancel"}, follow=True)

    assert "已取消导入，上传的文件已删除" in page(response)
    assert list((media_root / "imports").iterdir()) == []
    assert SESSION_KEY not in client.session
    assert "已失效" in page(client.post(reverse("members:import_confirm"), {"token": token}, follow=True))
    assert snapshot(cast) == before


def test_the_confirmed_import_drops_the_stashed_file(client, cast, media_root):
    client.force_login(cast.secretary.user)
    upload(client, xlsx([person("T0001", "王小明")]))
    confirm(client)
    assert Member.objects.filter(code="T0001").exists()
    assert list((media_root / "imports").iterdir()) == []
