"""A member's facts for a year (or the quarters so far): what the engine scores.

The Django side fills these from records; the engine checks them while scoring, so a bad fact is refused
with the rule it breaks rather than silently scored.
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from .errors import ScoringError


@dataclass(frozen=True, slots=True)
class Attendance:
    """出勤: sessions the member was required to attend; ``attended`` includes the late or early-leaving ones,
    ``excused`` (请假) are sessions missed with leave, which do not count against the member."""

    required: int
    attended: int
    late_or_left_early: int = 0
    excused: int = 0


@dataclass(frozen=True, slots=True)
class Dues:
    """党费: months paid on time and in full, out of the months the member had to pay (12 for a full year)."""

    months_on_time: int
    months_required: int = 12


@dataclass(frozen=True, slots=True)
class Judgment:
    """支委评定 of an item: a value from 0 to the item's cap; a reason is required below the cap."""

    value: Decimal | int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Bonus:
    """加分: ``value`` for range kinds; for commendations the ``level`` gives the value and ``content_key``
    names the deed, so the same deed commended at several levels counts once, at its highest level."""

    kind: str
    value: Decimal | int | None = None
    content_key: str = ""
    level: str | None = None
    own_duty: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class Deduction:
    """减分: one occurrence, its value and the corrective measure (帮教整改方式) that goes with it."""

    kind: str
    value: Decimal | int
    measure: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class MemberFacts:
    """One member's facts; ``attendance`` and ``judgments`` are keyed by base item code."""

    member_id: Hashable
    category: str = "full"
    exempt: bool = False
    study_hours: Decimal | int | None = None
    attendance: Mapping[str, Attendance] = field(default_factory=dict, hash=False)
    dues: Dues | None = None
    thought_reports: int | None = None
    judgments: Mapping[str, Judgment] = field(default_factory=dict, hash=False)
    bonuses: tuple[Bonus, ...] = ()
    deductions: tuple[Deduction, ...] = ()


def combine_facts(parts: Iterable[MemberFacts]) -> MemberFacts:
    """The quarters' facts summed into one year-to-date set (clause 四: facts are declared quarterly).

    Counts, hours and months add up; bonuses and deductions are pooled; a later quarter's judgment of an
    item replaces an earlier one; category and exemption are the latest quarter's.
    """
    parts = list(parts)
    if not parts:
        raise ScoringError("没有可汇总的季度记录", field="parts")
    member_id = parts[0].member_id
    attendance: dict[str, list[int]] = {}
    study_hours = dues = thought_reports = None
    judgments: dict[str, Judgment] = {}
    bonuses: list[Bonus] = []
    deductions: list[Deduction] = []
    for part in parts:
        if part.member_id != member_id:
            raise ScoringError(
                f"不能把不同党员（{member_id!r} 与 {part.member_id!r}）的记录汇总在一起", field="member_id"
            )
        for code, record in part.attendance.items():
            sums = attendance.setdefault(code, [0, 0, 0, 0])
            sums[0] += record.required
            sums[1] += record.attended
            sums[2] += record.late_or_left_early
            sums[3] += record.excused
        if part.study_hours is not None:
            study_hours = (study_hours or 0) + part.study_hours
        if part.dues is not None:
            on_time, required = dues or (0, 0)
            dues = (on_time + part.dues.months_on_time, required + part.dues.months_required)
        if part.thought_reports is not None:
            thought_reports = (thought_reports or 0) + part.thought_reports
        judgments.update(part.judgments)
        bonuses.extend(part.bonuses)
        deductions.extend(part.deductions)
    last = parts[-1]
    return MemberFacts(
        member_id=member_id,
        category=last.category,
        exempt=last.exempt,
        study_hours=study_hours,
        attendance={code: Attendance(*sums) for code, sums in attendance.items()},
        dues=Dues(*dues) if dues is not None else None,
        thought_reports=thought_reports,
        judgments=judgments,
        bonuses=tuple(bonuses),
        deductions=tuple(deductions),
    )
