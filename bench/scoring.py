"""Benchmark of the scoring engine: score N synthetic members with a full year of facts on one core.

Run: uv run python bench/scoring.py [--members N] [--seed S]
Prints members per second, and the ratio to a baseline loop over the same facts that only adds the
numbers up (the cost of Python touching the data at all). Target: >= 20,000 members per second.
"""

import argparse
import gc
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

# Runs as a plain script from anywhere: no Django, no install, just the repo on the path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from points.scoring import (  # noqa: E402
    GUIDELINE_SCHEME,
    Attendance,
    Bonus,
    Deduction,
    Dues,
    Judgment,
    MemberFacts,
    assess_branch,
    score_member,
)

TARGET = 20_000
BRANCH_SIZE = 30
HALF = Decimal("0.5")


def attendance(rng: random.Random, required: int) -> Attendance:
    excused = rng.choice((0, 0, 0, 1, 2))
    attended = rng.randint(max(0, required - excused - 3), required - excused)
    return Attendance(required, attended, rng.choice((0, 0, 0, 1)) if attended else 0, excused)


def member(rng: random.Random, member_id: int) -> MemberFacts:
    bonuses = []
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3, 4))):
        kind = rng.choice(
            ("righteousness", "emergency_service", "public_welfare", "long_term_task", "commendation")
        )
        if kind == "commendation":
            bonuses.append(
                Bonus(kind, level=rng.choice(("township", "district", "city")), content_key=rng.choice("ABC"))
            )
        elif kind in ("emergency_service", "public_welfare"):
            bonuses.append(Bonus(kind, rng.choice((1, Decimal("1.5"), 2)), note="志愿服务"))
        else:
            bonuses.append(Bonus(kind, 2))
    deductions = []
    if rng.random() < 0.1:
        deductions.append(
            Deduction("other_violation", rng.randint(10, 20) * HALF, "criticism", note="违反规定")
        )
    judgments = {}
    for code in ("exemplary_role", "discipline", "masses"):
        value = rng.choice((12, 12, 12, 11, Decimal("10.5")))
        judgments[code] = Judgment(value, "" if value == 12 else "表现一般")
    return MemberFacts(
        member_id=member_id,
        category=rng.choice(("full", "full", "full", "probationary", "activist")),
        exempt=rng.random() < 0.02,
        study_hours=Decimal(rng.randint(40, 80)) / 2,
        attendance={
            "meetings": attendance(rng, rng.randint(4, 12)),
            "org_life": attendance(rng, rng.randint(12, 24)),
        },
        dues=Dues(rng.randint(9, 12)),
        thought_reports=rng.randint(1, 6),
        judgments=judgments,
        bonuses=tuple(bonuses),
        deductions=tuple(deductions),
    )


def baseline(all_facts: list[MemberFacts]) -> Decimal:
    """Touch the same numbers the engine reads and add them up, nothing more."""
    grand = Decimal(0)
    for facts in all_facts:
        total = facts.study_hours + facts.thought_reports + facts.dues.months_on_time
        for record in facts.attendance.values():
            total += record.attended - record.late_or_left_early + record.excused
        for judgment in facts.judgments.values():
            total += judgment.value
        for bonus in facts.bonuses:
            total += bonus.value or 0
        for deduction in facts.deductions:
            total -= deduction.value
        grand += total
    return grand


def by_branch(all_facts: list[MemberFacts]) -> None:
    for start in range(0, len(all_facts), BRANCH_SIZE):
        assess_branch(
            GUIDELINE_SCHEME,
            [score_member(GUIDELINE_SCHEME, f) for f in all_facts[start : start + BRANCH_SIZE]],
        )


def rank_all(branches):
    return [assess_branch(GUIDELINE_SCHEME, branch) for branch in branches]


def timed(function, *args):
    gc.collect()
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    all_facts = [member(rng, member_id) for member_id in range(args.members)]

    _, base_seconds = timed(baseline, all_facts)
    scores, score_seconds = timed(lambda: [score_member(GUIDELINE_SCHEME, facts) for facts in all_facts])
    branches = [scores[start : start + BRANCH_SIZE] for start in range(0, len(scores), BRANCH_SIZE)]
    _, rank_seconds = timed(rank_all, branches)
    exempt = sum(score.exempt for score in scores)
    del scores, branches
    # The Django side scores a branch, stores it and lets it go; with nothing piling up, the garbage
    # collector has far less to scan, so this is the rate a real annual roll-up sees.
    _, branchwise_seconds = timed(by_branch, all_facts)

    rate = args.members / score_seconds
    per_second = {
        "baseline loop (sums only)": base_seconds,
        f"scoring, all {args.members:,} kept": score_seconds,
        f"scoring + ranking by branch of {BRANCH_SIZE}": branchwise_seconds,
        "ranking alone": rank_seconds,
    }
    print(f"{'members':<36}{args.members:,} (seed {args.seed}, {exempt:,} exempt)")
    for label, seconds in per_second.items():
        print(f"{label:<36}{seconds:7.3f} s = {args.members / seconds:>9,.0f} members/s")
    print(f"{'scoring / baseline':<36}{score_seconds / base_seconds:7.1f} x")
    print(f"{'target':<36}{TARGET:,} members/s scored -> {'PASS' if rate >= TARGET else 'BELOW TARGET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
