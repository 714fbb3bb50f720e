"""Clause 五: thresholds with their counting words, ranking, 排名靠后, exemptions and the two-year rule."""

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
    Result,
    ScoringError,
    assess_branch,
    score_member,
)


def facts_for(member_id, total, *, deduction=0, category="full") -> MemberFacts:
    """Facts that score exactly ``total``: judgments and org_life trimmed below 100, bonuses above it."""
    total, deduction = D(total), D(deduction)
    before = total + deduction
    base = min(before, D(100))
    bonus = before - base
    if bonus == D("0.5"):
        base, bonus = base - 1, D("1.5")
    values = []
    if bonus % 1:
        values.append(D("1.5"))
        bonus -= D("1.5")
    while bonus >= 2:
        values.append(D(2))
        bonus -= 2
    if bonus:
        values.append(bonus)
    missing = 100 - base
    judgments = {}
    for code in ("masses", "discipline", "exemplary_role"):
        taken = min(missing, D(12))
        missing -= taken
        judgments[code] = Judgment(12 - taken, "评定扣分" if taken else "")
    assert missing <= 24, "helper only trims judgments and org_life"
    # 48 org_life sessions are worth half a point each.
    org_life = Attendance(48, 48 - int(missing * 2))
    return MemberFacts(
        member_id=member_id,
        category=category,
        study_hours=32,
        attendance={"meetings": Attendance(6, 6), "org_life": org_life},
        dues=Dues(12),
        thought_reports=4,
        judgments=judgments,
        bonuses=tuple(Bonus("public_welfare", value) for value in values),
        deductions=(Deduction("other_violation", deduction, "criticism"),) if deduction else (),
    )


def scored(member_id, total, **kwargs):
    score = score_member(GUIDELINE_SCHEME, facts_for(member_id, total, **kwargs))
    assert score.total == D(total)
    return score


def alone(total, **kwargs):
    (result,) = assess_branch(GUIDELINE_SCHEME, [scored("m", total, **kwargs)])
    return set(result.results)


P, E, B, N, T, U = (
    Result.PRIORITY_RECOMMENDATION,
    Result.EXCELLENT_CANDIDATE,
    Result.AT_MOST_BASIC,
    Result.NOT_ELIGIBLE_FOR_AWARDS,
    Result.TALK_AND_PAIRING,
    Result.UNQUALIFIED,
)


# A member alone in a branch is its bottom place (at least 1 member is near the bottom).
@pytest.mark.parametrize(
    ("total", "deduction", "expected"),
    [
        ("110", 0, {P, E}),
        ("100", 0, {P, E}),  # 100 分以上 includes 100
        ("99.5", 0, {E}),
        ("90", 0, {E}),  # 90 分以上 includes 90
        ("89.5", 0, set()),
        ("80", 0, set()),  # 未达到 80 excludes 80
        ("79.5", 0, {N}),
        ("70.5", 0, {N}),
        ("70", 0, {B, N}),  # 70 分以下 includes 70; 低于 70 excludes it
        ("69.5", 0, {B, N, T}),
        ("100", 5, set()),  # 没有减分项 is required for priority and excellent
        ("95", 10, set()),
        ("90", 5, set()),
        ("60", 5, {B, N, T}),
    ],
)
def test_it_applies_clause_five_thresholds_to_full_members(total, deduction, expected):
    assert alone(total, deduction=deduction) == expected


@pytest.mark.parametrize(
    ("total", "deduction", "expected"),
    [
        ("100", 0, {P, E}),
        ("80", 0, set()),
        ("79.5", 0, {N, Result.EXTEND_PROBATION}),
        ("95", 5, {Result.EXTEND_PROBATION}),
        ("69.5", 0, {B, N, T, Result.EXTEND_PROBATION}),
    ],
)
def test_it_extends_probation_below_80_or_for_any_deduction(total, deduction, expected):
    assert alone(total, deduction=deduction, category="probationary") == expected


@pytest.mark.parametrize(
    ("total", "deduction", "expected"),
    [
        ("100", 0, {Result.DEVELOPMENT_BASIS}),
        ("60", 0, {Result.DEVELOPMENT_BASIS}),
        ("95", 5, {Result.CANCEL_ACTIVIST}),
    ],
)
def test_it_gives_activists_only_clause_five_three_results(total, deduction, expected):
    assert alone(total, deduction=deduction, category="activist") == expected


def test_it_explains_each_result_with_its_clause():
    (result,) = assess_branch(GUIDELINE_SCHEME, [scored("m", "79.5", category="probationary")])
    assert [(line.code, line.clause, line.text) for line in result.lines] == [
        ("not_eligible_for_awards", "五1", "年度积分 79.5 分，未达到 80 分"),
        ("extend_probation", "五2", "预备党员年度积分 79.5 分，低于 80 分"),
    ]
    assert result.lines[0].label == "不得参加党内各级各类评先评优"


def test_it_ranks_with_ties_sharing_a_place():
    scores = [scored("a", 95), scored("b", 90), scored("c", 90), scored("d", 80), scored("e", 100)]
    ranks = {result.member_id: result.rank for result in assess_branch(GUIDELINE_SCHEME, scores)}
    assert ranks == {"e": 1, "a": 2, "b": 3, "c": 3, "d": 5}


def branch(totals):
    return [scored(f"m{index}", total) for index, total in enumerate(totals)]


def near_bottom(results):
    return {result.member_id for result in results if result.near_bottom}


def test_it_takes_the_bottom_ten_percent_rounded_up_as_near_the_bottom():
    twenty = assess_branch(GUIDELINE_SCHEME, branch([60, 62, 64, 66] + [90] * 16))
    assert near_bottom(twenty) == {"m0", "m1"}  # 2 places of 20
    talk = {result.member_id for result in twenty if Result.TALK_AND_PAIRING in result.results}
    assert talk == {"m0", "m1"}  # m2 and m3 are below 70 but not near the bottom
    assert set(twenty[2].results) == {Result.AT_MOST_BASIC, Result.NOT_ELIGIBLE_FOR_AWARDS}
    twenty_five = assess_branch(GUIDELINE_SCHEME, branch([60, 62, 64, 66] + [90] * 21))
    assert near_bottom(twenty_five) == {"m0", "m1", "m2"}  # 2.5 rounds up to 3
    five = assess_branch(GUIDELINE_SCHEME, branch([60, 62, 64, 66, 90]))
    assert near_bottom(five) == {"m0"}  # at least 1


def test_it_includes_every_member_tied_at_the_bottom_boundary():
    results = assess_branch(GUIDELINE_SCHEME, branch([60, 65, 65, 65] + [90] * 16))
    assert near_bottom(results) == {"m0", "m1", "m2", "m3"}
    assert [result.rank for result in results[:4]] == [20, 17, 17, 17]
    talk = next(line for line in results[1].lines if line.code == Result.TALK_AND_PAIRING)
    assert talk.text == (
        "年度积分 65 分，低于 70 分，且在本支部 20 名参加排名的党员中排第 17 名，属排名靠后（排名靠后指本支部参加排名的 "
        "20 名党员中排在后 10%（至少 1 名，共 2 个名次，与末位名次同分者一并计入），即 65 分及以下）"
    )


def test_it_leaves_exempt_members_out_of_the_ranking():
    exempt = score_member(GUIDELINE_SCHEME, MemberFacts("x", exempt=True))
    results = assess_branch(GUIDELINE_SCHEME, [exempt, *branch([60, 62] + [90] * 8)])
    assert results[0].rank is None and results[0].results == () and not results[0].near_bottom
    assert {result.ranked_count for result in results[1:]} == {10}
    assert near_bottom(results) == {"m0"}  # 1 place of 10; counting the exempt member would make it 2 of 11


def test_it_ranks_activists_apart_from_members():
    activist = scored("act", 50, category="activist")
    results = assess_branch(GUIDELINE_SCHEME, [activist, *branch([60] + [90] * 9)])
    assert (results[0].rank, results[0].ranked_count) == (1, 1)
    assert near_bottom(results) == {"m0"}
    assert results[1].ranked_count == 10


def test_it_finds_a_member_unqualified_after_two_consecutive_low_bottom_years():
    results = assess_branch(
        GUIDELINE_SCHEME, branch([60, 62] + [90] * 17 + [85]), previous_bottom={"m0", "m19"}
    )
    by_id = {result.member_id: result for result in results}
    assert set(by_id["m0"].results) == {B, N, T, U}  # low and near the bottom this year and last
    assert set(by_id["m1"].results) == {B, N, T}  # this year only
    assert by_id["m19"].results == ()  # last year only
    assert by_id["m0"].low_and_bottom and by_id["m1"].low_and_bottom and not by_id["m19"].low_and_bottom
    unqualified = next(line for line in by_id["m0"].lines if line.code == U)
    assert unqualified.clause == "五1" and "连续两年积分低于 70 分且排名靠后" in unqualified.text


def test_it_makes_near_the_bottom_a_scheme_setting():
    scheme = GUIDELINE_SCHEME.derive(bottom_rank={"share": 0, "min_count": 3})
    assert near_bottom(assess_branch(scheme, branch([60, 62, 64, 66] + [90] * 16))) == {"m0", "m1", "m2"}
    nobody = GUIDELINE_SCHEME.derive(bottom_rank={"share": 0, "min_count": 0})
    assert near_bottom(assess_branch(nobody, branch([60, 62]))) == set()


def test_it_refuses_the_same_member_twice_in_a_branch():
    with pytest.raises(ScoringError, match="出现了两次"):
        assess_branch(GUIDELINE_SCHEME, [scored("a", 90), scored("a", 80)])
