"""Clause 五: ranking a branch and the results each member's total leads to.

The comparison words are the guideline's and fixed here (GLOSSARY: 以上/以下 include the number,
未达到/低于 exclude it); the numbers come from the scheme's thresholds.

Full and probationary members are ranked together (the guideline's 党员 includes 预备党员); activists,
scored 参照 members, are ranked among themselves and only clause 五3 applies to them. Exempt members
take no place in any ranking.
"""

from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from .codes import (
    CLAUSE_RESULTS_ACTIVIST,
    CLAUSE_RESULTS_MEMBER,
    CLAUSE_RESULTS_PROBATIONARY,
    RESULT_LABELS,
    Category,
    Result,
)
from .engine import Line, MemberScore
from .errors import ScoringError
from .numbers import show_number
from .scheme import Scheme


@dataclass(frozen=True, slots=True)
class MemberResult:
    """A member's place in the branch and the clause 五 results, each explained by a result line.

    ``low_and_bottom`` (below the low threshold and ranked near the bottom) is what the caller keeps
    and passes back next year as ``previous_bottom`` for the two-consecutive-years rule.
    """

    score: MemberScore
    rank: int | None
    ranked_count: int
    near_bottom: bool
    low_and_bottom: bool
    results: tuple[str, ...]
    lines: tuple[Line, ...]

    @property
    def member_id(self) -> Hashable:
        return self.score.member_id


def _competition_ranks(scores: list[MemberScore]) -> dict[Hashable, int]:
    """1, 2, 2, 4: tied totals share a rank and the next rank skips."""
    ordered = sorted(scores, key=lambda score: score.total, reverse=True)
    ranks: dict[Hashable, int] = {}
    previous_total, previous_rank = None, 0
    for position, score in enumerate(ordered, start=1):
        if score.total != previous_total:
            previous_total, previous_rank = score.total, position
        ranks[score.member_id] = previous_rank
    return ranks


def _bottom_line(scheme: Scheme, scores: list[MemberScore]) -> Decimal | None:
    """The highest total still near the bottom; everyone at or below it is, so boundary ties all count."""
    places = scheme.bottom_rank.count(len(scores))
    if places == 0:
        return None
    return sorted(score.total for score in scores)[places - 1]


def assess_branch(
    scheme: Scheme,
    scores: Iterable[MemberScore],
    previous_bottom: Collection[Hashable] = frozenset(),
) -> list[MemberResult]:
    """Rank a branch's scores and attach clause 五's results, in the order the scores were given.

    ``previous_bottom`` holds the ids of members who last year were below the low threshold and ranked
    near the bottom (``MemberResult.low_and_bottom`` of last year's assessment).
    """
    scores = list(scores)
    seen: set[Hashable] = set()
    for score in scores:
        if score.member_id in seen:
            raise ScoringError(f"同一党员（{score.member_id!r}）在本支部出现了两次", field="member_id")
        seen.add(score.member_id)
    members = [s for s in scores if not s.exempt and s.category != Category.ACTIVIST]
    activists = [s for s in scores if not s.exempt and s.category == Category.ACTIVIST]
    ranks = {**_competition_ranks(members), **_competition_ranks(activists)}
    bottom_line = _bottom_line(scheme, members)
    wording = _bottom_wording(scheme, len(members), bottom_line)
    previous_bottom = frozenset(previous_bottom)

    results = []
    for score in scores:
        if score.exempt:
            results.append(MemberResult(score, None, 0, False, False, (), ()))
        elif score.category == Category.ACTIVIST:
            results.append(_activist_result(score, ranks[score.member_id], len(activists)))
        else:
            rank = ranks[score.member_id]
            near_bottom = bottom_line is not None and score.total <= bottom_line
            results.append(
                _member_result(scheme, score, rank, len(members), near_bottom, wording, previous_bottom)
            )
    return results


def _bottom_wording(scheme: Scheme, ranked: int, bottom_line: Decimal | None) -> str:
    setting = scheme.bottom_rank
    share = show_number(setting.share * 100)
    if bottom_line is None:
        return ""
    return (
        f"排名靠后指本支部参加排名的 {ranked} 名党员中排在后 {share}%（至少 {setting.min_count} 名，"
        f"共 {setting.count(ranked)} 个名次，与末位名次同分者一并计入），即 {bottom_line} 分及以下"
    )


def _line(code: str, clause: str, text: str) -> Line:
    return Line("result", str(code), clause, RESULT_LABELS[code], None, text)


def _member_result(scheme, score, rank, ranked, near_bottom, wording, previous_bottom) -> MemberResult:
    limits = scheme.thresholds
    total, clean = score.total, not score.has_deduction
    place = f"在本支部 {ranked} 名参加排名的党员中排第 {rank} 名"
    lines = []

    def add(code: str, text: str, clause: str = CLAUSE_RESULTS_MEMBER) -> None:
        lines.append(_line(code, clause, text))

    if total >= limits.priority_recommendation_min and clean:
        add(
            Result.PRIORITY_RECOMMENDATION,
            f"年度积分 {total} 分，在 {limits.priority_recommendation_min} 分以上，且没有减分项",
        )
    if total >= limits.excellent_candidate_min and clean:
        add(
            Result.EXCELLENT_CANDIDATE,
            f"年度积分 {total} 分，在 {limits.excellent_candidate_min} 分以上，且没有减分项",
        )
    if total <= limits.at_most_basic_max:
        basic = limits.at_most_basic_max
        add(Result.AT_MOST_BASIC, f"年度积分 {total} 分，在 {basic} 分以下（含 {basic} 分）")
    if total < limits.awards_min:
        add(Result.NOT_ELIGIBLE_FOR_AWARDS, f"年度积分 {total} 分，未达到 {limits.awards_min} 分")
    low = limits.low_below
    low_and_bottom = total < low and near_bottom
    if low_and_bottom:
        add(
            Result.TALK_AND_PAIRING, f"年度积分 {total} 分，低于 {low} 分，且{place}，属排名靠后（{wording}）"
        )
        if score.member_id in previous_bottom:
            add(
                Result.UNQUALIFIED,
                f"连续两年积分低于 {low} 分且排名靠后：上一年度已低于 {low} 分且排名靠后，本年度 {total} 分，{place}",
            )
    if score.category == Category.PROBATIONARY:
        reasons = []
        if total < limits.probation_below:
            reasons.append(f"年度积分 {total} 分，低于 {limits.probation_below} 分")
        if not clean:
            reasons.append(f"在减分项目中有扣分（{score.deduction_count} 次，共 {score.deductions} 分）")
        if reasons:
            add(Result.EXTEND_PROBATION, "预备党员" + "；".join(reasons), CLAUSE_RESULTS_PROBATIONARY)
    codes = tuple(line.code for line in lines)
    return MemberResult(score, rank, ranked, near_bottom, low_and_bottom, codes, tuple(lines))


def _activist_result(score: MemberScore, rank: int, ranked: int) -> MemberResult:
    if score.has_deduction:
        line = _line(
            Result.CANCEL_ACTIVIST,
            CLAUSE_RESULTS_ACTIVIST,
            f"入党积极分子在减分项目中有扣分（{score.deduction_count} 次，共 {score.deductions} 分）",
        )
    else:
        line = _line(
            Result.DEVELOPMENT_BASIS,
            CLAUSE_RESULTS_ACTIVIST,
            f"得分 {score.total} 分，在本支部 {ranked} 名入党积极分子中排第 {rank} 名",
        )
    return MemberResult(score, rank, ranked, False, False, (line.code,), (line,))
