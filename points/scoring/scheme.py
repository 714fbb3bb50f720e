"""The declarative scheme: every number and rule of a points system, validated once at construction.

A ``Scheme`` is immutable. Building one normalizes it (numbers become ``Decimal``, lists become tuples,
missing criteria parameters take their defaults), checks it for internal consistency and compiles the
integer half-point plan the engine runs on, so scoring a member never re-validates the scheme.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from decimal import ROUND_CEILING, Decimal
from typing import Any

from .errors import SchemeError
from .numbers import halves, is_half_multiple, show_number, to_decimal

# How a base item is computed from facts, and the criteria parameters each way takes (with defaults).
METHODS: dict[str, str] = {
    "study_hours": "按集中学习学时",
    "attendance": "按出勤次数",
    "dues": "按按时足额交纳党费的月数",
    "report_count": "按思想汇报次数",
    "judgment": "由支委会评定",
}
METHOD_PARAMS: dict[str, dict[str, Decimal]] = {
    "study_hours": {"target_hours": Decimal(32)},
    "attendance": {"late_cost": Decimal("0.5")},
    "dues": {},
    "report_count": {"target_reports": Decimal(4)},
    "judgment": {},
}
# These methods read a single member-wide fact (study_hours, dues, thought_reports), so two items using
# the same one would count the same fact twice.
SINGLE_FACT_METHODS = ("study_hours", "dues", "report_count")

FIELD_LABELS: dict[str, str] = {
    "format": "格式版本",
    "name": "方案名称",
    "base_total": "基础积分满分",
    "base_items": "基础积分项目",
    "bonus_cap": "加分累计上限",
    "bonus_kinds": "加分项目",
    "deduction_kinds": "减分项目",
    "measures": "帮教整改方式",
    "thresholds": "结果运用分数线",
    "bottom_rank": "“排名靠后”的范围",
    "code": "代码",
    "label": "名称",
    "clause": "条款",
    "cap": "分值",
    "method": "计分方法",
    "params": "计分参数",
    "target_hours": "学时要求",
    "late_cost": "每次迟到或早退折减的次数",
    "target_reports": "满分所需汇报次数",
    "min_value": "每次最低分值",
    "max_value": "每次最高分值",
    "levels": "表彰级别",
    "value": "分值",
    "excludes_own_duty": "本职工作除外",
    "priority_recommendation_min": "优先推荐的分数线（以上）",
    "excellent_candidate_min": "“优秀”人选的分数线（以上）",
    "at_most_basic_max": "“基本合格”以下的分数线（以下）",
    "awards_min": "参加评先评优的分数线（未达到即不得参加）",
    "low_below": "谈心谈话、不合格的分数线（低于）",
    "probation_below": "延长预备期的分数线（低于）",
    "share": "比例",
    "min_count": "最少人数",
}

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class BaseItem:
    """基础积分项目: one of the items of clause 三(一), with its cap and how facts score it."""

    code: str
    label: str
    clause: str
    cap: Decimal
    method: str
    params: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Level:
    """表彰奖励级别: a commendation level and the points it gives."""

    code: str
    label: str
    value: Decimal


@dataclass(frozen=True)
class BonusKind:
    """加分项目: either a value range (min_value..max_value) or, for commendations, fixed levels."""

    code: str
    label: str
    clause: str
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    levels: tuple[Level, ...] = ()
    excludes_own_duty: bool = False


@dataclass(frozen=True)
class DeductionKind:
    """减分项目: each occurrence deducts min_value..max_value inclusive."""

    code: str
    label: str
    clause: str
    min_value: Decimal
    max_value: Decimal


@dataclass(frozen=True)
class Measure:
    """帮教整改方式 that must accompany every deduction."""

    code: str
    label: str


@dataclass(frozen=True)
class Thresholds:
    """Clause 五's numbers; the comparison words are fixed in code (以上 >=, 以下 <=, 未达到/低于 <)."""

    priority_recommendation_min: Decimal = Decimal(100)
    excellent_candidate_min: Decimal = Decimal(90)
    at_most_basic_max: Decimal = Decimal(70)
    awards_min: Decimal = Decimal(80)
    low_below: Decimal = Decimal(70)
    probation_below: Decimal = Decimal(80)


@dataclass(frozen=True)
class BottomRank:
    """排名靠后: the lowest ``share`` of a branch's ranked members, at least ``min_count`` of them."""

    share: Decimal = Decimal("0.1")
    min_count: int = 1

    def count(self, ranked: int) -> int:
        """How many places at the bottom count as near the bottom among ``ranked`` members."""
        by_share = int((self.share * ranked).to_integral_value(rounding=ROUND_CEILING))
        return min(ranked, max(self.min_count, by_share))


@dataclass(frozen=True)
class Scheme:
    """积分方案: the guideline's or a unit's rules (实施细则). See docs/scoring.md."""

    name: str
    base_total: Decimal
    base_items: tuple[BaseItem, ...]
    bonus_cap: Decimal
    bonus_kinds: tuple[BonusKind, ...]
    deduction_kinds: tuple[DeductionKind, ...]
    measures: tuple[Measure, ...]
    thresholds: Thresholds = Thresholds()
    bottom_rank: BottomRank = BottomRank()
    plan: "Plan" = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems = Problems()
        normalized = _normalize(self, problems)
        problems.raise_if_any("评分方案有误")
        for name, value in normalized.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "plan", Plan(self))

    def to_dict(self) -> dict[str, Any]:
        """A plain JSON-able dict (lists keep the order, since jsonb does not keep key order)."""
        from .schemedict import scheme_to_dict

        return scheme_to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Scheme":
        """Build from a dict such as ``to_dict`` returns; a bad dict raises ``SchemeError``."""
        from .schemedict import scheme_from_dict

        return scheme_from_dict(data)

    def derive(self, overrides: Mapping[str, Any] | None = None, /, **changes: Any) -> "Scheme":
        """A unit's 实施细则: this scheme with overrides merged in, validated against this scheme.

        Lists of coded entries merge by ``code``, so ``{"base_items": [{"code": "study",
        "params": {"target_hours": 40}}]}`` changes one parameter and keeps the rest.
        """
        from .schemedict import deep_merge, scheme_from_dict

        derived = scheme_from_dict(deep_merge(self.to_dict(), {**(overrides or {}), **changes}))
        derived.validate_against(self)
        return derived

    def validate_against(self, reference: "Scheme") -> None:
        """Raise ``SchemeError`` unless this scheme keeps within ``reference`` (see docs/scoring.md)."""
        from .derivation import check_against

        check_against(self, reference)

    def choices(self, what: str) -> list[tuple[str, str]]:
        """(code, label) pairs of base_items, bonus_kinds, deduction_kinds or measures, for Django."""
        if what not in ("base_items", "bonus_kinds", "deduction_kinds", "measures"):
            raise ValueError(f"没有名为 {what} 的选项列表")
        return [(entry.code, entry.label) for entry in getattr(self, what)]


class Plan:
    """The scheme compiled to integer half-points and lookup tables for the engine."""

    __slots__ = (
        "items",
        "attendance_codes",
        "judgment_codes",
        "bonus",
        "bonus_cap",
        "deductions",
        "measures",
        "thresholds",
    )

    def __init__(self, scheme: Scheme):
        items = []
        for item in scheme.base_items:
            # Each method has at most one parameter; the engine wants it as an exact integer ratio.
            param = next(iter(item.params.values()), Decimal(1))
            items.append((item, halves(item.cap), param.as_integer_ratio(), show_number(item.cap), show_number(param)))
        self.items = tuple(items)
        self.attendance_codes = frozenset(i.code for i in scheme.base_items if i.method == "attendance")
        self.judgment_codes = frozenset(i.code for i in scheme.base_items if i.method == "judgment")
        self.bonus = {
            kind.code: (
                order,
                kind,
                None if kind.levels else halves(kind.min_value),
                None if kind.levels else halves(kind.max_value),
                {level.code: (rank, level, halves(level.value)) for rank, level in enumerate(kind.levels)},
            )
            for order, kind in enumerate(scheme.bonus_kinds)
        }
        self.bonus_cap = halves(scheme.bonus_cap)
        self.deductions = {
            kind.code: (order, kind, halves(kind.min_value), halves(kind.max_value))
            for order, kind in enumerate(scheme.deduction_kinds)
        }
        self.measures = {measure.code: measure.label for measure in scheme.measures}
        self.thresholds = {f.name: halves(getattr(scheme.thresholds, f.name)) for f in fields(Thresholds)}


class Problems:
    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.found.append((path, message))

    def raise_if_any(self, intro: str) -> None:
        if self.found:
            detail = "；".join(f"{path}（{field_label(path)}）{message}" for path, message in self.found)
            raise SchemeError(f"{intro}：{detail}", field=self.found[0][0])


def field_label(path: str) -> str:
    last = re.sub(r"\[[^\]]*\]$", "", path.rsplit(".", 1)[-1])
    return FIELD_LABELS.get(last, last)


def _number(value: Any, path: str, problems: Problems, *, positive: bool = False, halves_only: bool = True):
    number = to_decimal(value)
    if number is None:
        problems.add(path, f"应为数字，现为 {value!r}")
    elif number < 0 or (positive and number == 0):
        problems.add(path, f"应{'大于' if positive else '不小于'} 0，现为 {value}")
    elif halves_only and not is_half_multiple(number):
        problems.add(path, f"应为 0.5 的整数倍，现为 {value}")
    else:
        return number
    return None


def _code(value: Any, path: str, problems: Problems) -> str:
    if not isinstance(value, str) or not _CODE.match(value):
        problems.add(path, f"应为小写英文字母开头、由小写字母数字和下划线组成的代码，现为 {value!r}")
    return value


def _text(value: Any, path: str, problems: Problems) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.add(path, f"应为非空文字，现为 {value!r}")
    return value


def _entries(value: Any, path: str, kind: type, problems: Problems, *, allow_empty: bool = False) -> list:
    if not isinstance(value, list | tuple) or (not value and not allow_empty):
        problems.add(path, "应为非空列表" if not allow_empty else "应为列表")
        return []
    good = []
    seen: set[str] = set()
    for index, entry in enumerate(value):
        if not isinstance(entry, kind):
            problems.add(f"{path}[{index}]", f"应为 {kind.__name__}，现为 {entry!r}")
            continue
        if entry.code in seen:
            problems.add(f"{path}[{entry.code}].code", "代码重复")
        seen.add(entry.code)
        good.append(entry)
    return good


def entry_path(prefix: str, entry: Any, index: int) -> str:
    code = getattr(entry, "code", None)
    return f"{prefix}[{code}]" if isinstance(code, str) and _CODE.match(code) else f"{prefix}[{index}]"


def _normalize(scheme: Scheme, problems: Problems) -> dict[str, Any]:
    _text(scheme.name, "name", problems)
    base_total = _number(scheme.base_total, "base_total", problems, positive=True)
    entries = _entries(scheme.base_items, "base_items", BaseItem, problems)
    items = tuple(_normalize_item(entry, index, problems) for index, entry in enumerate(entries))
    if base_total is not None and all(item.cap is not None for item in items) and items:
        caps = sum(item.cap for item in items)
        if caps != base_total:
            problems.add("base_items", f"各项分值之和为 {caps}，与基础积分满分 {base_total} 不一致")
    for method in SINGLE_FACT_METHODS:
        using = [item.code for item in items if item.method == method]
        if len(using) > 1:
            problems.add("base_items", f"计分方法 {method}（{METHODS[method]}）只能用于一个项目，现用于 {using}")
    bonus_cap = _number(scheme.bonus_cap, "bonus_cap", problems)
    entries = _entries(scheme.bonus_kinds, "bonus_kinds", BonusKind, problems, allow_empty=True)
    bonus_kinds = tuple(_normalize_bonus_kind(entry, index, problems) for index, entry in enumerate(entries))
    entries = _entries(scheme.deduction_kinds, "deduction_kinds", DeductionKind, problems, allow_empty=True)
    deduction_kinds = tuple(
        _normalize_deduction_kind(entry, index, problems) for index, entry in enumerate(entries)
    )
    measures = tuple(_entries(scheme.measures, "measures", Measure, problems))
    for index, measure in enumerate(measures):
        path = entry_path("measures", measure, index)
        _code(measure.code, f"{path}.code", problems)
        _text(measure.label, f"{path}.label", problems)
    thresholds = _normalize_thresholds(scheme.thresholds, problems)
    bottom_rank = _normalize_bottom_rank(scheme.bottom_rank, problems)
    return {
        "base_total": base_total,
        "base_items": items,
        "bonus_cap": bonus_cap,
        "bonus_kinds": bonus_kinds,
        "deduction_kinds": deduction_kinds,
        "measures": measures,
        "thresholds": thresholds,
        "bottom_rank": bottom_rank,
    }


def _normalize_item(item: BaseItem, index: int, problems: Problems) -> BaseItem:
    path = entry_path("base_items", item, index)
    _code(item.code, f"{path}.code", problems)
    _text(item.label, f"{path}.label", problems)
    _text(item.clause, f"{path}.clause", problems)
    cap = _number(item.cap, f"{path}.cap", problems, positive=True)
    params: dict[str, Decimal] = {}
    if item.method not in METHODS:
        problems.add(f"{path}.method", f"未知的计分方法 {item.method!r}，可选：{'、'.join(METHODS)}")
    elif not isinstance(item.params, Mapping):
        problems.add(f"{path}.params", "应为键值对")
    else:
        defaults = METHOD_PARAMS[item.method]
        for key in item.params:
            if key not in defaults:
                allowed = "、".join(defaults) or "无"
                problems.add(f"{path}.params.{key}", f"不是计分方法 {item.method} 的参数（可用参数：{allowed}）")
        for key, default in defaults.items():
            value = _number(item.params.get(key, default), f"{path}.params.{key}", problems,
                            positive=key != "late_cost", halves_only=False)
            if key == "late_cost" and value is not None and value > 1:
                problems.add(f"{path}.params.{key}", f"不能大于 1 次，现为 {value}")
            params[key] = value
    return replace(item, cap=cap, params=params)


def _normalize_bonus_kind(kind: BonusKind, index: int, problems: Problems) -> BonusKind:
    path = entry_path("bonus_kinds", kind, index)
    _code(kind.code, f"{path}.code", problems)
    _text(kind.label, f"{path}.label", problems)
    _text(kind.clause, f"{path}.clause", problems)
    if not isinstance(kind.excludes_own_duty, bool):
        problems.add(f"{path}.excludes_own_duty", f"应为 true 或 false，现为 {kind.excludes_own_duty!r}")
    if kind.levels:
        if kind.min_value is not None or kind.max_value is not None:
            problems.add(path, "按级别计分的加分项目不设 min_value、max_value，分值由各级别给出")
        levels = tuple(_entries(kind.levels, f"{path}.levels", Level, problems))
        normalized = []
        for level_index, level in enumerate(levels):
            level_path = entry_path(f"{path}.levels", level, level_index)
            _code(level.code, f"{level_path}.code", problems)
            _text(level.label, f"{level_path}.label", problems)
            value = _number(level.value, f"{level_path}.value", problems, positive=True)
            normalized.append(replace(level, value=value))
        return replace(kind, levels=tuple(normalized))
    low = _number(kind.min_value, f"{path}.min_value", problems, positive=True)
    high = _number(kind.max_value, f"{path}.max_value", problems, positive=True)
    if low is not None and high is not None and low > high:
        problems.add(path, f"最低分值 {low} 大于最高分值 {high}")
    return replace(kind, min_value=low, max_value=high, levels=())


def _normalize_deduction_kind(kind: DeductionKind, index: int, problems: Problems) -> DeductionKind:
    path = entry_path("deduction_kinds", kind, index)
    _code(kind.code, f"{path}.code", problems)
    _text(kind.label, f"{path}.label", problems)
    _text(kind.clause, f"{path}.clause", problems)
    low = _number(kind.min_value, f"{path}.min_value", problems, positive=True)
    high = _number(kind.max_value, f"{path}.max_value", problems, positive=True)
    if low is not None and high is not None and low > high:
        problems.add(path, f"最低分值 {low} 大于最高分值 {high}")
    return replace(kind, min_value=low, max_value=high)


def _normalize_thresholds(thresholds: Thresholds, problems: Problems) -> Thresholds:
    if not isinstance(thresholds, Thresholds):
        problems.add("thresholds", f"应为 Thresholds，现为 {thresholds!r}")
        return thresholds
    values = {f.name: _number(getattr(thresholds, f.name), f"thresholds.{f.name}", problems)
              for f in fields(Thresholds)}
    high, low = values["priority_recommendation_min"], values["excellent_candidate_min"]
    if high is not None and low is not None and high < low:
        problems.add("thresholds.priority_recommendation_min", f"不应低于“优秀”人选的分数线 {low}")
    return Thresholds(**values)


def _normalize_bottom_rank(bottom: BottomRank, problems: Problems) -> BottomRank:
    if not isinstance(bottom, BottomRank):
        problems.add("bottom_rank", f"应为 BottomRank，现为 {bottom!r}")
        return bottom
    share = _number(bottom.share, "bottom_rank.share", problems, halves_only=False)
    if share is not None and share > 1:
        problems.add("bottom_rank.share", f"应在 0 到 1 之间，现为 {share}")
    if isinstance(bottom.min_count, bool) or not isinstance(bottom.min_count, int) or bottom.min_count < 0:
        problems.add("bottom_rank.min_count", f"应为不小于 0 的整数，现为 {bottom.min_count!r}")
    return BottomRank(share=share, min_count=bottom.min_count)
