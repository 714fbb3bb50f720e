"""定期检查 by the general branch, 不定期督查 by the school, and the branch's answer (学习要求 2)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from branches.models import Organization

from ..models import Inspection, InspectionKind
from ._common import require

PERMS = {
    InspectionKind.PERIODIC: ("study.check_branch", "定期检查由党总支（直属党支部）负责。"),
    InspectionKind.SPOT: ("study.spot_inspect_branch", "不定期督查由党委组织部负责。"),
}


@transaction.atomic
def inspection_record(
    *,
    branch: Organization,
    kind: str,
    inspected_on: datetime.date,
    inspector_name: str,
    rating: str,
    actor,
    remarks: str = "",
    fix_required: str = "",
    fix_due: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Inspection:
    today = today or timezone.localdate()
    if kind not in PERMS:
        raise ValidationError("请选择检查类型。")
    perm, message = PERMS[InspectionKind(kind)]
    require(actor, perm, branch, message)
    if inspected_on > today:
        raise ValidationError("检查日期不能晚于今天。")
    if fix_due is not None and fix_due < inspected_on:
        raise ValidationError("整改期限不能早于检查日期。")
    inspection = Inspection(
        branch=branch,
        kind=kind,
        inspected_on=inspected_on,
        inspector_name=(inspector_name or "").strip(),
        rating=rating,
        remarks=(remarks or "").strip(),
        fix_required=(fix_required or "").strip(),
        fix_due=fix_due,
        recorded_by=actor,
    )
    inspection.full_clean()
    inspection.save()
    return inspection


@transaction.atomic
def inspection_answer(
    *, inspection: Inspection, response: str, actor, now: datetime.datetime | None = None
) -> Inspection:
    """The branch says what it fixed. Answered once; compare-and-set so a second answer is refused."""
    require(actor, "study.answer_inspection", inspection, "只有本支部书记或副书记可以反馈整改情况。")
    response = (response or "").strip()
    if not response:
        raise ValidationError("请填写整改情况。")
    if len(response) > 2000:
        raise ValidationError("整改情况不能超过 2000 字。")
    updated = Inspection.objects.filter(pk=inspection.pk, responded_at__isnull=True).update(
        response=response, responded_by=actor, responded_at=now or timezone.now()
    )
    if updated != 1:
        raise ValidationError("已反馈过整改情况，不能重复提交。")
    inspection.refresh_from_db()
    return inspection
