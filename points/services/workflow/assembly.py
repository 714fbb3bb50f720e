"""党员大会评定 (clause 四.4): the quorate assembly that determines a quarter."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import Category, Member, MemberStatus

from ...locks import TRANSITIONS, take_locks
from ...models import (
    Assembly,
    Declaration,
    DeclarationState,
    Objection,
    ObjectionState,
    Quarter,
    QuarterState,
)
from ...selectors.facts import provisional_scores as provisional_scores_of
from ._steps import _move, _require, _year_open

# --- assembly (clause 四.4) ---------------------------------------------------------------------


def voting_members(branch) -> list[Member]:
    """有表决权的党员: the branch's active full members."""
    return list(Member.objects.filter(branch=branch, status=MemberStatus.ACTIVE, category=Category.FULL))


def provisional_scores(quarter: Quarter) -> list[dict]:
    """Year-to-date scores up to this quarter, as shown to the committee and the assembly."""
    board = provisional_scores_of(quarter.branch, quarter.year, quarter.number)
    rows = []
    for m in board.members:
        score = board.scores[m.pk]
        rows.append(
            {
                "member_id": m.pk,
                "code": m.code,
                "name": m.name,
                "exempt": score.exempt,
                "total": None if score.total is None else str(score.total),
            }
        )
    return rows


def _not_in_review(quarter: Quarter) -> str:
    return f"{quarter.label}当前为“{quarter.get_state_display()}”，不能召开评定大会。"


@transaction.atomic
def assembly_record(
    *, quarter: Quarter, actor, held_on: datetime.date, present: list[Member], decision: str
) -> Assembly:
    """党员大会评定: quorate only when more than half of the voting members attend."""
    take_locks(TRANSITIONS)
    _require(actor, "points.manage_quarter", quarter.branch, "只有支部书记或副书记可以记录党员大会评定。")
    _year_open(quarter)
    quarter.refresh_from_db(fields=["state"])  # as the request before this one (under the lock) left it
    if quarter.state != QuarterState.IN_REVIEW:
        raise ValidationError(_not_in_review(quarter))
    voters = {m.pk for m in voting_members(quarter.branch)}
    present_ids = {m.pk for m in present}
    if not present_ids <= voters:
        raise ValidationError("到会人员中只能选择本支部有表决权的正式党员。")
    if len(present_ids) * 2 <= len(voters):
        raise ValidationError(
            f"有表决权的党员 {len(voters)} 人，到会 {len(present_ids)} 人，未超过半数，不能进行评定。"
        )
    if not decision.strip():
        raise ValidationError("请填写评定结论。")
    if held_on > timezone.localdate():
        raise ValidationError("召开日期不能晚于今天。")
    pending = Declaration.objects.filter(quarter=quarter, state=DeclarationState.SUBMITTED).count()
    if pending:
        raise ValidationError(f"还有 {pending} 项申报未初评，请支委会先完成初评。")
    try:
        with transaction.atomic():
            assembly = Assembly.objects.create(
                quarter=quarter,
                held_on=held_on,
                voting_total=len(voters),
                decision=decision,
                shown_results=provisional_scores(quarter),
                recorded_by=actor,
            )
    except IntegrityError:  # recorded meanwhile by another request (one assembly per quarter)
        quarter.refresh_from_db(fields=["state"])
        raise ValidationError(_not_in_review(quarter)) from None
    assembly.present.set(present_ids)
    # Clause 四.5: objections handled since the last assembly are reported to this one.
    Objection.objects.filter(quarter__branch=quarter.branch, announced_at__isnull=True).exclude(
        state=ObjectionState.SUBMITTED
    ).update(announced_at=assembly)
    _move(
        Quarter,
        quarter,
        from_states=QuarterState.IN_REVIEW,
        to_state=QuarterState.DETERMINED,
        actor=actor,
        reason=f"党员大会评定（到会 {len(present_ids)}/{len(voters)} 人）",
        subject_type="quarter",
    )
    return assembly
