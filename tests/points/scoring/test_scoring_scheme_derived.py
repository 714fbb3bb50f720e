"""A unit's 实施细则 derived from the guideline: refinements accepted, departures refused."""

from decimal import Decimal as D

import pytest

from points.scoring import (
    GUIDELINE_SCHEME,
    Attendance,
    Bonus,
    Dues,
    Judgment,
    MemberFacts,
    Scheme,
    SchemeError,
    score_member,
)


def full_year(**changes):
    facts = {
        "member_id": "m1",
        "study_hours": 32,
        "attendance": {"meetings": Attendance(6, 6), "org_life": Attendance(16, 16)},
        "dues": Dues(12),
        "thought_reports": 4,
        "judgments": {"exemplary_role": Judgment(12), "discipline": Judgment(12), "masses": Judgment(12)},
    }
    facts.update(changes)
    return MemberFacts(**facts)


def test_it_derives_a_units_rules_that_refine_the_criteria():
    rules = GUIDELINE_SCHEME.derive(
        {
            "name": "某党委党员积分管理实施细则",
            "base_items": [
                {"code": "study", "params": {"target_hours": 40}},
                {"code": "org_life", "params": {"late_cost": 1}},
            ],
        },
        bonus_cap=8,
        deduction_kinds=[{"code": "pocket_member", "min_value": 6, "max_value": 8}],
        bottom_rank={"share": 0.2, "min_count": 2},
    )
    assert rules.name == "某党委党员积分管理实施细则" and rules.bonus_cap == 8
    assert [item.code for item in rules.base_items] == [item.code for item in GUIDELINE_SCHEME.base_items]
    score = score_member(
        rules,
        full_year(
            attendance={"meetings": Attendance(6, 6), "org_life": Attendance(10, 10, late_or_left_early=1)},
            bonuses=(Bonus("righteousness", 2),) * 5,
        ),
    )
    assert score.section("base")[0].points == D("9.5")  # 12 × 32 ÷ 40 = 9.6
    assert score.section("base")[2].points == D("21.5")  # 24 × 9 ÷ 10 = 21.6
    assert score.bonus == 8
    assert Scheme.from_dict(rules.to_dict()) == rules
    rules.validate_against(GUIDELINE_SCHEME)
    GUIDELINE_SCHEME.validate_against(GUIDELINE_SCHEME)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        (
            {"base_items": [{"code": "study", "cap": 14}, {"code": "org_life", "cap": 22}]},
            "base_items[study].cap",
            "不得超过 12 分",
        ),
        ({"base_total": 98, "base_items": [{"code": "study", "cap": 10}]}, "base_total", "应为 100 分"),
        (
            {"base_items": [{"code": "study", "params": {"target_hours": 30}}]},
            "base_items[study].params.target_hours",
            "不得低于 32",
        ),
        (
            {"base_items": [{"code": "thought_reports", "params": {"target_reports": 3}}]},
            "base_items[thought_reports].params.target_reports",
            "不得低于 4",
        ),
        (
            {"base_items": [{"code": "meetings", "params": {"late_cost": 0}}]},
            "base_items[meetings].params.late_cost",
            "无迟到、早退",
        ),
        (
            {"base_items": [{"code": "dues", "method": "judgment"}]},
            "base_items[dues].method",
            "不能改变计分方法",
        ),
        ({"bonus_cap": 12}, "bonus_cap", "不得超过 10 分"),
        (
            {"bonus_kinds": [{"code": "emergency_service", "max_value": 3}]},
            "bonus_kinds[emergency_service]",
            "应在 1-2 分之内",
        ),
        (
            {"bonus_kinds": [{"code": "emergency_service", "excludes_own_duty": False}]},
            "bonus_kinds[emergency_service].excludes_own_duty",
            "不得取消",
        ),
        (
            {"bonus_kinds": [{"code": "commendation", "levels": [{"code": "city", "value": 4}]}]},
            "bonus_kinds[commendation].levels[city].value",
            "不得超过 3 分",
        ),
        (
            {
                "bonus_kinds": [
                    {"code": "heroism", "label": "英雄", "clause": "细则", "min_value": 1, "max_value": 1}
                ]
            },
            "bonus_kinds[heroism]",
            "不得增加",
        ),
        (
            {"deduction_kinds": [{"code": "pocket_member", "min_value": 4}]},
            "deduction_kinds[pocket_member]",
            "应在 5-10 分之内",
        ),
        (
            {"deduction_kinds": [{"code": "pocket_member", "max_value": 11}]},
            "deduction_kinds[pocket_member]",
            "应在 5-10 分之内",
        ),
        (
            {"thresholds": {"excellent_candidate_min": 95}},
            "thresholds.excellent_candidate_min",
            "第五条规定的分数线",
        ),
    ],
)
def test_it_refuses_a_derived_scheme_that_departs_from_the_guideline(overrides, field, words):
    with pytest.raises(SchemeError) as error:
        GUIDELINE_SCHEME.derive(overrides)
    assert error.value.field == field
    assert words in str(error.value)
