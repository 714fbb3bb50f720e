"""支委初评 (clause 四.3): reviewing declarations, entering deductions, bonuses and judgments."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from members.models import Member

from ...locks import LEDGER, TRANSITIONS, take_locks
from ...models import (
    Declaration,
    DeclarationState,
    EntryType,
    PointEntry,
    Quarter,
    QuarterState,
)
from ...selectors.facts import scheme_for
from ._steps import _move, _require, _year_open, check_item

# --- committee preliminary review (clause 四.3) -----------------------------------------------


def _in_review(quarter: Quarter, actor) -> None:
    _require(actor, "points.review", quarter.branch, "只有本支部支委会成员可以进行初评。")
    _year_open(quarter)
    if quarter.state != QuarterState.IN_REVIEW:
        raise ValidationError(f"{quarter.label}当前为“{quarter.get_state_display()}”，不在支委初评阶段。")


@transaction.atomic
def declaration_review(
    *, declaration: Declaration, actor, approve: bool, reason: str = "", value=None, measure: str = ""
) -> Declaration:
    """Approve (optionally at another value within the allowed range) or reject with a reason."""
    # Stays long: one workflow step, one service (STYLE §3): checks, lock, transition row in order.
    take_locks(LEDGER, TRANSITIONS)
    quarter = declaration.quarter
    _in_review(quarter, actor)
    reason = reason.strip()
    if not approve:
        if not reason:
            raise ValidationError("不予认定须写明理由。")
        return _move(
            Declaration,
            declaration,
            from_states=DeclarationState.SUBMITTED,
            to_state=DeclarationState.REJECTED,
            actor=actor,
            reason=reason,
            subject_type="declaration",
            review_reason=reason,
            reviewed_by=actor,
        )
    final = declaration.value if value is None else Decimal(value)
    if value is not None and Decimal(value) != declaration.value and not reason:
        raise ValidationError("调整申报分值须写明理由。")
    scheme = scheme_for(quarter.branch, quarter.year)
    if declaration.entry_type == EntryType.DEDUCTION and not measure:
        raise ValidationError("认定减分事项须选择帮教整改方式。")
    final = check_item(
        scheme,
        entry_type=declaration.entry_type,
        kind=declaration.kind,
        value=final,
        level=declaration.level,
        content_key=declaration.content_key,
        own_duty=declaration.own_duty,
        measure=measure,
    )
    _move(
        Declaration,
        declaration,
        from_states=DeclarationState.SUBMITTED,
        to_state=DeclarationState.APPROVED,
        actor=actor,
        reason=reason or "认定",
        subject_type="declaration",
        review_reason=reason,
        reviewed_by=actor,
    )
    PointEntry.objects.create(
        quarter=quarter,
        member=declaration.subject,
        entry_type=declaration.entry_type,
        kind=declaration.kind,
        value=final,
        level=declaration.level,
        content_key=declaration.content_key,
        own_duty=declaration.own_duty,
        measure=measure,
        occurred_on=declaration.occurred_on,
        reason=f"{declaration.description}" + (f"（初评意见：{reason}）" if reason else ""),
        declaration=declaration,
        created_by=actor,
    )
    return declaration


@transaction.atomic
def entry_add(
    *,
    quarter: Quarter,
    member: Member,
    actor,
    entry_type: str,
    kind: str,
    value,
    reason: str,
    measure: str = "",
    level: str = "",
    content_key: str = "",
    own_duty: bool = False,
    occurred_on: datetime.date | None = None,
) -> PointEntry:
    """支委会 enters a deduction, a bonus or a judgment of a base item directly at review."""
    # Stays long: one workflow step, one service (STYLE §3): checks, lock, transition row in order.
    take_locks(LEDGER)
    _in_review(quarter, actor)
    if member.branch_id != quarter.branch_id:
        raise ValidationError("只能评定本支部党员。")
    if not reason.strip():
        raise ValidationError("请写明事由与依据。")
    value = check_item(
        scheme_for(quarter.branch, quarter.year),
        entry_type=entry_type,
        kind=kind,
        value=value,
        level=level,
        content_key=content_key,
        own_duty=own_duty,
        measure=measure,
        reason=reason,
    )
    if entry_type == EntryType.JUDGMENT:
        # A new judgment of the same item in the same quarter replaces the earlier one.
        previous = PointEntry.objects.filter(
            quarter=quarter, member=member, entry_type=EntryType.JUDGMENT, kind=kind, is_current=True
        ).first()
        if previous and previous.value == Decimal(value) and previous.reason.strip() == reason.strip():
            # A double click, or a second phone: the same judgment again changes nothing.
            raise ValidationError(_judged(member, kind, previous.value))
        if previous:
            return _correct(previous, value=Decimal(value), reason=reason, actor=actor)
    try:
        with transaction.atomic():
            return PointEntry.objects.create(
                quarter=quarter,
                member=member,
                entry_type=entry_type,
                kind=kind,
                value=Decimal(value),
                measure=measure,
                level=level,
                content_key=content_key,
                own_duty=own_duty,
                occurred_on=occurred_on,
                reason=reason,
                created_by=actor,
            )
    except IntegrityError:  # judged meanwhile by another request (entry_one_current_judgment)
        current = PointEntry.objects.filter(
            quarter=quarter, member=member, entry_type=EntryType.JUDGMENT, kind=kind, is_current=True
        ).first()
        raise ValidationError(_judged(member, kind, current.value if current else Decimal(value))) from None


def _judged(member: Member, kind: str, value: Decimal) -> str:
    return (
        f"{member.name}本季度的“{kind}”已评定为 {value.normalize():f} 分（可能已被他人录入），请刷新后查看。"
    )


def _correct(entry: PointEntry, *, value: Decimal, reason: str, actor) -> PointEntry:
    """The ledger never changes a row: the old entry stops counting and a new one points at it."""
    if PointEntry.objects.filter(pk=entry.pk, is_current=True).update(is_current=False) != 1:
        raise ValidationError("该积分条目已被更正，请刷新后重试。")
    return PointEntry.objects.create(
        quarter=entry.quarter,
        member=entry.member,
        entry_type=entry.entry_type,
        kind=entry.kind,
        value=value,
        level=entry.level,
        content_key=entry.content_key,
        own_duty=entry.own_duty,
        measure=entry.measure,
        occurred_on=entry.occurred_on,
        reason=reason,
        declaration=entry.declaration,
        corrects=entry,
        created_by=actor,
    )


@transaction.atomic
def entry_correct(*, entry: PointEntry, actor, value, reason: str) -> PointEntry:
    """Correct an entry during review (the committee changes its mind) with a reason."""
    take_locks(LEDGER)
    _in_review(entry.quarter, actor)
    if not reason.strip():
        raise ValidationError("更正须写明理由。")
    scheme = scheme_for(entry.quarter.branch, entry.quarter.year)
    check_item(
        scheme,
        entry_type=entry.entry_type,
        kind=entry.kind,
        value=value,
        level=entry.level,
        content_key=entry.content_key,
        own_duty=entry.own_duty,
        measure=entry.measure,
        reason=reason,
    )
    return _correct(entry, value=Decimal(value), reason=reason, actor=actor)
