"""What a unit's 实施细则 may change relative to the scheme it follows (the guideline, normally).

Clause 六 lets units 细化设定项目分值和评分标准: refine how items are scored, not loosen the guideline.
The rules, also listed in docs/scoring.md:

- the same base items with the same scoring methods; each cap at most the reference cap, and the same
  base total (满分100分), so in practice the caps stay and only the criteria are refined;
- criteria parameters no looser: study target hours and thought-report target at least the reference's,
  a late arrival or early leave must cost something (the guideline asks for 无迟到、早退);
- bonus cap at most the reference's; the same bonus kinds; each kind's values inside the reference's
  range, each commendation level worth at most the reference's, the own-duty exclusion kept;
- the same deduction kinds, each within the reference's range (5-10);
- every reference corrective measure kept (the guideline's list ends in 等, so more may be added);
- clause 五's thresholds unchanged.

Name, labels, clause refs and the 排名靠后 setting (for which the guideline gives no number) are free.
"""

from .scheme import Scheme, Thresholds
from .validation import Problems


def _same_codes(path: str, ours: dict, theirs: dict, problems: Problems) -> None:
    # Lists, not set operations, so the message always names problems in the scheme's own order.
    for code in [code for code in theirs if code not in ours]:
        problems.add(f"{path}[{code}]", "不得删除指导意见规定的项目")
    for code in [code for code in ours if code not in theirs]:
        problems.add(f"{path}[{code}]", "不得增加指导意见未规定的项目")


def _common(ours: dict, theirs: dict) -> list:
    return [code for code in ours if code in theirs]


def check_against(scheme: Scheme, reference: Scheme) -> None:
    # Stays long: one check per part of the scheme, in the guideline's order, all problems collected.
    problems = Problems()
    if scheme.base_total != reference.base_total:
        problems.add("base_total", f"应为 {reference.base_total} 分，现为 {scheme.base_total} 分")

    ours = {item.code: item for item in scheme.base_items}
    theirs = {item.code: item for item in reference.base_items}
    _same_codes("base_items", ours, theirs, problems)
    for code in _common(ours, theirs):
        item, ref = ours[code], theirs[code]
        path = f"base_items[{code}]"
        if item.cap > ref.cap:
            problems.add(f"{path}.cap", f"不得超过 {ref.cap} 分，现为 {item.cap} 分")
        if item.method != ref.method:
            problems.add(f"{path}.method", f"应为 {ref.method}，实施细则只能细化参数，不能改变计分方法")
            continue
        for key in ("target_hours", "target_reports"):
            if key in item.params and item.params[key] < ref.params[key]:
                problems.add(f"{path}.params.{key}", f"不得低于 {ref.params[key]}，现为 {item.params[key]}")
        if "late_cost" in item.params and item.params["late_cost"] <= 0:
            problems.add(f"{path}.params.late_cost", "应大于 0：指导意见要求无迟到、早退现象")

    if scheme.bonus_cap > reference.bonus_cap:
        problems.add("bonus_cap", f"不得超过 {reference.bonus_cap} 分，现为 {scheme.bonus_cap} 分")
    ours = {kind.code: kind for kind in scheme.bonus_kinds}
    theirs = {kind.code: kind for kind in reference.bonus_kinds}
    _same_codes("bonus_kinds", ours, theirs, problems)
    for code in _common(ours, theirs):
        kind, ref = ours[code], theirs[code]
        path = f"bonus_kinds[{code}]"
        if ref.excludes_own_duty and not kind.excludes_own_duty:
            problems.add(f"{path}.excludes_own_duty", "指导意见规定本职工作除外，不得取消")
        if bool(kind.levels) != bool(ref.levels):
            problems.add(path, "计分方式（按级别或按分值范围）应与指导意见一致")
        elif ref.levels:
            levels = {level.code: level for level in kind.levels}
            ref_levels = {level.code: level for level in ref.levels}
            _same_codes(f"{path}.levels", levels, ref_levels, problems)
            for level_code in _common(levels, ref_levels):
                if levels[level_code].value > ref_levels[level_code].value:
                    problems.add(
                        f"{path}.levels[{level_code}].value",
                        f"不得超过 {ref_levels[level_code].value} 分，现为 {levels[level_code].value} 分",
                    )
        elif kind.min_value < ref.min_value or kind.max_value > ref.max_value:
            problems.add(
                path,
                f"分值应在 {ref.min_value}-{ref.max_value} 分之内，现为 {kind.min_value}-{kind.max_value} 分",
            )

    ours = {kind.code: kind for kind in scheme.deduction_kinds}
    theirs = {kind.code: kind for kind in reference.deduction_kinds}
    _same_codes("deduction_kinds", ours, theirs, problems)
    for code in _common(ours, theirs):
        kind, ref = ours[code], theirs[code]
        if kind.min_value < ref.min_value or kind.max_value > ref.max_value:
            problems.add(
                f"deduction_kinds[{code}]",
                f"每次扣减应在 {ref.min_value}-{ref.max_value} 分之内，现为 {kind.min_value}-{kind.max_value} 分",
            )

    kept = {measure.code for measure in scheme.measures}
    for measure in reference.measures:
        if measure.code not in kept:
            problems.add(f"measures[{measure.code}]", f"不得删除指导意见规定的帮教整改方式“{measure.label}”")

    for name in Thresholds.__dataclass_fields__:
        ours_value, ref_value = getattr(scheme.thresholds, name), getattr(reference.thresholds, name)
        if ours_value != ref_value:
            problems.add(
                f"thresholds.{name}", f"是指导意见第五条规定的分数线，应为 {ref_value}，现为 {ours_value}"
            )

    problems.raise_if_any(f"实施细则“{scheme.name}”不符合“{reference.name}”")
