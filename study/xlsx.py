"""The completion table as an xlsx file for the party-building assessment (openpyxl, write-only)."""

from __future__ import annotations

import io

from openpyxl import Workbook

HEADERS = [
    "上级党组织",
    "党支部",
    "应开展次数",
    "已开展次数",
    "按时开展次数",
    "应到人次",
    "实到人次",
    "出勤率（%）",
    "记录完整次数",
    "定期检查评价",
    "不定期督查评价",
    "待整改事项",
]
# A spreadsheet would run these as a formula: text from users never starts with one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def completion_xlsx(rows, year: int) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"{year}年学习教育完成情况")
    ws.freeze_panes = "C2"
    ws.append(HEADERS)
    for row in rows:
        rate = row.attendance_rate
        ws.append(
            [
                text_cell(row.branch.parent.name if row.branch.parent else ""),
                text_cell(row.branch.name),
                row.expected,
                row.held,
                row.on_time,
                row.required,
                row.attended,
                float(rate) if rate is not None else None,
                row.records_complete,
                text_cell(row.periodic_text),
                text_cell(row.spot_text),
                row.open_fixes,
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
