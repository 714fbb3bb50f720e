"""Bonuses (clause 三(二)) with their cap, deductions (clause 三(三)) with their measures, and refusals."""

from decimal import Decimal as D

import pytest

from points.scoring import (
    GUIDELINE_SCHEME,
    Attendance,
    Bonus,
    Deduction,
    Dues,
    Judgment,
    MemberFacts,
    ScoringError,
    score_member,
)


def year(bonuses=(), deductions=()) -> MemberFacts:
    return MemberFacts(
        member_id="m1",
        study_hours=32,
        attendance={"meetings": Attendance(6, 6), "org_life": Attendance(16, 16)},
        dues=Dues(12),
        thought_reports=4,
        judgments={"exemplary_role": Judgment(12), "discipline": Judgment(12), "masses": Judgment(12)},
        bonuses=tuple(bonuses),
        deductions=tuple(deductions),
    )


def score(bonuses=(), deductions=()):
    return score_member(GUIDELINE_SCHEME, year(bonuses, deductions))


@pytest.mark.parametrize(
    ("bonus", "points"),
    [
        (Bonus("righteousness", 2), "2"),
        (Bonus("emergency_service", 1), "1"),
        (Bonus("emergency_service", D("1.5")), "1.5"),
        (Bonus("emergency_service", 2, own_duty=False), "2"),
        (Bonus("public_welfare", 1), "1"),
        (Bonus("public_welfare", 2, own_duty=True), "2"),  # only 三(二)2 excludes the member's own duty
        (Bonus("long_term_task", 2), "2"),
        (Bonus("commendation", level="township", content_key="优秀党员"), "1"),
        (Bonus("commendation", level="district", content_key="优秀党员"), "2"),
        (Bonus("commendation", 3, level="city", content_key="优秀党员"), "3"),
    ],
)
def test_it_adds_each_bonus_kind_at_its_allowed_values(bonus, points):
    result = score([bonus])
    assert result.bonus == D(points)
    assert result.total == 100 + D(points)


def test_it_caps_bonuses_at_ten_and_explains_the_cap():
    bonuses = [
        Bonus("emergency_service", D("1.5"), note="防汛值守"),
        Bonus("righteousness", 2, note="制止偷盗"),
        Bonus("long_term_task", 2, note="先锋驿站负责人"),
        Bonus("commendation", level="city", content_key="2024 优秀共产党员"),
        Bonus("public_welfare", 1, note="爱心捐款"),
    ]
    assert score(bonuses).bonus == D("9.5")
    capped = score([*bonuses, Bonus("righteousness", 2, note="救助落水群众")])
    assert capped.bonus_claimed == D("11.5")
    assert capped.bonus == 10
    assert capped.total == 110
    (cap_line,) = capped.section("bonus_cap")
    assert cap_line.clause == "三(二)"
    assert cap_line.points == D("-1.5")
    assert cap_line.text == "加分累计 11.5 分，超过上限 10 分，按 10 分计"


def test_it_does_not_add_a_cap_line_at_exactly_ten():
    result = score([Bonus("righteousness", 2)] * 5)
    assert result.bonus == 10 and result.section("bonus_cap") == ()


def test_it_counts_the_same_commendation_at_its_highest_level_only():
    result = score(
        [
            Bonus("commendation", level="township", content_key="抗疫先进"),
            Bonus("commendation", level="city", content_key="抗疫先进"),
            Bonus("commendation", level="district", content_key="抗疫先进"),
        ]
    )
    assert result.bonus == 3
    assert [line.points for line in result.section("bonus")] == [3, 0, 0]
    assert (
        result.section("bonus")[1].text
        == "“抗疫先进”又受市（县）区级表彰，同一内容已按最高级别计分，本次不再计分"
    )


def test_it_adds_commendations_for_different_content():
    result = score(
        [
            Bonus("commendation", level="city", content_key="抗疫先进"),
            Bonus("commendation", level="township", content_key="优秀志愿者"),
        ]
    )
    assert result.bonus == 4


@pytest.mark.parametrize(
    ("bonus", "field", "words"),
    [
        (Bonus("righteousness", 1), "bonuses[0].value", "积 2 分，不能积 1 分"),
        (Bonus("emergency_service", 3), "bonuses[0].value", "积 1-2 分，不能积 3 分"),
        (Bonus("emergency_service", D("0.5")), "bonuses[0].value", "不能积 0.5 分"),
        (Bonus("public_welfare", D("1.2")), "bonuses[0].value", "0.5 分的整数倍"),
        (Bonus("public_welfare", None), "bonuses[0].value", "须注明分值"),
        (Bonus("emergency_service", 2, own_duty=True), "bonuses[0].own_duty", "本应履行的职责"),
        (Bonus("heroism", 2), "bonuses[0].kind", "未知的加分项目"),
        (Bonus("commendation", content_key="x"), "bonuses[0].level", "须注明级别"),
        (Bonus("commendation", level="province", content_key="x"), "bonuses[0].level", "须注明级别"),
        (
            Bonus("commendation", 2, level="city", content_key="x"),
            "bonuses[0].value",
            "无锡市级以上积 3 分，不能积 2 分",
        ),
        (Bonus("commendation", level="city"), "bonuses[0].content_key", "须注明表彰内容"),
    ],
)
def test_it_refuses_a_bonus_the_scheme_does_not_allow(bonus, field, words):
    with pytest.raises(ScoringError) as error:
        score([bonus])
    assert error.value.field == field
    assert words in str(error.value)


@pytest.mark.parametrize(
    "kind",
    [
        "absence_or_dues",
        "pocket_member",
        "mobile_no_report",
        "negative_attitude",
        "non_compliance",
        "other_violation",
    ],
)
@pytest.mark.parametrize("value", [5, D("7.5"), 10])
def test_it_deducts_five_to_ten_per_occurrence_for_each_kind(kind, value):
    result = score(deductions=[Deduction(kind, value, "criticism")])
    assert result.deductions == value
    assert result.total == 100 - value
    assert result.has_deduction


def test_it_adds_up_several_deductions_and_explains_each_with_its_measure():
    result = score(
        deductions=[
            Deduction("pocket_member", 5, "warning", note="组织关系 4 个月未转出"),
            Deduction("absence_or_dues", 10, "admonishment_talk"),
        ]
    )
    assert result.deductions == 15 and result.deduction_count == 2
    assert [(line.clause, line.points, line.text) for line in result.section("deduction")] == [
        ("三(三)1", -10, "扣 10 分，同时予以诫勉谈话"),
        ("三(三)2", -5, "组织关系 4 个月未转出：扣 5 分，同时予以警示提醒"),
    ]


@pytest.mark.parametrize(
    ("deduction", "field", "words"),
    [
        (Deduction("pocket_member", 4, "warning"), "deductions[0].value", "每次扣减 5-10 分，不能扣 4 分"),
        (Deduction("pocket_member", 11, "warning"), "deductions[0].value", "每次扣减 5-10 分，不能扣 11 分"),
        (Deduction("pocket_member", D("4.5"), "warning"), "deductions[0].value", "不能扣 4.5 分"),
        (Deduction("pocket_member", D("10.5"), "warning"), "deductions[0].value", "不能扣 10.5 分"),
        (Deduction("pocket_member", D("7.3"), "warning"), "deductions[0].value", "0.5 分的整数倍"),
        (Deduction("pocket_member", -5, "warning"), "deductions[0].value", "不能为负数"),
        (Deduction("late_once", 5, "warning"), "deductions[0].kind", "未知的减分项目"),
        (Deduction("pocket_member", 5, ""), "deductions[0].measure", "须同时注明帮教整改方式"),
        (Deduction("pocket_member", 5, "fine"), "deductions[0].measure", "须同时注明帮教整改方式"),
    ],
)
def test_it_refuses_a_deduction_outside_the_rules(deduction, field, words):
    with pytest.raises(ScoringError) as error:
        score(deductions=[deduction])
    assert error.value.field == field
    assert words in str(error.value)


def test_it_adds_every_explained_line_up_to_the_total():
    result = score(
        [Bonus("righteousness", 2)] * 6 + [Bonus("commendation", level="city", content_key="a")],
        [Deduction("other_violation", 6, "written_self_criticism")],
    )
    assert sum(line.points for line in result.lines) == result.total == 100 + 10 - 6
    assert all(line.clause and line.text for line in result.lines)
    assert (
        result.summary
        == "基础积分 100 分 + 加分 10 分（累计 15 分，超过上限按 10 分计） − 减分 6 分 = 年度积分 104 分"
    )
