"""历史年度积分: past years' annual results, imported as filed years."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from import_export.fields import Field
from import_export.widgets import IntegerWidget

from branches.models import BRANCH_KINDS, Organization

from ..models import (
    AnnualFiling,
    AnnualResult,
    FilingState,
    Transition,
)
from ..models.workflow import stored_line
from ..scoring import (
    CATEGORY_LABELS,
    GUIDELINE_SCHEME,
    RESULT_LABELS,
    Line,
    MemberScore,
    ScoringError,
    assess_branch,
)
from ._common import (
    HISTORY_REASON,
    NO,
    NUMBER,
    YES,
    _ScopedResource,
    by_code_or_label,
    cell_number,
    cell_text,
)

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
    for r in results:
        a = assessed[r.member_id]
        r.rank = a.rank
        r.near_bottom = a.low_and_bottom or a.near_bottom
        r.results = list(a.results)
        r.lines = [stored_line(line) for line in (*a.score.lines, *_money_lines(r), *a.lines)]
    AnnualResult.objects.bulk_update(results, ["rank", "near_bottom", "results", "lines"])


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
