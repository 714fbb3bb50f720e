"""Base items (clause 三(一)) scored from facts, the rounding rule, refusals and quarterly roll-up."""

from decimal import Decimal as D

import pytest

from points.scoring import (
    GUIDELINE_SCHEME,
    Attendance,
    Dues,
    Judgment,
    MemberFacts,
    ScoringError,
    combine_facts,
    score_member,
    score_provisional,
)

FULL_JUDGMENTS = {"exemplary_role": Judgment(12), "discipline": Judgment(12), "masses": Judgment(12)}


def year(**changes) -> MemberFacts:
    facts = {
        "member_id": "m1",
        "study_hours": 32,
        "attendance": {"meetings": Attendance(6, 6), "org_life": Attendance(16, 16)},
        "dues": Dues(12),
        "thought_reports": 4,
        "judgments": FULL_JUDGMENTS,
    }
    facts.update(changes)
    return MemberFacts(**facts)


def item(score, code):
    return next(line for line in score.lines if line.section == "base" and line.code == code)


def test_it_gives_full_base_points_for_a_complete_year():
    score = score_member(GUIDELINE_SCHEME, year())
    assert score.base == 100
    assert score.total == 100
    assert [line.code for line in score.lines] == [
        "study",
        "meetings",
        "org_life",
        "dues",
        "thought_reports",
        "exemplary_role",
        "discipline",
        "masses",
    ]
    assert [line.points for line in score.lines] == [12, 12, 24, 12, 4, 12, 12, 12]


@pytest.mark.parametrize(
    ("hours", "points"),
    [
        (32, "12"),
        (40, "12"),
        (0, "0"),
        (16, "6"),
        (D("31.5"), "11.5"),  # 11.8125: rounding half-up to a half point would give 12; we cut down
        (31, "11.5"),  # 11.625
        (D("2.6"), "0.5"),  # 0.975
        (1, "0"),  # 0.375
    ],
)
def test_it_scores_study_by_hours_against_32_rounding_down_to_half_points(hours, points):
    assert item(score_member(GUIDELINE_SCHEME, year(study_hours=hours)), "study").points == D(points)


@pytest.mark.parametrize(
    ("record", "points"),
    [
        (Attendance(10, 10), "24"),
        (Attendance(10, 8, late_or_left_early=1, excused=1), "20"),  # 24 × 7.5 ÷ 9
        (Attendance(10, 9), "21.5"),  # 21.6
        (Attendance(10, 10, late_or_left_early=1), "22.5"),  # 22.8
        (Attendance(3, 3, late_or_left_early=3), "12"),
        (Attendance(10, 0), "0"),
        (Attendance(0, 0), "24"),  # nothing was held
        (Attendance(2, 0, excused=2), "24"),  # excused leave does not count against the member
        (Attendance(7, 6, excused=1), "24"),
    ],
)
def test_it_scores_org_life_by_attendance(record, points):
    facts = year(attendance={"meetings": Attendance(6, 6), "org_life": record})
    assert item(score_member(GUIDELINE_SCHEME, facts), "org_life").points == D(points)


def test_it_scores_meetings_by_attendance_with_their_own_cap():
    facts = year(attendance={"meetings": Attendance(7, 6), "org_life": Attendance(16, 16)})
    line = item(score_member(GUIDELINE_SCHEME, facts), "meetings")
    assert line.points == 10  # 10.28
    assert line.text == "应参加 7 次，出席 6 次：12 × 6 ÷ 7 ≈ 10.28 → 10 分"


@pytest.mark.parametrize(
    ("dues", "points"),
    [
        (Dues(12), "12"),
        (Dues(11), "11"),
        (Dues(5, 6), "10"),
        (Dues(0), "0"),
        (Dues(0, 0), "12"),
        (Dues(7, 9), "9"),
    ],
)
def test_it_scores_dues_by_months_paid_on_time_out_of_months_required(dues, points):
    assert item(score_member(GUIDELINE_SCHEME, year(dues=dues)), "dues").points == D(points)


@pytest.mark.parametrize(("reports", "points"), [(4, "4"), (6, "4"), (3, "3"), (1, "1"), (0, "0")])
def test_it_scores_thought_reports_one_point_each_up_to_four(reports, points):
    assert item(score_member(GUIDELINE_SCHEME, year(thought_reports=reports)), "thought_reports").points == D(
        points
    )


@pytest.mark.parametrize(("value", "points"), [(12, "12"), (D("11.5"), "11.5"), (0, "0"), ("7.5", "7.5")])
def test_it_takes_committee_judgments_as_given(value, points):
    judgments = {**FULL_JUDGMENTS, "masses": Judgment(value, "联系群众不够经常")}
    assert item(score_member(GUIDELINE_SCHEME, year(judgments=judgments)), "masses").points == D(points)


def test_it_explains_each_base_item_with_its_clause_and_facts():
    facts = year(
        study_hours=D("31.5"),
        attendance={"meetings": Attendance(6, 6), "org_life": Attendance(10, 8, 1, 1)},
        dues=Dues(11),
        thought_reports=3,
        judgments={**FULL_JUDGMENTS, "discipline": Judgment(D("11.5"), "一次会议未按要求请假")},
    )
    lines = score_member(GUIDELINE_SCHEME, facts).lines
    assert [(line.clause, line.text) for line in lines] == [
        ("三(一)1", "全年集中学习 31.5 学时，不足 32 学时：12 × 31.5 ÷ 32 ≈ 11.81 → 11.5 分"),
        ("三(一)2", "应参加 6 次，全部出席，无迟到、早退 → 满分 12 分"),
        (
            "三(一)3",
            "应参加 10 次，请假 1 次（不计入），出席 8 次，其中迟到或早退 1 次（每次折减 0.5 次，计出席 7.5 次）："
            "24 × 7.5 ÷ 9 = 20 → 20 分",
        ),
        ("三(一)4", "应交纳党费 12 个月，按时足额交纳 11 个月：12 × 11 ÷ 12 = 11 → 11 分"),
        ("三(一)5", "全年汇报思想 3 次，不足 4 次：4 × 3 ÷ 4 = 3 → 3 分"),
        ("三(一)6", "支委会评定满分 12 分"),
        ("三(一)7", "支委会评定 11.5 分：一次会议未按要求请假"),
        ("三(一)8", "支委会评定满分 12 分"),
    ]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        (
            {"attendance": {"meetings": Attendance(6, -1), "org_life": Attendance(16, 16)}},
            "attendance.meetings.attended",
            "不小于 0 的整数",
        ),
        (
            {"attendance": {"meetings": Attendance(6, 7), "org_life": Attendance(16, 16)}},
            "attendance.meetings.attended",
            "不能超过应参加次数",
        ),
        (
            {"attendance": {"meetings": Attendance(6, 5, excused=2), "org_life": Attendance(16, 16)}},
            "attendance.meetings.excused",
            "超过应参加的 6 次",
        ),
        (
            {
                "attendance": {
                    "meetings": Attendance(6, 2, late_or_left_early=3),
                    "org_life": Attendance(16, 16),
                }
            },
            "attendance.meetings.late_or_left_early",
            "不能超过出席次数",
        ),
        (
            {"attendance": {"meetings": Attendance(6, True), "org_life": Attendance(16, 16)}},
            "attendance.meetings.attended",
            "整数",
        ),
        (
            {
                "attendance": {
                    "meetings": Attendance(6, 6),
                    "org_life": Attendance(16, 16),
                    "studdy": Attendance(1, 1),
                }
            },
            "attendance.studdy",
            "不是按出勤计分的基础积分项目",
        ),
        (
            {
                "attendance": {
                    "meetings": Attendance(6, 6),
                    "org_life": Attendance(16, 16),
                    "masses": Attendance(1, 1),
                }
            },
            "attendance.masses",
            "不是按出勤计分",
        ),
        ({"attendance": {"org_life": Attendance(16, 16)}}, "attendance.meetings", "缺少“按时参加会议”"),
        ({"study_hours": None}, "study_hours", "缺少“认真学习”"),
        ({"study_hours": -1}, "study_hours", "不小于 0"),
        ({"dues": Dues(13, 12)}, "dues.months_on_time", "不能超过应交纳的月数"),
        ({"dues": Dues(12, 13)}, "dues.months_required", "不能超过 12 个月"),
        ({"dues": Dues(-1)}, "dues.months_on_time", "不小于 0"),
        ({"thought_reports": -2}, "thought_reports", "不小于 0"),
        (
            {"judgments": {**FULL_JUDGMENTS, "masses": Judgment(13, "很好")}},
            "judgments.masses.value",
            "不能超过 12 分",
        ),
        (
            {"judgments": {**FULL_JUDGMENTS, "masses": Judgment(D("11.3"), "x")}},
            "judgments.masses.value",
            "0.5 分的整数倍",
        ),
        (
            {"judgments": {**FULL_JUDGMENTS, "masses": Judgment(-1, "x")}},
            "judgments.masses.value",
            "不能为负数",
        ),
        ({"judgments": {**FULL_JUDGMENTS, "masses": Judgment(10)}}, "judgments.masses.reason", "须写明理由"),
        ({"judgments": {**FULL_JUDGMENTS, "study": Judgment(12)}}, "judgments.study", "不是由支委会评定"),
        (
            {"judgments": {"masses": Judgment(12), "discipline": Judgment(12)}},
            "judgments.exemplary_role",
            "缺少",
        ),
        ({"category": "member"}, "category", "未知的人员类别"),
    ],
)
def test_it_refuses_bad_facts_naming_the_rule(changes, field, words):
    with pytest.raises(ScoringError) as error:
        score_member(GUIDELINE_SCHEME, year(**changes))
    assert error.value.field == field
    assert words in str(error.value)
    assert isinstance(error.value, ValueError)


def test_it_gives_exempt_members_no_score():
    score = score_member(GUIDELINE_SCHEME, MemberFacts("m9", exempt=True))
    assert score.exempt
    assert score.total is None and score.base is None
    assert [(line.section, line.clause) for line in score.lines] == [("exempt", "二")]


def quarter(n: int, **changes) -> MemberFacts:
    facts = {
        "member_id": "m1",
        "study_hours": 8,
        "attendance": {
            "meetings": Attendance(2, 1 if n == 2 else 2),
            "org_life": Attendance(4, 4, 1 if n == 3 else 0),
        },
        "dues": Dues(3, 3),
        "thought_reports": 1,
    }
    facts.update(changes)
    return MemberFacts(**facts)


def test_it_sums_quarters_into_the_year():
    quarters = [quarter(1), quarter(2), quarter(3), quarter(4, judgments=FULL_JUDGMENTS)]
    combined = combine_facts(quarters)
    assert combined.attendance == {"meetings": Attendance(8, 7), "org_life": Attendance(16, 16, 1)}
    assert combined.dues == Dues(12, 12)
    assert combined.study_hours == 32 and combined.thought_reports == 4
    expected = year(attendance={"meetings": Attendance(8, 7), "org_life": Attendance(16, 16, 1)})
    assert score_member(GUIDELINE_SCHEME, combined).lines == score_member(GUIDELINE_SCHEME, expected).lines


def test_it_shows_a_provisional_score_for_the_quarters_so_far():
    score = score_provisional(GUIDELINE_SCHEME, combine_facts([quarter(1), quarter(2)]))
    assert score.provisional
    assert item(score, "study").points == 6  # 16 of 32 hours
    assert item(score, "dues").points == 12  # 6 of 6 months so far
    assert item(score, "masses").points == 0
    assert item(score, "masses").text == "尚无支委会评定，暂计 0 分"
    assert score.summary.endswith(f"暂计积分 {score.total} 分")
    with pytest.raises(ScoringError, match="缺少“发挥模范作用”"):
        score_member(GUIDELINE_SCHEME, combine_facts([quarter(1), quarter(2)]))


def test_it_lets_a_later_quarter_judgment_replace_an_earlier_one():
    early = quarter(1, judgments={**FULL_JUDGMENTS, "masses": Judgment(10, "初评")})
    late = quarter(2, judgments={"masses": Judgment(11, "复核")})
    assert combine_facts([early, late]).judgments["masses"] == Judgment(11, "复核")


def test_it_refuses_to_combine_different_members_or_nothing():
    with pytest.raises(ScoringError, match="不同党员"):
        combine_facts([quarter(1), quarter(2, member_id="m2")])
    with pytest.raises(ScoringError, match="没有可汇总"):
        combine_facts([])
