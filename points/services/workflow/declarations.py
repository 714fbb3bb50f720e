"""党员申报 (clause 四.2): declarations and reports of other members' items."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from branches.access import actor_for
from members.models import Member, MemberStatus

from ...locks import TRANSITIONS, take_locks
from ...models import (
    Declaration,
    DeclarationState,
    EntryType,
    Quarter,
    QuarterState,
)
from ...selectors.facts import scheme_for
from ._steps import _deny, _log, _move, _year_open, check_item

# --- declarations (clause 四.2) -----------------------------------------------------------------


def _declaration_fields(quarter, subject, entry_type, kind, value, level, own_duty, content_key):
    if subject.branch_id != quarter.branch_id or subject.status != MemberStatus.ACTIVE:
        raise ValidationError("只能申报或报告本支部在册党员的积分事项。")
    if entry_type not in (EntryType.BONUS, EntryType.DEDUCTION):
        raise ValidationError("申报只能是加分或减分事项。")
    if entry_type == EntryType.DEDUCTION and value is None:
        value = Decimal(5)  # a report of a deduction item names the facts; the committee sets the value
    scheme = scheme_for(quarter.branch, quarter.year)
    measure = scheme.measures[0].code if entry_type == EntryType.DEDUCTION else ""
    return check_item(
        scheme,
        entry_type=entry_type,
        kind=kind,
        value=value,
        level=level,
        own_duty=own_duty,
        measure=measure,
        content_key=content_key,
    )


def _check_declaration(quarter, *, today, occurred_on) -> None:
    """The declaration window and the date: the same for a new declaration and an edited draft."""
    _year_open(quarter)
    if quarter.state != QuarterState.OPEN:
        raise ValidationError(f"{quarter.label}已{quarter.get_state_display()}，申报已截止。")
    if quarter.declaration_closes and today > quarter.declaration_closes:
        raise ValidationError(f"{quarter.label}的申报已于 {quarter.declaration_closes:%Y-%m-%d} 截止。")
    if occurred_on.year != quarter.year or (occurred_on.month - 1) // 3 + 1 != quarter.number:
        raise ValidationError(f"事项发生日期须在{quarter.label}内。")
    if occurred_on > today:
        raise ValidationError("事项发生日期不能晚于今天。")


@transaction.atomic
def declaration_create(
    *,
    quarter: Quarter,
    actor,
    subject: Member,
    entry_type: str,
    kind: str,
    occurred_on: datetime.date,
    description: str,
    value=None,
    level: str = "",
    content_key: str = "",
    own_duty: bool = False,
    evidence=None,
    today=None,
) -> Declaration:
    """党员申报: a member declares an item for themselves or reports one of another member."""
    take_locks(TRANSITIONS)
    me = actor_for(actor)
    if me.member_id is None or me.branch_id != quarter.branch_id:
        _deny("只有本支部党员可以申报积分事项。")
    _check_declaration(quarter, today=today or timezone.localdate(), occurred_on=occurred_on)
    value = _declaration_fields(quarter, subject, entry_type, kind, value, level, own_duty, content_key)
    declaration = Declaration(
        quarter=quarter,
        declarant_id=me.member_id,
        subject=subject,
        entry_type=entry_type,
        kind=kind,
        value=value,
        level=level,
        content_key=content_key,
        own_duty=own_duty,
        occurred_on=occurred_on,
        description=description,
        evidence=evidence or "",
    )
    declaration.full_clean()
    declaration.save()
    _log("declaration", declaration.pk, "", DeclarationState.DRAFT, actor, "填写申报")
    return declaration


@transaction.atomic
def declaration_update(
    *,
    declaration: Declaration,
    actor,
    subject: Member,
    entry_type: str,
    kind: str,
    occurred_on: datetime.date,
    description: str,
    value=None,
    level: str = "",
    content_key: str = "",
    own_duty: bool = False,
    evidence=None,
    today=None,
) -> Declaration:
    """提交前可修改: the author edits a draft, checked as a new declaration is. `evidence` None keeps the
    file, False removes it, a file replaces it."""
    take_locks(TRANSITIONS)
    if actor_for(actor).member_id != declaration.declarant_id:
        _deny("只能修改本人填写的申报。")
    current = Declaration.objects.select_for_update().select_related("quarter__branch").get(pk=declaration.pk)
    if current.state != DeclarationState.DRAFT:
        raise ValidationError(
            f"这条申报{current.get_state_display()}，只有尚未提交的草稿可以修改；如需更正请联系支委会。"
        )
    quarter = current.quarter
    _check_declaration(quarter, today=today or timezone.localdate(), occurred_on=occurred_on)
    current.value = _declaration_fields(
        quarter, subject, entry_type, kind, value, level, own_duty, content_key
    )
    current.subject = subject
    current.entry_type, current.kind = entry_type, kind
    current.level, current.content_key, current.own_duty = level, content_key, own_duty
    current.occurred_on, current.description = occurred_on, description
    if evidence is False:
        current.evidence = ""
    elif evidence:
        current.evidence = evidence
    current.full_clean()
    current.save()
    _log("declaration", current.pk, DeclarationState.DRAFT, DeclarationState.DRAFT, actor, "修改申报")
    return current


@transaction.atomic
def declaration_submit(*, declaration: Declaration, actor) -> Declaration:
    take_locks(TRANSITIONS)
    if actor_for(actor).member_id != declaration.declarant_id:
        _deny("只能提交本人填写的申报。")
    _year_open(declaration.quarter)
    if declaration.quarter.state != QuarterState.OPEN:
        raise ValidationError("申报已截止。")
    return _move(
        Declaration,
        declaration,
        from_states=DeclarationState.DRAFT,
        to_state=DeclarationState.SUBMITTED,
        actor=actor,
        reason="提交申报",
        subject_type="declaration",
    )


@transaction.atomic
def declaration_withdraw(*, declaration: Declaration, actor) -> None:
    """A draft is the member's own until submitted: the author may withdraw it (已撤回, not the
    committee's 未认定); it is kept, with its log, but never reviewed."""
    take_locks(TRANSITIONS)
    if actor_for(actor).member_id != declaration.declarant_id:
        _deny("只能撤回本人填写的申报。")
    _year_open(declaration.quarter)
    _move(
        Declaration,
        declaration,
        from_states=DeclarationState.DRAFT,
        to_state=DeclarationState.WITHDRAWN,
        actor=actor,
        reason="本人撤回",
        subject_type="declaration",
    )
