"""The declarative scheme: every number and rule of a points system, validated once at construction.

A ``Scheme`` is immutable. Building one normalizes it (numbers become ``Decimal``, lists become tuples,
missing criteria parameters take their defaults), checks it for internal consistency and compiles the
integer half-point plan the engine runs on, so scoring a member never re-validates the scheme.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import ROUND_CEILING, Decimal
from typing import Any

from .numbers import halves, show_number

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


@dataclass(frozen=True)
class BaseItem:
    """基础积分项目: one of the items of clause 三(一), with its cap and how facts score it."""

    code: str
    label: str
    clause: str
    cap: Decimal
    method: str
    params: Mapping[str, Decimal] = field(default_factory=dict, hash=False)


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
        from .validation import Problems, normalize

        problems = Problems()
        normalized = normalize(self, problems)
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
            items.append(
                (item, halves(item.cap), param.as_integer_ratio(), show_number(item.cap), show_number(param))
            )
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
