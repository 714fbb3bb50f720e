"""Normalizing and checking a scheme for internal consistency, collecting every problem with its field."""

import re
from collections.abc import Mapping
from dataclasses import fields, replace
from decimal import Decimal
from typing import Any

from .errors import SchemeError
from .numbers import is_half_multiple, to_decimal
from .scheme import (
    METHOD_PARAMS,
    METHODS,
    SINGLE_FACT_METHODS,
    BaseItem,
    BonusKind,
    BottomRank,
    DeductionKind,
    Level,
    Measure,
    Scheme,
    Thresholds,
)

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
    "min_count": "最少名次数",
}

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


class Problems:
    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.found.append((path, message))

    def raise_if_any(self, intro: str) -> None:
        if self.found:
            detail = "；".join(
                f"{path}（{field_label(path)}）{message}" if path else message for path, message in self.found
            )
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


def normalize(scheme: Scheme, problems: Problems) -> dict[str, Any]:
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
            problems.add(
                "base_items", f"计分方法 {method}（{METHODS[method]}）只能用于一个项目，现用于 {using}"
            )
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
                problems.add(
                    f"{path}.params.{key}", f"不是计分方法 {item.method} 的参数（可用参数：{allowed}）"
                )
        for key, default in defaults.items():
            value = _number(
                item.params.get(key, default),
                f"{path}.params.{key}",
                problems,
                positive=key != "late_cost",
                halves_only=False,
            )
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
    values = {
        f.name: _number(getattr(thresholds, f.name), f"thresholds.{f.name}", problems)
        for f in fields(Thresholds)
    }
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
