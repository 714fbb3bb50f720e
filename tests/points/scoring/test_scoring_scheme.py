"""The declarative scheme: the guideline's numbers, dict round-trip, another unit's scheme as configuration."""

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
