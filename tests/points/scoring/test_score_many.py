"""score_many shares base-item results between members with the same facts; it must give exactly what
scoring each member alone gives, lines and errors included."""

from dataclasses import replace
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from points.scoring import (
    GUIDELINE_SCHEME,
    Attendance,
    Bonus,
    Dues,
    Judgment,
    MemberFacts,
    ScoringError,
    score_many,
    score_member,
    score_provisional,
)

from .test_scoring_properties import bonuses, deductions

SCHEME = GUIDELINE_SCHEME
FAST = settings(max_examples=120, deadline=None, database=None)

# Small domains, so that many members share facts and the memo is exercised.
small_attendance = st.sampled_from(
    [
        Attendance(4, 4),
        Attendance(4, 3, 1, 0),
        Attendance(4, 2, 0, 2),
        Attendance(0, 0),
        Attendance(6, 5, 2, 1),
    ]
)
CAPS = {item.code: int(item.cap) for item in SCHEME.base_items}


def small_judgment(code):
    cap = CAPS[code]
    return st.sampled_from(
        [
            Judgment(cap),
            Judgment(D(cap)),
            Judgment(D(f"{cap}.0")),
            Judgment(cap - D("0.5"), "会议发言不积极"),
            Judgment(cap - 1, "迟交"),
        ]
    )


small_hours = st.sampled_from([D(32), D("32.0"), 32, D("12.5"), D(0), None])


@st.composite
def member_facts(draw, member_id):
    return MemberFacts(
        member_id=member_id,
        category=draw(st.sampled_from(["full", "probationary", "activist"])),
        exempt=draw(st.integers(0, 12)) == 0,
        study_hours=draw(small_hours),
        attendance={"meetings": draw(small_attendance), "org_life": draw(small_attendance)},
        dues=draw(st.sampled_from([Dues(12, 12), Dues(11, 12), Dues(0, 0), None])),
        thought_reports=draw(st.sampled_from([0, 2, 4, None])),
        judgments={code: draw(small_judgment(code)) for code in ("exemplary_role", "discipline", "masses")},
        bonuses=tuple(draw(st.lists(bonuses, max_size=2))),
        deductions=tuple(draw(st.lists(deductions, max_size=1))),
    )


@st.composite
def branch(draw):
    n = draw(st.integers(1, 25))
    return [draw(member_facts(i)) for i in range(n)]


@FAST
@given(branch())
def test_provisional_batch_equals_one_by_one(facts):
    assert score_many(SCHEME, facts, provisional=True) == [score_provisional(SCHEME, f) for f in facts]


@FAST
@given(branch())
def test_final_batch_equals_one_by_one_or_fails_alike(facts):
    complete = [
        f for f in facts if f.dues is not None and f.thought_reports is not None and f.study_hours is not None
    ]
    assert score_many(SCHEME, complete) == [score_member(SCHEME, f) for f in complete]


def test_equal_values_of_different_types_keep_their_own_lines():
    a = MemberFacts(
        1, study_hours=D("12.5"), judgments={"discipline": Judgment(D(f"{CAPS['discipline']}.0"))}
    )
    b = replace(
        a, member_id=2, study_hours=D("12.50"), judgments={"discipline": Judgment(CAPS["discipline"])}
    )
    batch = score_many(SCHEME, [a, b], provisional=True)
    assert batch == [score_provisional(SCHEME, a), score_provisional(SCHEME, b)]


def test_a_bad_value_after_an_equal_good_one_is_still_refused():
    good = MemberFacts(1, attendance={"org_life": Attendance(4, 4)})
    bad = replace(good, member_id=2, attendance={"org_life": Attendance(True, True)})
    with pytest.raises(ScoringError) as alone:
        score_provisional(SCHEME, bad)
    with pytest.raises(ScoringError) as batch:
        score_many(SCHEME, [good, bad], provisional=True)
    assert str(batch.value) == str(alone.value)


def test_members_with_the_same_facts_share_line_objects():
    facts = [MemberFacts(i, attendance={"org_life": Attendance(4, 3)}) for i in range(3)]
    first, second, third = score_many(SCHEME, facts, provisional=True)
    assert first.lines[0] is second.lines[0] is third.lines[0]


def test_members_with_all_the_same_facts_are_scored_once_each_keeping_their_id(monkeypatch):
    from points.scoring import engine

    calls = []
    real = engine._bonus_lines
    monkeypatch.setattr(engine, "_bonus_lines", lambda *a: calls.append(1) or real(*a))
    alike = [
        MemberFacts(
            member_id=f"m{i}",
            category="full",
            attendance={"org_life": Attendance(4, 4)},
            bonuses=(Bonus(kind="public_welfare", value=D(1)),),
        )
        for i in range(3)
    ]
    printed_apart = replace(alike[0], member_id="m3", bonuses=(Bonus(kind="public_welfare", value=D("1.0")),))
    scores = score_many(SCHEME, [*alike, printed_apart], provisional=True)
    assert len(calls) == 2  # once for the three alike, once for the bonus of 1.0 (a key of its own)
    assert [s.member_id for s in scores] == ["m0", "m1", "m2", "m3"]
    assert scores[0].lines is scores[2].lines
    assert scores == [score_provisional(SCHEME, f) for f in [*alike, printed_apart]]


def test_a_shared_memo_spans_calls_with_the_same_scheme_and_never_another(monkeypatch):
    from points.scoring import engine

    calls = []
    real = engine._bonus_lines
    monkeypatch.setattr(engine, "_bonus_lines", lambda *a: calls.append(1) or real(*a))
    facts = MemberFacts(member_id="a", category="full", attendance={"org_life": Attendance(4, 4)})
    other_rules = SCHEME.derive({"bonus_cap": 8})
    shared: dict = {}
    first = score_many(SCHEME, [facts], provisional=True, shared=shared)
    second = score_many(SCHEME, [replace(facts, member_id="b")], provisional=True, shared=shared)
    assert len(calls) == 1 and second[0].member_id == "b" and second[0].lines is first[0].lines
    third = score_many(other_rules, [replace(facts, member_id="c")], provisional=True, shared=shared)
    assert len(calls) == 2 and third == [score_provisional(other_rules, replace(facts, member_id="c"))]
