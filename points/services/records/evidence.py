"""流动党员活动证明: an uploaded page of the 《流动党员活动证》, checked by content."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from config.uploads import MAX_UPLOAD_BYTES, check_upload
from members.models import Member, MemberStatus

from ...models import MobileEvidence
from ..filed import require_year_open
from .common import require_member

EVIDENCE_MAX_BYTES = MAX_UPLOAD_BYTES
EVIDENCE_KINDS = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}


def evidence_file_clean(upload) -> tuple[ContentFile, str]:
    """The app's one upload check (config.uploads): JPEG, PNG or PDF by content, images re-encoded so
    their EXIF (location, device) is not kept. Returns the content to store and its extension."""
    try:
        checked = check_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    return checked.content, checked.content.name.rsplit(".", 1)[-1]


@transaction.atomic
def mobile_evidence_add(
    *,
    member: Member,
    activity_on: datetime.date,
    description: str,
    upload,
    actor,
    today: datetime.date | None = None,
) -> MobileEvidence:
    """登记流动党员活动证明: a photo or scan of a page of the 《流动党员活动证》."""
    today = today or timezone.localdate()
    require_member(actor, member, "活动证明")
    require_year_open(member.branch_id, activity_on.year)
    if not member.is_mobile:
        raise ValidationError({"member": f"{member.name}不是流动党员。"})
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError({"member": f"{member.name}的组织关系已转出，不能登记。"})
    if activity_on > today:
        raise ValidationError({"activity_on": "活动日期不能晚于今天。"})
    evidence = MobileEvidence(
        member=member, activity_on=activity_on, description=(description or "").strip(), recorded_by=actor
    )
    evidence.full_clean(exclude=["file"])
    content, ext = evidence_file_clean(upload)
    evidence.file.save(f"{uuid.uuid4().hex}.{ext}", content, save=False)
    try:
        evidence.save()
    except Exception:
        evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence
