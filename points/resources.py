"""django-import-export resources: historical annual results and point items, in and out.

The export of a resource is also its import template: the same Chinese columns, so a file exported
from one deployment loads into another. Rows are looked up by codes (党支部代码, 党员编号) and by
labels (类别, 项目, 表彰级别, 帮教整改措施), never by database ids. Every row is checked against the
importing user's scope, and `points.reports.imports` runs the whole file in one transaction:
one bad row and nothing is written.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.utils import timezone
from import_export import resources
from import_export.fields import Field
from import_export.widgets import DateWidget, DecimalWidget, IntegerWidget

from branches.models import BRANCH_KINDS, Organization
from members.models import Member

from .locks import LEDGER, TRANSITIONS, take_locks
from .models import (
    AnnualFiling,
    AnnualResult,
    EntryType,
    FilingState,
    PointEntry,
    Quarter,
    QuarterState,
    Transition,
)
from .models.workflow import LineBook
from .reports.access import imports_for_branch
from .scoring import (
    CATEGORY_LABELS,
    GUIDELINE_SCHEME,
    RESULT_LABELS,
    Line,
    MemberScore,
    ScoringError,
    assess_branch,
)
from .selectors.facts import scheme_for
from .selectors.quarters import final_filing, final_text
from .services.lines import store_lines
from .services.workflow import check_item

HISTORY_REASON = "历史数据导入"
YES = {"是", "Y", "y", "yes", "true", "1", "√"}
NO = {"", "否", "N", "n", "no", "false", "0"}
ENTRY_TYPE_LABELS = dict(EntryType.choices)
# Exports keep numbers and dates as such, so the file sorts and sums in Excel.
NUMBER = DecimalWidget(coerce_to_string=False)
QUARTER_LABEL = re.compile(r"^(\d{4})年第([1-4])季度$")


def cell_text(value) -> str:
    """A cell as text: whole numbers without '.0' (a code typed as a number), dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return str(value).strip()


def cell_number(value, column: str, errors: dict, *, required: bool = True) -> Decimal | None:
    text = cell_text(value)
    if not text:
        if required:
            errors.setdefault(column, []).append("不能为空。")
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors.setdefault(column, []).append(f"“{text}”不是数字。")
        return None
    if not number.is_finite() or number < 0 or (number * 2) % 1:
        errors.setdefault(column, []).append(f"“{text}”应为不小于 0 的数，且为 0.5 分的整数倍。")
        return None
    return number


def by_code_or_label(text: str, choices: list[tuple[str, str]]) -> str | None:
    for code, label in choices:
        if text in (code, label):
            return code
    return None


class _ScopedResource(resources.ModelResource):
    """Shared by both resources: the importing user, their branches, and Chinese errors per column."""

    def __init__(self, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor
        self._branches: dict[int, Organization] = {}

    def importable_branch(self, branch) -> bool:
        if branch.pk not in self._branches:
            self._branches[branch.pk] = branch if imports_for_branch(self.actor, branch) else None
        return self._branches[branch.pk] is not None

    def member_by_code(self, code: str, errors: dict) -> Member | None:
        member = (
            Member.objects.filter(code=code, branch__kind__in=BRANCH_KINDS).select_related("branch").first()
            if code
            else None
        )
        if member is None or not self.importable_branch(member.branch):
            errors.setdefault("党员编号", []).append(f"党员编号“{code}”不存在，或不在您可以导入的范围内。")
            return None
        return member

    def before_import(self, dataset, **kwargs):
        missing = [c for c in self.required_columns if c not in (dataset.headers or [])]
        if missing:
            raise ValueError(f"表头缺少以下列：{'、'.join(missing)}。请使用导入模板。")
        # The import writes transitions and ledger entries row by row: both chain locks first, in the one
        # order every service takes them (docs/concurrency.md). Inside import-export's transaction.
        if connection.in_atomic_block:
            take_locks(LEDGER, TRANSITIONS)


# --- annual results ---------------------------------------------------------------------------------

BASE_ITEMS = GUIDELINE_SCHEME.base_items
ITEM_LABELS = {item.code: item.label for item in BASE_ITEMS}


class AnnualResultResource(_ScopedResource):
    """历史年度积分: one row per member and year; the branch's year is stored as filed (已审核备案).

    Ranks and clause 五's results are not read from the file: they are worked out by the scoring
    engine's `assess_branch` over the imported totals, exactly as for a year rolled up in the system.
    """

    year = Field(column_name="年度")
    branch_code = Field(column_name="党支部代码")
    branch_name = Field(column_name="党支部", readonly=True)
    member_code = Field(column_name="党员编号")
    member_name = Field(column_name="姓名")
    category = Field(attribute="category", column_name="类别")
    exempt = Field(attribute="exempt", column_name="免于积分管理")
    # One column per base item of the guideline, under its label (export_field reads base_items).
    item_study = Field(column_name=ITEM_LABELS["study"])
    item_meetings = Field(column_name=ITEM_LABELS["meetings"])
    item_org_life = Field(column_name=ITEM_LABELS["org_life"])
    item_dues = Field(column_name=ITEM_LABELS["dues"])
    item_thought_reports = Field(column_name=ITEM_LABELS["thought_reports"])
    item_exemplary_role = Field(column_name=ITEM_LABELS["exemplary_role"])
    item_discipline = Field(column_name=ITEM_LABELS["discipline"])
    item_masses = Field(column_name=ITEM_LABELS["masses"])
    base = Field(attribute="base", column_name="基础积分", widget=NUMBER)
    bonus = Field(attribute="bonus", column_name="加分", widget=NUMBER)
    deductions = Field(attribute="deductions", column_name="减分", widget=NUMBER)
    total = Field(attribute="total", column_name="年度积分", widget=NUMBER)
    rank = Field(
        attribute="rank", column_name="排名", readonly=True, widget=IntegerWidget(coerce_to_string=False)
    )
    results = Field(column_name="积分结果运用", readonly=True)

    required_columns = (
        "年度",
        "党支部代码",
        "党员编号",
        "类别",
        *(i.label for i in BASE_ITEMS),
        "加分",
        "减分",
    )

    class Meta:
        model = AnnualResult
        fields = (
            "year",
            "branch_code",
            "branch_name",
            "member_code",
            "member_name",
            "category",
            "exempt",
            *(f"item_{item.code}" for item in GUIDELINE_SCHEME.base_items),
            "base",
            "bonus",
            "deductions",
            "total",
            "rank",
            "results",
        )
        force_init_instance = True
        clean_model_instances = False
        skip_diff = True
        use_transactions = True

    def __init__(self, actor=None, **kwargs):
        super().__init__(actor=actor, **kwargs)
        self._filings: dict[tuple[int, int], AnnualFiling] = {}
        self._seen: set[tuple[int, int]] = set()

    # export ------------------------------------------------------------------------------------

    def dehydrate_year(self, obj):
        return obj.filing.year

    def dehydrate_branch_code(self, obj):
        return obj.filing.branch.code

    def dehydrate_branch_name(self, obj):
        return obj.filing.branch.name

    def dehydrate_member_code(self, obj):
        return obj.member.code

    def dehydrate_member_name(self, obj):
        return obj.member.name

    def dehydrate_category(self, obj):
        return CATEGORY_LABELS.get(obj.category, obj.category)

    def dehydrate_exempt(self, obj):
        return "是" if obj.exempt else "否"

    def dehydrate_results(self, obj):
        return "；".join(RESULT_LABELS.get(code, code) for code in obj.results)

    def export_field(self, field, instance, **kwargs):
        name = self.get_field_name(field)
        if name.startswith("item_"):
            value = (instance.base_items or {}).get(name[5:])
            return None if value is None else Decimal(value)
        return super().export_field(field, instance, **kwargs)

    # import ------------------------------------------------------------------------------------

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        year_text = cell_text(row.get("年度"))
        year = int(year_text) if year_text.isdigit() else None
        if year is None or not 2000 <= year < timezone.localdate().year:
            errors["年度"] = [f"“{year_text}”不是已结束的年度（2000 年至去年）。"]

        branch_code = cell_text(row.get("党支部代码"))
        branch = Organization.objects.filter(code=branch_code, kind__in=BRANCH_KINDS).first()
        if branch is None or not self.importable_branch(branch):
            errors["党支部代码"] = [f"党支部代码“{branch_code}”不存在，或不在您可以导入的范围内。"]
            branch = None

        member = self.member_by_code(cell_text(row.get("党员编号")), errors)
        name = cell_text(row.get("姓名"))
        if member and name and name != member.name:
            errors.setdefault("姓名", []).append(f"姓名“{name}”与党员编号对应的“{member.name}”不符。")

        category = by_code_or_label(cell_text(row.get("类别")), list(CATEGORY_LABELS.items()))
        if category is None:
            errors["类别"] = [f"类别应为{'、'.join(CATEGORY_LABELS.values())}之一。"]

        exempt_text = cell_text(row.get("免于积分管理"))
        if exempt_text not in YES | NO:
            errors["免于积分管理"] = ["应填“是”或“否”（空白视为否）。"]
        exempt = exempt_text in YES

        items, base = {}, Decimal(0)
        bonus = deductions = total = None
        if not exempt:
            for item in BASE_ITEMS:
                value = cell_number(row.get(item.label), item.label, errors)
                if value is not None and value > item.cap:
                    errors.setdefault(item.label, []).append(f"不能超过 {item.cap} 分。")
                if value is not None:
                    items[item.code] = str(value)
                    base += value
            bonus = cell_number(row.get("加分"), "加分", errors)
            if bonus is not None and bonus > GUIDELINE_SCHEME.bonus_cap:
                errors.setdefault("加分", []).append(f"加分累计不超过 {GUIDELINE_SCHEME.bonus_cap} 分。")
            deductions = cell_number(row.get("减分"), "减分", errors)
            given_base = cell_number(row.get("基础积分"), "基础积分", errors, required=False)
            if given_base is not None and len(items) == len(BASE_ITEMS) and given_base != base:
                errors.setdefault("基础积分", []).append(f"与八项之和 {base} 分不符。")
            if bonus is not None and deductions is not None and len(items) == len(BASE_ITEMS):
                total = base + bonus - deductions
                given_total = cell_number(row.get("年度积分"), "年度积分", errors, required=False)
                if given_total is not None and given_total != total:
                    errors.setdefault("年度积分", []).append(
                        f"应为 基础积分 {base} + 加分 {bonus} − 减分 {deductions} = {total} 分，表中为 {given_total} 分。"
                    )

        if not errors and branch and member and year:
            if (member.pk, year) in self._seen:
                errors[NON_FIELD_ERRORS] = [f"党员“{member.name}”的{year}年度积分在本文件中出现了两次。"]
            else:
                filing = self._filing(branch, year, errors)
                if filing is not None:
                    self._seen.add((member.pk, year))
                    instance.filing = filing
        if errors:
            raise ValidationError(errors)

        instance.member = member
        instance.category = category
        instance.exempt = exempt
        instance.base_items = items
        if not exempt:
            instance.base, instance.bonus, instance.deductions, instance.total = (
                base,
                bonus,
                deductions,
                total,
            )

    def _filing(self, branch, year: int, errors: dict) -> AnnualFiling | None:
        key = (branch.pk, year)
        if key in self._filings:
            return self._filings[key]
        existing = AnnualFiling.objects.filter(branch=branch, year=year).first()
        if existing is not None:
            errors["党支部代码"] = [
                f"{branch.name}{year}年度积分已在系统中（{existing.get_state_display()}），不能再导入历史数据。"
            ]
            return None
        filing = AnnualFiling.objects.create(
            branch=branch,
            year=year,
            state=FilingState.FILED,
            scheme=GUIDELINE_SCHEME.to_dict(),
            remarks=HISTORY_REASON,
        )
        Transition.objects.create(
            subject_type="filing",
            subject_id=filing.pk,
            from_state="",
            to_state=FilingState.FILED,
            actor=self.actor,
            reason=HISTORY_REASON,
        )
        self._filings[key] = filing
        return filing

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if result.has_errors() or result.has_validation_errors():
            return  # nothing will be kept
        for filing in self._filings.values():
            _rank_history(filing)


def _rank_history(filing: AnnualFiling) -> None:
    """Clause 五 for an imported year: rank the totals and attach the results, as a roll-up would."""
    results = list(filing.results.all())
    labels = {item.code: item for item in GUIDELINE_SCHEME.base_items}
    scores = []
    for r in results:
        lines = tuple(
            Line("base", code, labels[code].clause, labels[code].label, Decimal(value), HISTORY_REASON)
            for code, value in r.base_items.items()
        )
        scores.append(
            MemberScore(
                r.member_id,
                r.category,
                r.exempt,
                False,
                r.base,
                r.bonus,
                r.bonus,
                r.deductions,
                r.total,
                1 if r.deductions else 0,
                lines,
            )
        )
    previous = set(
        AnnualResult.objects.filter(
            filing__branch_id=filing.branch_id,
            filing__year=filing.year - 1,
            near_bottom=True,
            total__lt=GUIDELINE_SCHEME.thresholds.low_below,
        ).values_list("member_id", flat=True)
    )
    try:
        assessed = {a.member_id: a for a in assess_branch(GUIDELINE_SCHEME, scores, previous)}
    except ScoringError as exc:
        raise ValueError(f"{filing}：{exc}") from None
    book = LineBook()
    for r in results:
        a = assessed[r.member_id]
        r.rank = a.rank
        r.near_bottom = a.low_and_bottom or a.near_bottom
        r.results = list(a.results)
        r.line_refs = book.refs((*a.score.lines, *_money_lines(r), *a.lines))
    store_lines(book.lines.values())
    AnnualResult.objects.bulk_update(results, ["rank", "near_bottom", "results", "line_refs"])


def _money_lines(r: AnnualResult) -> list[Line]:
    """The imported bonus and deduction totals, explained as such (the items themselves are not known)."""
    if r.exempt:
        return []
    return [
        Line("bonus", "bonus", "三(二)", "加分项目", r.bonus, f"{HISTORY_REASON}：全年加分合计 {r.bonus} 分"),
        Line(
            "deduction",
            "deduction",
            "三(三)",
            "减分项目",
            -r.deductions,
            f"{HISTORY_REASON}：全年减分合计 {r.deductions} 分",
        ),
    ]


# --- point items ------------------------------------------------------------------------------------


class PointEntryResource(_ScopedResource):
    """历史积分条目: bonuses, deductions and judgments, each filed in the closed quarter of its date."""

    branch_name = Field(column_name="党支部", readonly=True)
    member_code = Field(column_name="党员编号")
    member_name = Field(column_name="姓名")
    occurred_on = Field(
        attribute="occurred_on", column_name="日期", widget=DateWidget(coerce_to_string=False)
    )
    quarter_label = Field(column_name="季度")
    entry_type = Field(attribute="entry_type", column_name="类别")
    kind = Field(attribute="kind", column_name="项目")
    value = Field(attribute="value", column_name="分值", widget=NUMBER)
    level = Field(attribute="level", column_name="表彰级别")
    content_key = Field(attribute="content_key", column_name="表彰内容")
    measure = Field(attribute="measure", column_name="帮教整改措施")
    reason = Field(attribute="reason", column_name="事由与依据")

    required_columns = ("党员编号", "日期", "类别", "项目", "分值", "事由与依据")
    # 日期 may be left blank when 季度 names the quarter (entries recorded without a date export so).

    class Meta:
        model = PointEntry
        fields = (
            "branch_name",
            "member_code",
            "member_name",
            "occurred_on",
            "quarter_label",
            "entry_type",
            "kind",
            "value",
            "level",
            "content_key",
            "measure",
            "reason",
        )
        force_init_instance = True
        clean_model_instances = False
        skip_diff = True
        use_transactions = True

    def __init__(self, actor=None, **kwargs):
        super().__init__(actor=actor, **kwargs)
        self._quarters: dict[tuple[int, int, int], Quarter | None] = {}
        self._judged: set[tuple[int, int, str]] = set()

    # export ------------------------------------------------------------------------------------

    def dehydrate_branch_name(self, obj):
        return obj.quarter.branch.name

    def dehydrate_member_code(self, obj):
        return obj.member.code

    def dehydrate_member_name(self, obj):
        return obj.member.name

    def dehydrate_quarter_label(self, obj):
        return obj.quarter.label

    def dehydrate_entry_type(self, obj):
        return ENTRY_TYPE_LABELS.get(obj.entry_type, obj.entry_type)

    def dehydrate_kind(self, obj):
        return dict(_kind_choices(GUIDELINE_SCHEME, obj.entry_type)).get(obj.kind, obj.kind)

    def dehydrate_level(self, obj):
        return dict(_level_choices(GUIDELINE_SCHEME)).get(obj.level, obj.level)

    def dehydrate_measure(self, obj):
        return dict(GUIDELINE_SCHEME.choices("measures")).get(obj.measure, obj.measure)

    # import ------------------------------------------------------------------------------------

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        member = self.member_by_code(cell_text(row.get("党员编号")), errors)
        name = cell_text(row.get("姓名"))
        if member and name and name != member.name:
            errors.setdefault("姓名", []).append(f"姓名“{name}”与党员编号对应的“{member.name}”不符。")
        when = _when(row.get("日期"), row.get("季度"), errors)

        entry_type = by_code_or_label(cell_text(row.get("类别")), EntryType.choices)
        if entry_type is None:
            errors["类别"] = [f"类别应为{'、'.join(ENTRY_TYPE_LABELS.values())}之一。"]
        reason = cell_text(row.get("事由与依据"))
        if not reason:
            errors["事由与依据"] = ["请写明事由与依据。"]
        if errors or member is None or when is None:
            raise ValidationError(errors or {NON_FIELD_ERRORS: ["无法读取本行。"]})
        year, number, day = when

        scheme = scheme_for(member.branch, year)
        kind_text = cell_text(row.get("项目"))
        kind = by_code_or_label(kind_text, _kind_choices(scheme, entry_type))
        if kind is None:
            options = "、".join(label for _, label in _kind_choices(scheme, entry_type))
            errors["项目"] = [f"“{kind_text}”不是{ENTRY_TYPE_LABELS[entry_type]}项目，可选：{options}。"]
        level = ""
        level_text = cell_text(row.get("表彰级别"))
        if level_text:
            level = by_code_or_label(level_text, _level_choices(scheme)) or ""
            if not level:
                errors["表彰级别"] = [f"“{level_text}”不是表彰级别。"]
        measure = ""
        measure_text = cell_text(row.get("帮教整改措施"))
        if entry_type == EntryType.DEDUCTION:
            measure = by_code_or_label(measure_text, scheme.choices("measures")) or ""
            if not measure:
                labels = "、".join(label for _, label in scheme.choices("measures"))
                errors["帮教整改措施"] = [f"减分须注明帮教整改措施：{labels}。"]
        value = cell_number(row.get("分值"), "分值", errors, required=not level)
        content_key = cell_text(row.get("表彰内容"))
        if not errors:
            try:
                value = check_item(
                    scheme,
                    entry_type=entry_type,
                    kind=kind,
                    value=value,
                    level=level,
                    measure=measure,
                    reason=reason,
                    content_key=content_key,
                )
            except ValidationError as exc:
                errors["分值"] = exc.messages
        if not errors:
            quarter = self._quarter(member.branch, year, number, errors)
            if quarter is not None and entry_type == EntryType.JUDGMENT:
                key = (quarter.pk, member.pk, kind)
                taken = (
                    key in self._judged
                    or PointEntry.objects.filter(
                        quarter=quarter,
                        member=member,
                        entry_type=EntryType.JUDGMENT,
                        kind=kind,
                        is_current=True,
                    ).exists()
                )
                if taken:
                    errors["项目"] = [
                        f"{member.name}{quarter.label}的“{kind_text}”已有评定，每季度每项只能评定一次。"
                    ]
                self._judged.add(key)
            instance.quarter = quarter
        if errors:
            raise ValidationError(errors)
        instance.member = member
        instance.entry_type = entry_type
        instance.kind = kind
        instance.value = value
        instance.level = level
        instance.content_key = content_key
        instance.measure = measure
        instance.occurred_on = day
        instance.reason = f"{reason}（{HISTORY_REASON}）"
        instance.created_by = self.actor

    def _quarter(self, branch, year: int, number: int, errors: dict) -> Quarter | None:
        """The closed quarter, created closed (with its transition) if the branch never had it."""
        key = (branch.pk, year, number)
        if key not in self._quarters:
            filing = final_filing(branch.pk, [year])
            quarter = Quarter.objects.filter(branch=branch, year=year, number=number).first()
            if filing is not None:
                errors["日期"] = [final_text(filing)]
                quarter = None
            elif quarter is None and _quarter_end(year, number) >= timezone.localdate():
                errors["日期"] = [f"{year}年第{number}季度尚未结束，请在季度流程中录入。"]
            elif quarter is None:
                quarter = Quarter.objects.create(
                    branch=branch, year=year, number=number, state=QuarterState.CLOSED
                )
                Transition.objects.create(
                    subject_type="quarter",
                    subject_id=quarter.pk,
                    from_state="",
                    to_state=QuarterState.CLOSED,
                    actor=self.actor,
                    reason=HISTORY_REASON,
                )
            elif quarter.state != QuarterState.CLOSED:
                errors["日期"] = [
                    f"{branch.name}{quarter.label}{quarter.get_state_display()}，请在季度流程中录入，不能作为历史数据导入。"
                ]
                quarter = None
            self._quarters[key] = quarter
        quarter = self._quarters[key]
        if quarter is None and "日期" not in errors:
            errors["日期"] = ["该季度不能导入历史数据（见上文同一季度的行）。"]
        return quarter


def _quarter_end(year: int, number: int) -> datetime.date:
    if number == 4:
        return datetime.date(year, 12, 31)
    return datetime.date(year, 3 * number + 1, 1) - datetime.timedelta(days=1)


def _when(date_value, quarter_value, errors: dict) -> tuple[int, int, datetime.date | None] | None:
    """(year, quarter, date) of a row: from 日期, or from 季度 ("2025年第4季度") when 日期 is blank."""
    quarter_text = cell_text(quarter_value)
    if cell_text(date_value):
        day = _date(date_value, errors)
        if day is None:
            return None
        number = (day.month - 1) // 3 + 1
        if quarter_text and quarter_text != f"{day.year}年第{number}季度":
            errors["季度"] = [f"“{quarter_text}”与日期 {day.isoformat()} 所在季度不符。"]
            return None
        return day.year, number, day
    match = QUARTER_LABEL.match(quarter_text)
    if not match:
        errors["日期"] = ["请填写日期（例如 2024-06-30），或在“季度”列写明季度（例如 2024年第2季度）。"]
        return None
    year, number = int(match[1]), int(match[2])
    if not 2000 <= year <= timezone.localdate().year:
        errors["季度"] = [f"“{quarter_text}”不是可以导入历史数据的季度。"]
        return None
    return year, number, None


def _date(value, errors: dict) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    else:
        text = cell_text(value).replace("/", "-").replace(".", "-")
        try:
            day = datetime.date.fromisoformat(text)
        except ValueError:
            errors["日期"] = [f"“{cell_text(value)}”不是日期（例如 2024-06-30）。"]
            return None
    if day > timezone.localdate():
        errors["日期"] = ["历史数据的日期不能晚于今天。"]
        return None
    if day.year < 2000:
        errors["日期"] = ["日期应在 2000 年以后。"]
        return None
    return day


def _kind_choices(scheme, entry_type: str | None) -> list[tuple[str, str]]:
    if entry_type == EntryType.BONUS:
        return scheme.choices("bonus_kinds")
    if entry_type == EntryType.DEDUCTION:
        return scheme.choices("deduction_kinds")
    if entry_type == EntryType.JUDGMENT:
        return [(i.code, i.label) for i in scheme.base_items if i.method == "judgment"]
    return []


def _level_choices(scheme) -> list[tuple[str, str]]:
    return [(level.code, level.label) for kind in scheme.bonus_kinds for level in kind.levels]
