"""Scoring one member: base items from facts, bonuses with their cap, deductions; every line explained.

Rounding: a computed base item is cut down to the half point below (不足 0.5 分的尾数舍去), so a member
reaches an item's full points only by fully meeting its requirement. Judgments, bonuses and deductions
are entered in half points and are never rounded. Base items are computed in items.py.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from .codes import CATEGORY_LABELS, CLAUSE_BONUS_CAP, CLAUSE_EXEMPTION
from .errors import ScoringError
from .facts import MemberFacts
from .items import METHOD_FUNCTIONS, half_points
from .numbers import dec, show
from .scheme import Scheme


class Line(NamedTuple):
    """One explained figure. ``points`` add up to the total over the base, bonus, bonus_cap and deduction
    sections (deductions and the cap adjustment are negative); exempt and result lines carry None."""

    section: str  # exempt | base | bonus | bonus_cap | deduction | result
    code: str
    clause: str
    label: str
    points: Decimal | None
    text: str


@dataclass(frozen=True, slots=True)
class MemberScore:
    """A member's score; totals are None for an exempt member. ``provisional`` marks a year-to-date score."""

    member_id: Hashable
    category: str
    exempt: bool
    provisional: bool
    base: Decimal | None
    bonus_claimed: Decimal | None
    bonus: Decimal | None
    deductions: Decimal | None
    total: Decimal | None
    deduction_count: int
    lines: tuple[Line, ...]

    @property
    def has_deduction(self) -> bool:
        return self.deduction_count > 0

    def section(self, name: str) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.section == name)

    @property
    def summary(self) -> str:
        if self.exempt:
            return "免于积分管理，不计分，不参加排名"
        bonus = f"加分 {self.bonus} 分"
        if self.bonus_claimed != self.bonus:
            bonus += f"（累计 {self.bonus_claimed} 分，超过上限按 {self.bonus} 分计）"
        word = "暂计积分" if self.provisional else "年度积分"
        return f"基础积分 {self.base} 分 + {bonus} − 减分 {self.deductions} 分 = {word} {self.total} 分"


_EXEMPT_LINE = Line(
    "exempt",
    "exempt",
    CLAUSE_EXEMPTION,
    "免于积分管理",
    None,
    "经本人申请、支委会审核、党员大会通过、公示无异议，不参加积分管理：不计分，不参加排名",
)


def score_member(scheme: Scheme, facts: MemberFacts) -> MemberScore:
    """Score a full year of facts; every base item's facts must be present."""
    return _score(scheme, facts, provisional=False)


def score_provisional(scheme: Scheme, facts: MemberFacts) -> MemberScore:
    """Score the facts so far (e.g. ``combine_facts`` of the quarters to date); missing facts count 0."""
    return _score(scheme, facts, provisional=True)


def score_many(
    scheme: Scheme, facts: Iterable[MemberFacts], *, provisional: bool = False
) -> list[MemberScore]:
    """``score_member`` (or ``score_provisional``) of many members under one scheme, e.g. a branch's."""
    return [_score(scheme, f, provisional) for f in facts]


def _score(scheme: Scheme, facts: MemberFacts, provisional: bool) -> MemberScore:
    plan = scheme.plan
    category = facts.category
    if category not in CATEGORY_LABELS:
        choices = "、".join(f"{code}（{label}）" for code, label in CATEGORY_LABELS.items())
        raise ScoringError(f"未知的人员类别 {category!r}，可选：{choices}", field="category")
    if facts.exempt:
        return MemberScore(
            facts.member_id, category, True, provisional, None, None, None, None, None, 0, (_EXEMPT_LINE,)
        )
    for code in facts.attendance:
        if code not in plan.attendance_codes:
            raise ScoringError(f"{code!r} 不是按出勤计分的基础积分项目", field=f"attendance.{code}")
    for code in facts.judgments:
        if code not in plan.judgment_codes:
            raise ScoringError(f"{code!r} 不是由支委会评定的基础积分项目", field=f"judgments.{code}")

    lines = []
    base = 0
    for item, cap, ratio, cap_text, param_text in plan.items:
        points, text = METHOD_FUNCTIONS[item.method](
            item, cap, ratio, cap_text, param_text, facts, provisional
        )
        base += points
        lines.append(Line("base", item.code, item.clause, item.label, dec(points), text))

    claimed = _bonus_lines(plan, facts.bonuses, lines)
    bonus = claimed
    if claimed > plan.bonus_cap:
        bonus = plan.bonus_cap
        cap_text = show(bonus)
        lines.append(
            Line(
                "bonus_cap",
                "bonus_cap",
                CLAUSE_BONUS_CAP,
                "加分累计上限",
                dec(bonus - claimed),
                f"加分累计 {show(claimed)} 分，超过上限 {cap_text} 分，按 {cap_text} 分计",
            )
        )
    deducted = _deduction_lines(plan, facts.deductions, lines)
    return MemberScore(
        facts.member_id,
        category,
        False,
        provisional,
        dec(base),
        dec(claimed),
        dec(bonus),
        dec(deducted),
        dec(base + bonus - deducted),
        len(facts.deductions),
        tuple(lines),
    )


def _bonus_lines(plan, bonuses, lines: list[Line]) -> int:
    # Stays long: one pass over the bonuses claiming each content once, in the clause's order.
    entries = []
    for index, bonus in enumerate(bonuses):
        path = f"bonuses[{index}]"
        spec = plan.bonus.get(bonus.kind)
        if spec is None:
            choices = "、".join(f"{code}（{s[1].label}）" for code, s in plan.bonus.items())
            raise ScoringError(f"未知的加分项目 {bonus.kind!r}，可选：{choices}", field=f"{path}.kind")
        order, kind, low, high, levels = spec
        if not isinstance(bonus.content_key, str) or not isinstance(bonus.note, str):
            raise ScoringError("加分的内容（content_key）和说明（note）应为文字", field=f"{path}.content_key")
        level = None
        if levels:
            found = levels.get(bonus.level)
            if found is None:
                choices = "、".join(f"{code}（{lv[1].label}）" for code, lv in levels.items())
                raise ScoringError(
                    f"“{kind.label}”（{kind.clause}）须注明级别，可选：{choices}；现为 {bonus.level!r}",
                    field=f"{path}.level",
                )
            _, level, value = found
            if bonus.value is not None and half_points(bonus.value, f"{path}.value", "加分分值") != value:
                raise ScoringError(
                    f"“{kind.label}”（{kind.clause}）{level.label}积 {show(value)} 分，不能积 {bonus.value} 分",
                    field=f"{path}.value",
                )
            if not bonus.content_key.strip():
                raise ScoringError(
                    f"“{kind.label}”（{kind.clause}）须注明表彰内容（content_key），同一内容不同级别只按最高级别计分",
                    field=f"{path}.content_key",
                )
        else:
            if bonus.value is None:
                raise ScoringError(f"“{kind.label}”（{kind.clause}）须注明分值", field=f"{path}.value")
            value = half_points(bonus.value, f"{path}.value", "加分分值")
            if value < low or value > high:
                allowed = show(low) if low == high else f"{show(low)}-{show(high)}"
                raise ScoringError(
                    f"“{kind.label}”（{kind.clause}）积 {allowed} 分，不能积 {bonus.value} 分",
                    field=f"{path}.value",
                )
            if kind.excludes_own_duty and bonus.own_duty:
                raise ScoringError(
                    f"“{kind.label}”（{kind.clause}）不含工作岗位要求本应履行的职责，不能加分",
                    field=f"{path}.own_duty",
                )
        # A canonical order makes the lines, and which duplicate commendation counts, independent of input order.
        entries.append(
            (order, bonus.content_key, -value, level.code if level else "", bonus.note, kind, level, value)
        )
    if len(entries) > 1:
        entries.sort(key=lambda entry: entry[:5])
    claimed = 0
    counted_contents = set()
    for _, content_key, _, _, note, kind, level, value in entries:
        prefix = f"{note}：" if note else ""
        if level is None:
            text = f"{prefix}{'非本职工作职责，' if kind.excludes_own_duty else ''}积 {show(value)} 分"
        elif (kind.code, content_key) in counted_contents:
            text = f"{prefix}“{content_key}”又受{level.label}表彰，同一内容已按最高级别计分，本次不再计分"
            value = 0
        else:
            counted_contents.add((kind.code, content_key))
            text = f"{prefix}“{content_key}”受到{level.label}党内表彰奖励，积 {show(value)} 分"
        claimed += value
        lines.append(Line("bonus", kind.code, kind.clause, kind.label, dec(value), text))
    return claimed


def _deduction_lines(plan, deductions, lines: list[Line]) -> int:
    entries = []
    for index, deduction in enumerate(deductions):
        path = f"deductions[{index}]"
        spec = plan.deductions.get(deduction.kind)
        if spec is None:
            choices = "、".join(f"{code}（{s[1].label}）" for code, s in plan.deductions.items())
            raise ScoringError(f"未知的减分项目 {deduction.kind!r}，可选：{choices}", field=f"{path}.kind")
        order, kind, low, high = spec
        value = half_points(deduction.value, f"{path}.value", "扣减分值")
        if value < low or value > high:
            raise ScoringError(
                f"{kind.label}（{kind.clause}）：每次扣减 {show(low)}-{show(high)} 分，不能扣 {deduction.value} 分",
                field=f"{path}.value",
            )
        measure = plan.measures.get(deduction.measure)
        if measure is None:
            choices = "、".join(f"{code}（{label}）" for code, label in plan.measures.items())
            raise ScoringError(
                f"扣分须同时注明帮教整改方式，可选：{choices}；现为 {deduction.measure!r}",
                field=f"{path}.measure",
            )
        if not isinstance(deduction.note, str):
            raise ScoringError("扣分说明（note）应为文字", field=f"{path}.note")
        entries.append((order, -value, deduction.measure, deduction.note, kind, measure, value))
    if len(entries) > 1:
        entries.sort(key=lambda entry: entry[:4])
    deducted = 0
    for _, _, _, note, kind, measure, value in entries:
        prefix = f"{note}：" if note else ""
        lines.append(
            Line(
                "deduction",
                kind.code,
                kind.clause,
                kind.label,
                dec(-value),
                f"{prefix}扣 {show(value)} 分，同时予以{measure}",
            )
        )
        deducted += value
    return deducted
