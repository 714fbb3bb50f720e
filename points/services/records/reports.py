"""登记思想汇报: reports received, changed in place while open, corrected once locked."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from members.models import Member, MemberStatus

from ...models import ThoughtReport
from ...selectors.quarters import records_locked
from ..filed import require_year_open
from .common import locked_text, require_member


def _check_report(member: Member, received_on: datetime.date, today: datetime.date) -> None:
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError(f"{member.name}的组织关系已转出，不能登记。")
    if received_on > today:
        raise ValidationError({"received_on": "收到日期不能晚于今天。"})


@transaction.atomic
def thought_report_add(
    *,
    member: Member,
    received_on: datetime.date,
    summary: str = "",
    actor,
    correction_reason: str = "",
    today: datetime.date | None = None,
) -> ThoughtReport:
    """登记思想汇报: a report received from a member; in a locked quarter only with a reason (补登)."""
    today = today or timezone.localdate()
    require_member(actor, member, "思想汇报")
    require_year_open(member.branch_id, received_on.year)
    _check_report(member, received_on, today)
    correction_reason = (correction_reason or "").strip()
    # Held until commit: sending the quarter to review waits for this report.
    locked = records_locked(member.branch, received_on, hold=True)
    if locked and not correction_reason:
        raise ValidationError(f"{locked_text(received_on)}，补登思想汇报须填写更正理由。")
    report = ThoughtReport(
        member=member,
        received_on=received_on,
        summary=(summary or "").strip(),
        recorded_by=actor,
        correction_reason=correction_reason if locked else "",
    )
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def thought_report_change(
    *,
    report: ThoughtReport,
    received_on: datetime.date,
    summary: str = "",
    actor,
    correction_reason: str = "",
    today: datetime.date | None = None,
) -> ThoughtReport:
    """修改/更正思想汇报: in place while both quarters are open, otherwise a correcting row."""
    today = today or timezone.localdate()
    member = report.member
    require_member(actor, member, "思想汇报")
    old = ThoughtReport.objects.select_for_update().get(pk=report.pk)
    if not old.is_current:
        raise ValidationError("该记录已被更正，请在最新的记录上修改。")
    require_year_open(member.branch_id, old.received_on.year, received_on.year)
    _check_report(member, received_on, today)
    summary = (summary or "").strip()
    correction_reason = (correction_reason or "").strip()
    if (old.received_on, old.summary) == (received_on, summary):
        raise ValidationError("内容没有变化。")
    # After the report's lock and held until commit: sending either quarter to review waits for this change.
    locked = records_locked(member.branch, old.received_on, hold=True) or records_locked(
        member.branch, received_on, hold=True
    )
    if not locked:
        old.received_on, old.summary, old.recorded_by = received_on, summary, actor
        old.full_clean()
        old.save()
        return old
    if not correction_reason:
        raise ValidationError(f"{locked_text(old.received_on)}，修改属于更正，请填写更正理由。")
    ThoughtReport.objects.filter(pk=old.pk).update(is_current=False)
    new = ThoughtReport(
        member=member,
        received_on=received_on,
        summary=summary,
        corrects=old,
        correction_reason=correction_reason,
        recorded_by=actor,
    )
    new.full_clean()
    new.save()
    return new
