"""公示 (clause 四.5): publication, objections to the branch and appeals to the higher organization."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from branches.access import actor_for

from ...locks import LEDGER, TRANSITIONS, take_locks
from ...models import (
    Objection,
    ObjectionChannel,
    ObjectionState,
    PointEntry,
    Quarter,
    QuarterState,
)
from ...selectors.facts import scheme_for
from ...workdays import add_working_days
from ._steps import _deny, _log, _move, _require, _year_open, check_item
from .review import _correct

# --- publicity, objections, appeals (clause 四.5) --------------------------------------------------


@transaction.atomic
def quarter_publish(*, quarter: Quarter, actor, start: datetime.date | None = None) -> Quarter:
    take_locks(TRANSITIONS)
    _require(actor, "points.manage_quarter", quarter.branch, "只有支部书记或副书记可以发布公示。")
    _year_open(quarter)
    start = start or timezone.localdate()
    end = add_working_days(start, settings.PUBLICITY_WORKING_DAYS)
    return _move(
        Quarter,
        quarter,
        from_states=QuarterState.DETERMINED,
        to_state=QuarterState.PUBLISHED,
        actor=actor,
        reason=f"公示至 {end:%Y-%m-%d}",
        subject_type="quarter",
        publicity_start=start,
        publicity_end=end,
    )


@transaction.atomic
def quarter_close(*, quarter: Quarter, actor, today: datetime.date | None = None) -> Quarter:
    take_locks(TRANSITIONS)
    _require(actor, "points.manage_quarter", quarter.branch, "只有支部书记或副书记可以结束公示。")
    _year_open(quarter)
    today = today or timezone.localdate()
    if quarter.state == QuarterState.PUBLISHED and today <= quarter.publicity_end:
        raise ValidationError(f"公示期至 {quarter.publicity_end:%Y-%m-%d} 结束，期满后才能结束公示。")
    open_objections = quarter.objections.filter(state=ObjectionState.SUBMITTED).count()
    if open_objections:
        raise ValidationError(f"还有 {open_objections} 件异议未处理完毕。")
    closed = _move(
        Quarter,
        quarter,
        from_states=QuarterState.PUBLISHED,
        to_state=QuarterState.CLOSED,
        actor=actor,
        reason="公示期满",
        subject_type="quarter",
    )
    return closed


@transaction.atomic
def objection_submit(
    *, quarter: Quarter, actor, channel: str, text: str, today: datetime.date | None = None
) -> Objection:
    """A member objects to their own published result, to the branch or (申诉) to the higher organization."""
    take_locks(TRANSITIONS)
    me = actor_for(actor)
    today = today or timezone.localdate()
    if me.member_id is None or me.branch_id != quarter.branch_id:
        _deny("只能对本人所在支部公示的积分提出异议。")
    _year_open(quarter)
    if quarter.state != QuarterState.PUBLISHED or today > quarter.publicity_end:
        raise ValidationError("只能在公示期内提出异议。")
    if channel not in ObjectionChannel.values:
        raise ValidationError("请选择提出异议的途径。")
    if not text.strip():
        raise ValidationError("请写明异议的内容和理由。")
    objection = Objection(quarter=quarter, member_id=me.member_id, channel=channel, text=text)
    objection.full_clean()
    objection.save()
    _log("objection", objection.pk, "", ObjectionState.SUBMITTED, actor, ObjectionChannel(channel).label)
    return objection


def can_handle_objection(user, objection: Objection) -> bool:
    """Objections go to the branch (secretary/deputy); appeals to the higher organization."""
    perm = "points.manage_quarter" if objection.channel == ObjectionChannel.BRANCH else "points.oversee"
    return user.has_perm(perm, objection.quarter.branch)


@transaction.atomic
def objection_handle(
    *,
    objection: Objection,
    actor,
    upheld: bool,
    findings: str,
    feedback: str,
    correct_entry: PointEntry | None = None,
    new_value=None,
    add_entry: dict | None = None,
) -> Objection:
    """Investigate, record the findings and the feedback; an upheld objection comes with its correction."""
    # Stays long: one workflow step, one service (STYLE §3): checks, lock, transition row in order.
    take_locks(LEDGER, TRANSITIONS)
    if not can_handle_objection(actor, objection):
        _deny("您无权处理该异议。")
    _year_open(objection.quarter)
    if not findings.strip() or not feedback.strip():
        raise ValidationError("请填写核实情况和向党员的反馈。")
    correction = None
    if upheld:
        scheme = scheme_for(objection.quarter.branch, objection.quarter.year)
        if correct_entry is not None:
            if (
                correct_entry.member_id != objection.member_id
                or correct_entry.quarter_id != objection.quarter_id
            ):
                raise ValidationError("只能更正该党员本季度的积分条目。")
            check_item(
                scheme,
                entry_type=correct_entry.entry_type,
                kind=correct_entry.kind,
                value=new_value,
                level=correct_entry.level,
                content_key=correct_entry.content_key,
                own_duty=correct_entry.own_duty,
                measure=correct_entry.measure,
                reason=findings,
            )
            correction = _correct(
                correct_entry, value=Decimal(new_value), reason=f"异议核实更正：{findings}", actor=actor
            )
        elif add_entry:
            check_item(scheme, reason=findings, **add_entry)
            correction = PointEntry.objects.create(
                quarter=objection.quarter,
                member=objection.member,
                reason=f"异议核实补记：{findings}",
                created_by=actor,
                **{**add_entry, "value": Decimal(add_entry["value"])},
            )
        else:
            raise ValidationError("异议成立时须同时更正或补记积分。")
    to_state = ObjectionState.UPHELD if upheld else ObjectionState.DISMISSED
    _move(
        Objection,
        objection,
        from_states=ObjectionState.SUBMITTED,
        to_state=to_state,
        actor=actor,
        reason=findings,
        subject_type="objection",
        findings=findings,
        feedback=feedback,
        handled_by=actor,
        handled_at=timezone.now(),
        correction=correction,
    )
    return objection
