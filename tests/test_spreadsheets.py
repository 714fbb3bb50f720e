"""The one workbook guard and the one stash (config.spreadsheets), used by the roster and the history imports."""

import io
import os
import stat

import pytest
import tablib
from openpyxl import Workbook

from config import spreadsheets
from config.spreadsheets import SpreadsheetRefused


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def workbook(rows: int, *, blank_tail: int = 0) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["党员编号", "姓名"])
    for n in range(rows):
        sheet.append([f"M{n}", f"党员{n}"])
    for n in range(blank_tail):  # formatted but empty rows, as Excel keeps them in a sheet's range
        sheet.cell(row=rows + 2 + n, column=1).number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_stash_is_readable_by_this_user_only_and_gone_after_discard(media):
    token = spreadsheets.stash(b"members' personal data")

    [stashed] = (media / "imports").iterdir()
    assert mode(stashed) == 0o600
    assert mode(media / "imports") == 0o700
    assert spreadsheets.unstash(token) == b"members' personal data"

    spreadsheets.discard(token)
    assert not list((media / "imports").iterdir())
    assert spreadsheets.unstash(token) is None


@pytest.mark.parametrize("token", ["", None, "../../etc/passwd", "a" * 31, "a" * 33, "a/" * 16])
def test_the_stash_answers_none_for_a_malformed_token_and_touches_no_file(media, token):
    outside = media / "kept.upload"
    outside.write_bytes(b"x")
    assert spreadsheets.unstash(token) is None
    spreadsheets.discard(token)
    assert outside.exists()


@pytest.mark.real_clock  # file times come from the kernel, not from the pinned clock
def test_a_stash_left_a_day_ago_is_removed_by_the_next_one(media):
    old = spreadsheets.stash(b"abandoned preview")
    path = media / "imports" / f"{old}.upload"
    day_ago = path.stat().st_mtime - 25 * 60 * 60
    os.utime(path, (day_ago, day_ago))
    fresh = spreadsheets.stash(b"new preview")
    assert spreadsheets.unstash(old) is None
    assert spreadsheets.unstash(fresh) == b"new preview"


def test_the_row_count_stops_at_the_limit_before_the_sheet_is_loaded(monkeypatch):
    def loaded_whole(*args, **kwargs):
        raise AssertionError("the whole sheet was loaded before the row count was checked")

    monkeypatch.setattr(tablib.Dataset, "load", loaded_whole)
    with pytest.raises(SpreadsheetRefused, match="文件超过 10 行（一次最多导入 10 行）"):
        spreadsheets.check_row_count(workbook(11), max_rows=10)
    spreadsheets.check_row_count(workbook(10), max_rows=10)


def test_formatted_empty_rows_are_not_counted():
    spreadsheets.check_row_count(workbook(3, blank_tail=50), max_rows=3)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name,code\n", "不是 xlsx 格式"),
        (b"PK\x03\x04 not a zip", "文件已损坏"),
    ],
)
def test_the_guard_refuses_what_is_not_a_workbook(data, message):
    with pytest.raises(SpreadsheetRefused, match=message):
        spreadsheets.check_xlsx(data, max_unpacked=50 * 1024 * 1024)


def test_the_row_count_reads_the_named_sheet_else_the_active_one():
    book = Workbook()
    small = book.active
    small.title = "说明"
    small.append(["说明"])
    big = book.create_sheet("党员名册")
    for n in range(6):
        big.append([f"M{n}"])
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()

    spreadsheets.check_row_count(data, max_rows=3)  # the active sheet has no data rows
    with pytest.raises(SpreadsheetRefused, match="文件超过 3 行"):
        spreadsheets.check_row_count(data, max_rows=3, sheet_title="党员名册")
