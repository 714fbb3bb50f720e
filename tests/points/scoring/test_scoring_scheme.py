"""The declarative scheme: the guideline's numbers, dict round-trip, validation and derived 实施细则."""

import copy
import json
from decimal import Decimal as D

import pytest

from points.scoring import (
    GUIDELINE_SCHEME,
    Attendance,
    BaseItem,
    Bonus,
    Category,
    Dues,
    Judgment,
    MemberFacts,
    Result,
    Scheme,
    SchemeError,
    ScoringError,
    assess_branch,
    score_member,
)


def test_it_holds_the_guidelines_numbers():
    scheme = GUIDELINE_SCHEME
    assert {item.code: item.cap for item in scheme.base_items} == {
        "study": 12,
        "meetings": 12,
        "org_life": 24,
        "dues": 12,
        "thought_reports": 4,
        "exemplary_role": 12,
        "discipline": 12,
        "masses": 12,
    }
    assert scheme.base_total == 100 and scheme.bonus_cap == 10
    assert [(kind.code, kind.min_value, kind.max_value) for kind in scheme.bonus_kinds[:4]] == [
        ("righteousness", 2, 2),
        ("emergency_service", 1, 2),
        ("public_welfare", 1, 2),
        ("long_term_task", 2, 2),
    ]
    assert [(level.code, level.value) for level in scheme.bonus_kinds[4].levels] == [
        ("township", 1),
        ("district", 2),
        ("city", 3),
    ]
    assert [(kind.code, kind.clause, kind.min_value, kind.max_value) for kind in scheme.deduction_kinds] == [
        ("absence_or_dues", "三(三)1", 5, 10),
        ("pocket_member", "三(三)2", 5, 10),
        ("mobile_no_report", "三(三)3", 5, 10),
        ("negative_attitude", "三(三)4", 5, 10),
        ("non_compliance", "三(三)5", 5, 10),
        ("other_violation", "三(三)6", 5, 10),
    ]
    assert scheme.choices("measures") == [
        ("warning", "警示提醒"),
        ("criticism", "批评教育"),
        ("written_self_criticism", "书面检查"),
        ("public_self_criticism", "公开检讨"),
        ("admonishment_talk", "诫勉谈话"),
    ]
    assert scheme.bottom_rank.share == D("0.1") and scheme.bottom_rank.min_count == 1


def test_it_offers_codes_with_chinese_labels_for_choices():
    assert Category.choices() == [
        ("full", "正式党员"),
        ("probationary", "预备党员"),
        ("activist", "入党积极分子"),
    ]
    assert Result.UNQUALIFIED.label == "民主评议应评定为“不合格”等次并按规定进行组织处置"
    assert ("emergency_service", "参加突发性事件或专题性、阶段性服务项目") in GUIDELINE_SCHEME.choices(
        "bonus_kinds"
    )


def test_it_round_trips_through_a_json_dict():
    data = GUIDELINE_SCHEME.to_dict()
    again = json.loads(json.dumps(data, ensure_ascii=False))
    assert Scheme.from_dict(again) == GUIDELINE_SCHEME
    assert Scheme.from_dict(again).to_dict() == data
    assert data["base_items"][2] == {
        "code": "org_life",
        "label": "自觉参加组织生活",
        "clause": "三(一)3",
        "cap": 24,
        "method": "attendance",
        "params": {"late_cost": 0.5},
    }


def guideline_dict():
    return copy.deepcopy(GUIDELINE_SCHEME.to_dict())


def changed(path, value):
    data = guideline_dict()
    *parents, last = path
    target = data
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return data


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ("not a dict", "", "应为键值对"),
        (changed(["name"], KeyError), "name", "缺少此字段"),
        (changed(["bonus_capp"], 10), "bonus_capp", "是未知字段"),
        (changed(["format"], 2), "format", "不支持的格式版本"),
        (changed(["base_items"], {"study": 12}), "base_items", "应为列表"),
        (changed(["base_items", 0, "cap"], "abc"), "base_items[study].cap", "应为数字"),
        (changed(["base_items", 0, "cap"], -1), "base_items[study].cap", "应大于 0"),
        (changed(["base_items", 0, "cap"], 12.3), "base_items[study].cap", "0.5 的整数倍"),
        (changed(["base_items", 0, "cap"], 10), "base_items", "各项分值之和为 98，与基础积分满分 100 不一致"),
        (changed(["base_items", 1, "code"], "study"), "base_items[study].code", "代码重复"),
        (changed(["base_items", 1, "code"], "Meetings"), "base_items[1].code", "代码"),
        (changed(["base_items", 1, "method"], "guess"), "base_items[meetings].method", "未知的计分方法"),
        (changed(["base_items", 5, "method"], "dues"), "base_items", "只能用于一个项目"),
        (changed(["base_items", 0, "params", "hours"], 32), "base_items[study].params.hours", "不是计分方法"),
        (
            changed(["base_items", 1, "params", "late_cost"], 2),
            "base_items[meetings].params.late_cost",
            "不能大于 1",
        ),
        (changed(["base_items", 0, "label"], ""), "base_items[study].label", "非空文字"),
        (changed(["bonus_cap"], True), "bonus_cap", "应为数字"),
        (
            changed(["bonus_kinds", 1, "min_value"], 3),
            "bonus_kinds[emergency_service]",
            "最低分值 3 大于最高分值 2",
        ),
        (changed(["bonus_kinds", 4, "min_value"], 1), "bonus_kinds[commendation]", "不设 min_value"),
        (
            changed(["bonus_kinds", 4, "levels", 0, "value"], 0),
            "bonus_kinds[commendation].levels[township].value",
            "应大于 0",
        ),
        (changed(["deduction_kinds", 0, "max_value"], 4), "deduction_kinds[absence_or_dues]", "大于最高分值"),
        (changed(["measures"], []), "measures", "应为非空列表"),
        (changed(["thresholds", "low_below"], KeyError), "thresholds.low_below", "缺少此字段"),
        (
            changed(["thresholds", "priority_recommendation_min"], 85),
            "thresholds.priority_recommendation_min",
            "不应低于",
        ),
        (changed(["bottom_rank", "share"], 1.5), "bottom_rank.share", "应在 0 到 1 之间"),
        (changed(["bottom_rank", "min_count"], -1), "bottom_rank.min_count", "不小于 0 的整数"),
    ],
)
def test_it_refuses_a_bad_dict_naming_the_field(data, field, words):
    with pytest.raises(SchemeError) as error:
        Scheme.from_dict(data)
    assert error.value.field == field
    assert words in str(error.value)
    assert str(error.value).startswith("评分方案有误：")
    assert isinstance(error.value, ScoringError)


def test_it_refuses_a_scheme_whose_items_do_not_add_up_to_its_base_total():
    with pytest.raises(SchemeError, match="各项分值之和为 100，与基础积分满分 90 不一致"):
        Scheme(
            name="错",
            base_total=D(90),
            base_items=GUIDELINE_SCHEME.base_items,
            bonus_cap=D(10),
            bonus_kinds=(),
            deduction_kinds=(),
            measures=GUIDELINE_SCHEME.measures,
        )


def test_it_lists_every_problem_of_a_bad_scheme_at_once():
    data = changed(["bonus_cap"], -1)
    data["measures"] = []
    with pytest.raises(SchemeError) as error:
        Scheme.from_dict(data)
    assert "bonus_cap（加分累计上限）应不小于 0" in str(error.value)
    assert "measures（帮教整改方式）应为非空列表" in str(error.value)


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


def test_it_refuses_rules_stored_as_a_full_dict_that_drop_a_measure_or_an_item():
    data = guideline_dict()
    data["measures"] = data["measures"][1:]
    with pytest.raises(SchemeError, match="不得删除指导意见规定的帮教整改方式“警示提醒”"):
        Scheme.from_dict(data).validate_against(GUIDELINE_SCHEME)
    data = guideline_dict()
    data["base_items"] = [item for item in data["base_items"] if item["code"] != "thought_reports"]
    data["base_items"][0]["cap"] = 16
    with pytest.raises(SchemeError) as error:
        Scheme.from_dict(data).validate_against(GUIDELINE_SCHEME)
    assert "base_items[thought_reports]" in str(error.value) and "不得删除" in str(error.value)


BASE_80 = {
    "name": "某单位积分办法（基础 80 分）",
    "base_total": 80,
    "base_items": [
        {
            "code": "study",
            "label": "学习",
            "clause": "一",
            "cap": 10,
            "method": "study_hours",
            "params": {"target_hours": 24},
        },
        {"code": "org_life", "label": "组织生活", "clause": "二", "cap": 30, "method": "attendance"},
        {"code": "dues", "label": "党费", "clause": "三", "cap": 10, "method": "dues"},
        {"code": "conduct", "label": "表现", "clause": "四", "cap": 30, "method": "judgment"},
    ],
    "bonus_cap": 10,
    "bonus_kinds": [{"code": "service", "label": "志愿服务", "clause": "五", "min_value": 1, "max_value": 5}],
    "deduction_kinds": [
        {"code": "violation", "label": "违规", "clause": "六", "min_value": 2, "max_value": 20}
    ],
    "measures": [{"code": "talk", "label": "谈话提醒"}],
    "thresholds": {
        "priority_recommendation_min": 85,
        "excellent_candidate_min": 80,
        "at_most_basic_max": 60,
        "awards_min": 70,
        "low_below": 60,
        "probation_below": 70,
    },
}


def base_80_member(member_id, conduct, *, category="full", bonus=0):
    return MemberFacts(
        member_id=member_id,
        category=category,
        study_hours=24,
        attendance={"org_life": Attendance(12, 12)},
        dues=Dues(12),
        judgments={"conduct": Judgment(conduct, "" if conduct == 30 else "表现一般")},
        bonuses=(Bonus("service", bonus),) if bonus else (),
    )


def test_it_expresses_another_units_numbers_as_configuration_alone():
    scheme = Scheme.from_dict(json.loads(json.dumps(BASE_80)))
    assert scheme.to_dict()["bottom_rank"] == {"share": 0.1, "min_count": 1}  # the default setting
    full = score_member(scheme, base_80_member("a", 30))
    assert full.total == 80
    boosted = score_member(scheme, base_80_member("b", 30, bonus=5))
    probation_ok = score_member(scheme, base_80_member("c", 20, category="probationary"))
    probation_low = score_member(scheme, base_80_member("d", D("19.5"), category="probationary"))
    assert (boosted.total, probation_ok.total, probation_low.total) == (85, 70, D("69.5"))
    results = {
        r.member_id: set(r.results)
        for r in assess_branch(scheme, [full, boosted, probation_ok, probation_low])
    }
    assert results["a"] == {Result.EXCELLENT_CANDIDATE}
    assert results["b"] == {Result.PRIORITY_RECOMMENDATION, Result.EXCELLENT_CANDIDATE}
    assert results["c"] == set()  # 70 is not below the unit's probation line of 70
    assert results["d"] == {Result.NOT_ELIGIBLE_FOR_AWARDS, Result.EXTEND_PROBATION}
    with pytest.raises(SchemeError, match="base_total"):
        scheme.validate_against(GUIDELINE_SCHEME)  # a unit's own scheme, not 实施细则 of the guideline


def test_it_builds_a_scheme_in_code_and_fills_default_parameters():
    items = tuple(
        BaseItem(item.code, item.label, item.clause, item.cap, item.method)
        for item in GUIDELINE_SCHEME.base_items
    )
    scheme = Scheme(
        name=GUIDELINE_SCHEME.name,
        base_total=100,
        base_items=items,
        bonus_cap=10,
        bonus_kinds=list(GUIDELINE_SCHEME.bonus_kinds),
        deduction_kinds=GUIDELINE_SCHEME.deduction_kinds,
        measures=GUIDELINE_SCHEME.measures,
    )
    assert scheme == GUIDELINE_SCHEME
    assert scheme.base_items[0].params == {"target_hours": 32}
