"""Scheme <-> plain dict, for storing a scheme in a Django JSONField."""

from collections.abc import Mapping
from dataclasses import fields
from decimal import Decimal
from typing import Any

from .scheme import (
    BaseItem,
    BonusKind,
    BottomRank,
    DeductionKind,
    Level,
    Measure,
    Scheme,
    Thresholds,
)
from .validation import Problems, entry_path

FORMAT = 1

_SCHEME_KEYS = {
    "format": False,
    "name": True,
    "base_total": True,
    "base_items": True,
    "bonus_cap": True,
    "bonus_kinds": True,
    "deduction_kinds": True,
    "measures": True,
    "thresholds": True,
    "bottom_rank": False,
}
_BASE_ITEM_KEYS = {"code": True, "label": True, "clause": True, "cap": True, "method": True, "params": False}
_BONUS_KIND_KEYS = {
    "code": True,
    "label": True,
    "clause": True,
    "min_value": False,
    "max_value": False,
    "levels": False,
    "excludes_own_duty": False,
}
_LEVEL_KEYS = {"code": True, "label": True, "value": True}
_DEDUCTION_KIND_KEYS = {"code": True, "label": True, "clause": True, "min_value": True, "max_value": True}
_MEASURE_KEYS = {"code": True, "label": True}
_THRESHOLD_KEYS = {f.name: True for f in fields(Thresholds)}
_BOTTOM_RANK_KEYS = {"share": True, "min_count": True}


def _number(value: Decimal) -> int | float | str:
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    # Halves and short shares survive a float; anything longer stays a string so nothing is lost.
    return as_float if Decimal(str(as_float)) == value else str(value)


def scheme_to_dict(scheme: Scheme) -> dict[str, Any]:
    def bonus_kind(kind: BonusKind) -> dict[str, Any]:
        entry: dict[str, Any] = {"code": kind.code, "label": kind.label, "clause": kind.clause}
        if kind.levels:
            entry["levels"] = [
                {"code": level.code, "label": level.label, "value": _number(level.value)}
                for level in kind.levels
            ]
        else:
            entry["min_value"] = _number(kind.min_value)
            entry["max_value"] = _number(kind.max_value)
        entry["excludes_own_duty"] = kind.excludes_own_duty
        return entry

    return {
        "format": FORMAT,
        "name": scheme.name,
        "base_total": _number(scheme.base_total),
        "base_items": [
            {
                "code": item.code,
                "label": item.label,
                "clause": item.clause,
                "cap": _number(item.cap),
                "method": item.method,
                "params": {key: _number(value) for key, value in item.params.items()},
            }
            for item in scheme.base_items
        ],
        "bonus_cap": _number(scheme.bonus_cap),
        "bonus_kinds": [bonus_kind(kind) for kind in scheme.bonus_kinds],
        "deduction_kinds": [
            {
                "code": kind.code,
                "label": kind.label,
                "clause": kind.clause,
                "min_value": _number(kind.min_value),
                "max_value": _number(kind.max_value),
            }
            for kind in scheme.deduction_kinds
        ],
        "measures": [{"code": measure.code, "label": measure.label} for measure in scheme.measures],
        "thresholds": {f.name: _number(getattr(scheme.thresholds, f.name)) for f in fields(Thresholds)},
        "bottom_rank": {
            "share": _number(scheme.bottom_rank.share),
            "min_count": scheme.bottom_rank.min_count,
        },
    }


def _keys(data: Any, path: str, spec: dict[str, bool], problems: Problems) -> bool:
    """Check a mapping's keys against spec (key -> required); False when it is not a mapping at all."""
    if not isinstance(data, Mapping):
        problems.add(path, f"应为键值对（JSON 对象），现为 {data!r}")
        return False
    for key in data:
        if key not in spec:
            problems.add(f"{path}.{key}" if path else str(key), f"是未知字段（可用字段：{'、'.join(spec)}）")
    for key, required in spec.items():
        if required and key not in data:
            problems.add(f"{path}.{key}" if path else key, "缺少此字段")
    return True


def _list(data: Mapping, key: str, spec: dict[str, bool], problems: Problems) -> list[Mapping]:
    value = data.get(key, [])
    if not isinstance(value, list | tuple):
        problems.add(key, f"应为列表（JSON 数组），现为 {value!r}")
        return []
    good = []
    for index, entry in enumerate(value):
        if _keys(entry, entry_path(key, _Coded(entry), index), spec, problems):
            good.append(entry)
    return good


class _Coded:
    """Lets entry_path name a dict entry by its code, like a dataclass entry."""

    def __init__(self, entry: Any):
        self.code = entry.get("code") if isinstance(entry, Mapping) else None


def scheme_from_dict(data: Mapping[str, Any]) -> Scheme:
    problems = Problems()
    if not _keys(data, "", _SCHEME_KEYS, problems):
        problems.raise_if_any("评分方案有误")
    if "format" in data and data["format"] != FORMAT:
        problems.add("format", f"不支持的格式版本 {data['format']!r}（应为 {FORMAT}）")
    items = _list(data, "base_items", _BASE_ITEM_KEYS, problems)
    bonus_kinds = _list(data, "bonus_kinds", _BONUS_KIND_KEYS, problems)
    for index, kind in enumerate(bonus_kinds):
        levels = kind.get("levels", [])
        if not isinstance(levels, list | tuple):
            problems.add(
                f"{entry_path('bonus_kinds', _Coded(kind), index)}.levels", f"应为列表，现为 {levels!r}"
            )
            continue
        for level_index, level in enumerate(levels):
            level_path = entry_path(
                f"{entry_path('bonus_kinds', _Coded(kind), index)}.levels", _Coded(level), level_index
            )
            _keys(level, level_path, _LEVEL_KEYS, problems)
    deduction_kinds = _list(data, "deduction_kinds", _DEDUCTION_KIND_KEYS, problems)
    measures = _list(data, "measures", _MEASURE_KEYS, problems)
    thresholds = data.get("thresholds", {})
    _keys(thresholds, "thresholds", _THRESHOLD_KEYS, problems)
    bottom_rank = data.get("bottom_rank")
    if bottom_rank is not None:
        _keys(bottom_rank, "bottom_rank", _BOTTOM_RANK_KEYS, problems)
    params = [item.get("params", {}) for item in items]
    for index, (item, value) in enumerate(zip(items, params, strict=True)):
        if not isinstance(value, Mapping):
            problems.add(
                f"{entry_path('base_items', _Coded(item), index)}.params", f"应为键值对，现为 {value!r}"
            )
    problems.raise_if_any("评分方案有误")

    return Scheme(
        name=data["name"],
        base_total=data["base_total"],
        base_items=tuple(BaseItem(**{**item, "params": dict(item.get("params", {}))}) for item in items),
        bonus_cap=data["bonus_cap"],
        bonus_kinds=tuple(
            BonusKind(**{**kind, "levels": tuple(Level(**level) for level in kind.get("levels", ()))})
            for kind in bonus_kinds
        ),
        deduction_kinds=tuple(DeductionKind(**kind) for kind in deduction_kinds),
        measures=tuple(Measure(**measure) for measure in measures),
        thresholds=Thresholds(**thresholds),
        bottom_rank=BottomRank(**bottom_rank) if bottom_rank is not None else BottomRank(),
    )


def deep_merge(base: Any, override: Any) -> Any:
    """Override merged into base: mappings key by key, lists of coded entries code by code."""
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    if _coded_list(base) and _coded_list(override):
        merged_list = list(base)
        position = {entry["code"]: index for index, entry in enumerate(merged_list)}
        for entry in override:
            if entry["code"] in position:
                index = position[entry["code"]]
                merged_list[index] = deep_merge(merged_list[index], entry)
            else:
                merged_list.append(entry)
        return merged_list
    return override


def _coded_list(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(e, Mapping) and "code" in e for e in value)
