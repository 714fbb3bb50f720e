"""Rows, files and requests for the 名册导入 tests."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from members.models import Member, MemberChange
from members.roster import COLUMNS
from members.roster_views import SESSION_KEY

ANON = "anonymous"
IMPORTERS = {"dept", "gb_secretary", "secretary"}


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


def good_xlsx(cast):
    return xlsx([person("T0001", "王小明"), existing(cast.member.member, 联系电话="13911112222")])
