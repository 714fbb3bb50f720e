"""名册导入: row errors, scope and stale or forged confirms, all or nothing."""

import pytest
from django.urls import reverse

from members.models import Member
from members.roster import EXAMPLE_CODE
from members.roster_views import SESSION_KEY
from members.services import member_update

from .helpers import confirm, existing, good_xlsx, page, person, snapshot, upload, xlsx

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
    upload(client, good_xlsx(cast))
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
    upload(client, good_xlsx(cast))
    before = snapshot(cast)

    for token in ["A" * 32, "../../settings", ""]:
        response = confirm(client, token)
        assert response["Location"] == reverse("members:import")
    assert snapshot(cast) == before


def test_it_refuses_the_token_of_another_user(client, cast):
    client.force_login(cast.secretary.user)
    upload(client, good_xlsx(cast))
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
