"""名册导入: upload → preview → confirm of good files."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from members.models import Category, Gender, Member, MemberChange
from members.roster import COLUMNS
from members.roster_views import SESSION_KEY

from .helpers import (
    confirm,
    csv_bytes,
    existing,
    page,
    person,
    snapshot,
    upload,
    xlsx,
)


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
