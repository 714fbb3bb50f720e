"""名册导入: every way a file is refused; the database is left as it was."""

import io
import zipfile

import pytest

from members.models import Member
from members.roster_views import SESSION_KEY

from .helpers import good_xlsx, page, person, snapshot, upload, xlsx


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


REFUSED_FILES = {
    "text file": (lambda cast: b"just some notes", "名册.txt", "只能导入 .xlsx 或 .csv 文件"),
    "old xls": (lambda cast: b"\xd0\xcf\x11\xe0" + b"\0" * 100, "名册.xls", "另存为 .xlsx"),
    "png renamed xlsx": (lambda cast: b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "名册.xlsx", "不是 xlsx 格式"),
    "png renamed csv": (lambda cast: b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "名册.csv", "不是 CSV 文本"),
    "truncated xlsx": (lambda cast: good_xlsx(cast)[:2000], "名册.xlsx", "文件已损坏"),
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
