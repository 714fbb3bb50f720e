"""What goes on each printed document: the publicity notices, a member's annual sheet, a scope's
annual report. Each builder returns a template context; `pdf.render_pdf` sets it in type."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from branches.models import Organization

from ..models import AnnualFiling, AnnualResult, EntryType, PointEntry, Quarter
from ..scoring import RESULT_LABELS
from ..scoring.numbers import show_number
from ..selectors.facts import provisional_scores
from ..services.workflow import add_working_days
from . import charts
from .annual import (
    ACTIVISTS_LAST,
    EXEMPT_TEXT,
    RESULT_CODES,
    ScopeSummary,
    category_label,
    results_text,
    summarize,
)

# Short headers for the PDF's narrow columns; the full wording is printed under the table.
RESULT_SHORT = {
    "priority_recommendation": "优先推荐表彰",
    "excellent_candidate": "可作“优秀”人选",
    "at_most_basic": "“基本合格”以下",
    "not_eligible_for_awards": "不得评先评优",
    "talk_and_pairing": "谈心谈话帮扶",
    "unqualified": "评定“不合格”",
    "extend_probation": "延长预备期",
    "development_basis": "发展对象依据",
    "cancel_activist": "取消积极分子资格",
}
SECTION_LABELS = {
    "exempt": "免于积分管理",
    "base": "基础积分",
    "bonus": "加分项目",
    "bonus_cap": "加分上限",
    "deduction": "减分项目",
    "result": "积分结果运用",
}


def points(value) -> str:
    """A score as people write it: 100, 97.5 (never 100.0)."""
    return "" if value is None else show_number(Decimal(value))


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _objection_text(branch: Organization, end: datetime.date) -> str:
    parent = branch.parent.name if branch.parent else "上级党组织"
    return (
        f"党员对本人积分有异议的，请于{chinese_date(end)}（含当日）前向{branch.name}反映，"
        f"或向上级党组织（{parent}）申诉；也可登录党员积分管理系统在线提出。"
        "党支部或上级党组织将调查核实并及时反馈，核实情况在下一次支部党员大会上通报。"
    )


# --- quarter publicity --------------------------------------------------------------------------


@dataclass
class NoticeRow:
    name: str
    category: str
    items: str
    base: object = None
    bonus: object = None
    deductions: object = None
    total: object = None
    rank: object = None
    results: str = ""
    exempt: bool = False


def _quarter_items(quarter: Quarter, scheme) -> dict[int, list[str]]:
    """This quarter's bonus, deduction and below-full judgment entries, in words, per member."""
    labels = {
        EntryType.BONUS: dict(scheme.choices("bonus_kinds")),
        EntryType.DEDUCTION: dict(scheme.choices("deduction_kinds")),
        EntryType.JUDGMENT: dict(scheme.choices("base_items")),
    }
    items: dict[int, list[str]] = defaultdict(list)
    entries = PointEntry.objects.filter(quarter=quarter, is_current=True).order_by("created_at", "id")
    for member_id, entry_type, kind, value in entries.values_list("member_id", "entry_type", "kind", "value"):
        label = labels.get(entry_type, {}).get(kind, kind)
        number = format(value.normalize(), "f")
        if entry_type == EntryType.BONUS:
            items[member_id].append(f"{label} +{number}")
        elif entry_type == EntryType.DEDUCTION:
            items[member_id].append(f"{label} −{number}")
        else:
            items[member_id].append(f"{label}评定 {number} 分")
    return items


def quarter_publicity(quarter: Quarter) -> dict:
    """The notice of a published quarter: year-to-date scores as determined, and how to object."""
    branch = quarter.branch
    board = provisional_scores(branch, quarter.year, quarter.number)
    items = _quarter_items(quarter, board.scheme)
    rows = []
    for m in board.members:
        score = board.scores[m.pk]
        text = "；".join(items.get(m.pk, [])) or "—"
        if score.exempt:
            rows.append(NoticeRow(m.name, category_label(m.category), EXEMPT_TEXT, exempt=True))
        else:
            rows.append(
                NoticeRow(
                    m.name,
                    category_label(m.category),
                    text,
                    points(score.base),
                    points(score.bonus),
                    points(score.deductions),
                    points(score.total),
                )
            )
    return {
        "title": f"{branch.name}{quarter.year}年第{quarter.number}季度党员积分公示",
        "branch": branch,
        "period": f"{chinese_date(quarter.publicity_start)}至{chinese_date(quarter.publicity_end)}",
        "intro": (
            f"经支委会初评、支部党员大会评定，现将本支部党员截至{quarter.year}年第{quarter.number}季度末的"
            "积分情况予以公示，接受党员、群众及服务对象监督。"
        ),
        "rows": rows,
        "quarterly": True,
        "objection": _objection_text(branch, quarter.publicity_end),
        "signed_on": chinese_date(quarter.publicity_start),
    }


# --- annual publicity, member sheet -------------------------------------------------------------


def annual_publicity(filing: AnnualFiling, start: datetime.date | None = None) -> dict:
    """The notice of a branch's year: totals, ranks and clause 五's results."""
    branch = filing.branch
    start = start or timezone.localdate()
    end = add_working_days(start, settings.PUBLICITY_WORKING_DAYS)
    results = (
        AnnualResult.objects.filter(filing=filing)
        .select_related("member")
        .order_by("exempt", ACTIVISTS_LAST, "rank", "member__code")
    )
    rows = []
    for r in results:
        if r.exempt:
            rows.append(
                NoticeRow(r.member.name, category_label(r.category), "", exempt=True, results=EXEMPT_TEXT)
            )
        else:
            rows.append(
                NoticeRow(
                    r.member.name,
                    category_label(r.category),
                    "",
                    points(r.base),
                    points(r.bonus),
                    points(r.deductions),
                    points(r.total),
                    r.rank,
                    results_text(r.results) or "—",
                )
            )
    return {
        "title": f"{branch.name}{filing.year}年度党员积分公示",
        "branch": branch,
        "period": f"{chinese_date(start)}至{chinese_date(end)}",
        "intro": (
            f"根据全年积分汇总统计，现将本支部党员{filing.year}年度积分及积分结果运用情况予以公示，"
            "接受党员、群众及服务对象监督。"
        ),
        "rows": rows,
        "quarterly": False,
        "objection": _objection_text(branch, end),
        "signed_on": chinese_date(start),
    }


@dataclass
class SheetSection:
    label: str
    lines: list[dict]
    subtotal: object = None


def member_sheet(result: AnnualResult) -> dict:
    """A member's year, line by line, each figure with its clause and its explanation."""
    sections: dict[str, SheetSection] = {}
    for section, code, clause, label, value, text in result.lines:
        entry = sections.setdefault(section, SheetSection(SECTION_LABELS.get(section, section), []))
        entry.lines.append(
            {"code": code, "clause": clause, "label": label, "points": points(value), "text": text}
        )
    for key in ("bonus", "deduction"):
        if key in sections:
            sections[key].subtotal = points(result.bonus if key == "bonus" else result.deductions)
    if "base" in sections:
        sections["base"].subtotal = points(result.base)
    order = ["exempt", "base", "bonus", "bonus_cap", "deduction", "result"]
    filing = result.filing
    return {
        "title": f"{filing.year}年度党员积分表",
        "result": result,
        "figures": {k: points(getattr(result, k)) for k in ("base", "bonus", "deductions", "total")},
        "member": result.member,
        "branch": filing.branch,
        "category": category_label(result.category),
        "sections": [sections[k] for k in order if k in sections],
        "filing_state": filing.get_state_display(),
        "printed_on": chinese_date(timezone.localdate()),
    }


# --- annual report of a scope -------------------------------------------------------------------


def distribution_charts(summary: ScopeSummary) -> tuple:
    """The scope's histogram and a stacked bar per branch (or per parent unit when there are many)."""
    labels = [band.label for band in summary.bands]
    title = f"{summary.scope.name}{summary.year}年度积分分布"
    histogram = charts.histogram(summary.total.bands, labels, title)
    bars = charts.unit_bars([(row.name, row.parent_name, row.bands) for row in summary.rows], labels)
    return histogram, bars


def annual_report(scope: Organization, year: int, summary: ScopeSummary | None = None) -> dict:
    summary = summary or summarize(scope, year)
    histogram, bars = distribution_charts(summary)
    return {
        "title": f"{scope.name}{year}年度党员积分情况报告",
        "scope": scope,
        "year": year,
        "summary": summary,
        "total": summary.total,
        "result_headers": [RESULT_SHORT[code] for code in RESULT_CODES],
        "number_columns": 3 + len(summary.bands) + len(RESULT_CODES),
        "result_notes": [(RESULT_SHORT[code], RESULT_LABELS[code]) for code in RESULT_CODES],
        "histogram": histogram,
        "bars": bars,
        "printed_on": chinese_date(timezone.localdate()),
    }
