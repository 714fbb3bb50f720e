"""名册导出: the scope-limited xlsx roster, formulas neutralized, and it imports back unchanged."""

import io
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from members.roster import COLUMNS
from members.services import member_transfer_out
from tests.factories import make_member

from ..conftest import ROLES

ANON = "anonymous"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Previews keep the uploaded file under MEDIA_ROOT/imports: one folder per test."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def export(client, org):
    return client.get(reverse("members:export", args=[org.pk]))


def sheet_rows(response):
    book = load_workbook(io.BytesIO(response.content))
    return list(book["党员名册"].iter_rows())


def test_it_exports_the_branch_roster(client, cast):
    client.force_login(cast.secretary.user)

    response = export(client, cast.b1)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''" in disposition
    assert unquote(disposition.split("''", 1)[1]).startswith("党员名册-第一党支部-")
    rows = [[c.value for c in row] for row in sheet_rows(response)]
    assert tuple(rows[0]) == COLUMNS
    names = {row[1] for row in rows[1:]}
    assert names == {"支部书记", "记录员", "支委委员", "普通党员"}
    member = next(row for row in rows if row[1] == "普通党员")
    assert member[2:4] == [cast.member.member.get_gender_display(), "正式党员"]
    assert member[4] == "2015-07-01" and member[7] == "第一党支部" and member[8] == "第一党小组"


def test_it_exports_the_whole_subtree_of_a_general_branch(client, cast):
    client.force_login(cast.gb_secretary.user)

    rows = sheet_rows(export(client, cast.g1))

    names = {row[1].value for row in rows[1:]}
    assert {"普通党员", "组织部干事", "总支书记"} <= names  # branch 1 and branch 2
    assert "外支部党员" not in names  # branch 3 is under the other general branch


def test_it_leaves_out_transferred_members(client, cast):
    member_transfer_out(member=cast.member.member, reason="调离")
    client.force_login(cast.secretary.user)

    names = {row[1].value for row in sheet_rows(export(client, cast.b1))[1:]}

    assert "普通党员" not in names


def test_it_writes_formula_like_text_as_text(client, cast):
    make_member(cast.b1, name="=1+1", phone="+8613900000000", mobile_destination="@SUM(A1)")
    client.force_login(cast.secretary.user)

    rows = sheet_rows(export(client, cast.b1))

    row = next(r for r in rows if "1+1" in str(r[1].value))
    for cell, text in [(row[1], "=1+1"), (row[12], "+8613900000000"), (row[10], "@SUM(A1)")]:
        assert cell.data_type == "s"
        assert cell.value == "'" + text
    assert not any(c.data_type == "f" for r in rows for c in r)


def test_it_exports_a_file_that_imports_back_unchanged(client, cast):
    make_member(
        cast.b1,
        name="=1+1",
        phone="-1",
        category="probationary",
        is_mobile=True,
        mobile_destination="无锡",
        activity_card_no="LD-9",
    )
    client.force_login(cast.secretary.user)
    content = export(client, cast.b1).content

    response = client.post(reverse("members:import"), {"file": SimpleUploadedFile("名册.xlsx", content)})

    report = response.context["report"]
    assert report.ok, report.errors
    assert (report.new_count, report.update_count, report.unchanged_count) == (0, 0, 5)


def _export_queries(client, cast, total):
    while cast.b1.members.count() < total:
        make_member(cast.b1)
    client.force_login(cast.secretary.user)
    with CaptureQueriesContext(connection) as ctx:
        response = export(client, cast.b1)
    assert len(sheet_rows(response)) == 1 + total
    return len(ctx.captured_queries)


def test_it_runs_the_same_queries_for_5_and_50_members(client, cast):
    few = _export_queries(client, cast, 5)
    assert _export_queries(client, cast, 50) == few


EXPECTED = {
    # role: (branch 1, branch 3, general branch 1)
    ANON: (302, 302, 302),
    "dept": (200, 200, 200),
    "gb_secretary": (200, 404, 200),
    "secretary": (200, 404, 404),
    "recorder": (200, 404, 404),
    "committee_member": (200, 404, 404),
    "member": (403, 404, 404),
    "other_member": (404, 403, 404),
}


@pytest.mark.parametrize("role", [ANON, *ROLES])
def test_it_answers_each_role_as_expected(client, cast, role):
    assert set(EXPECTED) == {ANON, *ROLES}
    if role != ANON:
        client.force_login(getattr(cast, role).user)

    statuses = tuple(export(client, org).status_code for org in (cast.b1, cast.b3, cast.g1))

    assert statuses == EXPECTED[role]
    if role == ANON:
        assert export(client, cast.b1)["Location"].startswith(reverse("login"))


def test_it_refuses_wrong_methods(client, cast):
    client.force_login(cast.secretary.user)
    assert client.post(reverse("members:export", args=[cast.b1.pk])).status_code == 405
