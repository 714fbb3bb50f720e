"""Benchmark: how fast an oversize import workbook is refused (issue 22).

Builds a points-import workbook of 230,000 short data rows (under the 5 MB upload and 50 MB unpacked
limits, so only the row limit stops it) and a roster of 50,000 rows, then times, in one run:

* the history import's refusal (points.reports.imports.read_upload): the row count is streamed in
  read-only mode and stops at the first row over the limit;
* the baseline it replaced: tablib loading the whole sheet, then counting;
* the roster's refusal (members.roster check_upload + read_sheet, which streams and stops too).

Target: the refusal within 1 s. Prints wall and CPU seconds (best of --repeat) and the ratio to the
baseline. No database is needed.

Run: uv run python bench/import_refusal.py [--rows 230000] [--repeat 3]
"""

import argparse
import io
import os
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

import tablib  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from members import roster  # noqa: E402
from members.roster.columns import COLUMNS  # noqa: E402
from members.roster.upload import read_sheet  # noqa: E402
from points.reports import imports  # noqa: E402


def unpacked_mb(data: bytes) -> float:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(part.file_size for part in archive.infolist()) / 1e6


def workbook(headers, row, count: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headers)
    for n in range(count):
        sheet.append(row(n))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def timed(run, repeat: int) -> tuple[float, float, str]:
    best_wall = best_cpu = float("inf")
    message = ""
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        message = run()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best_wall, best_cpu, message


def history_refusal(data: bytes):
    def run():
        try:
            imports.read_upload(data)
        except ValidationError as exc:
            return "；".join(exc.messages)
        raise AssertionError("the oversize workbook was not refused")

    return run


def whole_load_baseline(data: bytes):
    def run():
        dataset = tablib.Dataset().load(data, format="xlsx")
        assert len(dataset) > imports.MAX_ROWS
        return f"{len(dataset)} rows loaded, then refused"

    return run


def roster_refusal(data: bytes):
    def run():
        try:
            kind = roster.check_upload("名册.xlsx", data)
            read_sheet(data, kind)
        except roster.RosterRefused as exc:
            return str(exc)
        raise AssertionError("the oversize roster was not refused")

    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=230_000)
    parser.add_argument("--roster-rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    headers = [
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
    history = workbook(
        headers,
        # Member number, quarter and points only: 230,000 such rows stay under both size limits.
        lambda n: [f"M{n % 500}", None, None, 1, None, None, 2],
        args.rows,
    )
    people = workbook(
        list(COLUMNS),
        lambda n: [f"T{n:06d}", f"党员{n}", *[""] * (len(COLUMNS) - 3), "第一党支部"],
        args.roster_rows,
    )
    print(
        f"history workbook: {args.rows:,} rows, {len(history) / 1e6:.1f} MB ({unpacked_mb(history):.1f} MB unpacked); roster: {args.roster_rows:,} rows, {len(people) / 1e6:.1f} MB"
    )
    print(f"limits: history {imports.MAX_ROWS:,} rows, roster {settings.ROSTER_MAX_ROWS:,} rows")

    refusal = timed(history_refusal(history), args.repeat)
    baseline = timed(whole_load_baseline(history), 1)
    roster_figures = timed(roster_refusal(people), args.repeat)
    for label, (wall, cpu, message) in [
        ("history import refused", refusal),
        ("baseline: tablib loads all", baseline),
        ("roster import refused", roster_figures),
    ]:
        print(f"{label:28} wall {wall:6.2f} s  cpu {cpu:6.2f} s  {message}")
    print(f"refusal / baseline (cpu): {refusal[1] / baseline[1]:.3f}")
    for label, (wall, _, _) in [("history", refusal), ("roster", roster_figures)]:
        print(f"target {label} refusal < 1 s: {'met' if wall < 1 else 'NOT met'} ({wall:.2f} s)")


if __name__ == "__main__":
    main()
