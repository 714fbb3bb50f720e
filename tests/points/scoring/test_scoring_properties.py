"""Properties that hold for any valid facts under the guideline scheme."""

from dataclasses import replace
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from points.scoring import (
    GUIDELINE_SCHEME,
    Attendance,
    Bonus,
    Deduction,
    Dues,
    Judgment,
    MemberFacts,
    Result,
    assess_branch,
    score_member,
)

SCHEME = GUIDELINE_SCHEME
CAPS = {item.code: item.cap for item in SCHEME.base_items}
# No example database: the tests must not write outside their own folder.
FAST = settings(max_examples=150, deadline=None, database=None)


def halves(low, high):
    return st.integers(low * 2, high * 2).map(lambda value: D(value) / 2)


@st.composite
def attendance(draw):
    required = draw(st.integers(0, 30))
    attended = draw(st.integers(0, required))
    excused = draw(st.integers(0, required - attended))
    return Attendance(required, attended, draw(st.integers(0, attended)), excused)


@st.composite
def dues(draw):
    required = draw(st.integers(0, 12))
    return Dues(draw(st.integers(0, required)), required)


notes = st.sampled_from(["", "甲", "乙"])
bonuses = st.one_of(
    st.builds(Bonus, st.just("righteousness"), st.just(2), note=notes),
    st.builds(Bonus, st.just("emergency_service"), halves(1, 2), note=notes),
    st.builds(Bonus, st.just("public_welfare"), halves(1, 2), own_duty=st.booleans(), note=notes),
    st.builds(Bonus, st.just("long_term_task"), st.just(2), note=notes),
    st.builds(
        Bonus,
        st.just("commendation"),
        level=st.sampled_from(["township", "district", "city"]),
        content_key=st.sampled_from(["抗疫", "优秀党员", "志愿者"]),
        note=notes,
    ),
)
deductions = st.builds(
    Deduction,
    st.sampled_from([kind.code for kind in SCHEME.deduction_kinds]),
    halves(5, 10),
    st.sampled_from([measure.code for measure in SCHEME.measures]),
    note=notes,
)
judgment = halves(0, 12).map(lambda value: Judgment(value, "支委会评议"))


@st.composite
def facts(draw):
    return MemberFacts(
        member_id=draw(st.integers(0, 10_000)),
        category=draw(st.sampled_from(["full", "full", "probationary", "activist"])),
        exempt=draw(st.integers(0, 9)) == 0,
        study_hours=draw(st.decimals(min_value=0, max_value=60, places=2)),
        attendance={"meetings": draw(attendance()), "org_life": draw(attendance())},
        dues=draw(dues()),
        thought_reports=draw(st.integers(0, 8)),
        judgments={code: draw(judgment) for code in ("exemplary_role", "discipline", "masses")},
        bonuses=tuple(draw(st.lists(bonuses, max_size=8))),
        deductions=tuple(draw(st.lists(deductions, max_size=3))),
    )


def scored(member_facts):
    return score_member(SCHEME, member_facts)


@FAST
@given(facts())
def test_it_never_scores_above_base_plus_bonus_cap(member_facts):
    score = scored(member_facts)
    if not score.exempt:
        assert score.total <= SCHEME.base_total + SCHEME.bonus_cap
        assert 0 <= score.bonus <= SCHEME.bonus_cap
        assert score.total == score.base + score.bonus - score.deductions


@FAST
@given(facts())
def test_it_keeps_each_base_item_within_zero_and_its_cap_in_half_points(member_facts):
    score = scored(member_facts)
    for line in score.section("base"):
        assert 0 <= line.points <= CAPS[line.code]
        assert (line.points * 2) % 1 == 0
    if not score.exempt:
        assert sum(line.points for line in score.lines) == score.total
        assert all(line.clause and line.text for line in score.lines)


@FAST
@given(facts(), deductions)
def test_it_never_raises_a_total_for_a_deduction(member_facts, deduction):
    before = scored(member_facts)
    after = scored(replace(member_facts, deductions=(*member_facts.deductions, deduction)))
    if not before.exempt:
        assert after.total < before.total
        assert after.has_deduction


@FAST
@given(facts(), bonuses)
def test_it_never_lowers_a_total_for_a_bonus(member_facts, bonus):
    before = scored(member_facts)
    after = scored(replace(member_facts, bonuses=(bonus, *member_facts.bonuses)))
    if not before.exempt:
        assert after.total >= before.total


@FAST
@given(facts(), st.randoms(use_true_random=False))
def test_it_ignores_the_order_of_bonuses_and_deductions(member_facts, random):
    shuffled_bonuses, shuffled_deductions = list(member_facts.bonuses), list(member_facts.deductions)
    random.shuffle(shuffled_bonuses)
    random.shuffle(shuffled_deductions)
    shuffled = replace(member_facts, bonuses=tuple(shuffled_bonuses), deductions=tuple(shuffled_deductions))
    assert scored(shuffled) == scored(member_facts)


@settings(max_examples=60, deadline=None, database=None)
@given(
    st.lists(facts(), max_size=25, unique_by=lambda member_facts: member_facts.member_id),
    st.randoms(use_true_random=False),
    st.data(),
)
def test_it_assesses_a_branch_the_same_whatever_the_order_of_members(members, random, data):
    scores = [scored(member_facts) for member_facts in members]
    previous = set(data.draw(st.lists(st.sampled_from([s.member_id for s in scores]))) if scores else [])
    shuffled = list(scores)
    random.shuffle(shuffled)
    first = {result.member_id: result for result in assess_branch(SCHEME, scores, previous)}
    second = {result.member_id: result for result in assess_branch(SCHEME, shuffled, previous)}
    assert first == second
    for result in first.values():
        codes = set(result.results)
        if Result.UNQUALIFIED in codes:
            assert Result.TALK_AND_PAIRING in codes and result.member_id in previous
        if Result.PRIORITY_RECOMMENDATION in codes:
            assert Result.EXCELLENT_CANDIDATE in codes
        assert result.rank is None or 1 <= result.rank <= result.ranked_count
