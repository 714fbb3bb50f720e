"""流动党员活动证明: an uploaded page of the 《流动党员活动证》, checked by content."""

from __future__ import annotations

import datetime
import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from members.models import Member, MemberStatus

from ...models import MobileEvidence
from .common import require_member

EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
EVIDENCE_MAX_PIXELS = 40_000_000  # a 40-megapixel photo is already far beyond any phone's scan
EVIDENCE_KINDS = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}
BAD_FILE = "只能上传 JPEG、PNG 图片或 PDF 文件。"


def evidence_file_clean(upload) -> tuple[ContentFile, str]:
    """Accept a JPEG, PNG or PDF judged by its content, never its name; images are re-encoded so their
    EXIF data (location, device) is not kept. Returns the content to store and its extension."""
    if upload is None:
        raise ValidationError({"file": "请选择要上传的文件。"})
    if upload.size is not None and upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError({"file": "文件不能超过 5 MB。"})
    upload.seek(0)
    data = upload.read(EVIDENCE_MAX_BYTES + 1)
    if len(data) > EVIDENCE_MAX_BYTES:
        raise ValidationError({"file": "文件不能超过 5 MB。"})
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError({"file": "PDF 文件不完整，请重新导出后上传。"})
        return ContentFile(data), "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        kind = "JPEG"
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "PNG"
    else:
        raise ValidationError({"file": BAD_FILE})
    return _reencode(data, kind)


def _reencode(data: bytes, kind: str) -> tuple[ContentFile, str]:
    from PIL import Image, ImageOps

    broken = ValidationError({"file": "图片文件已损坏或无法识别，请重新拍摄或扫描。"})
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != kind:
                raise broken
            width, height = image.size
            if width * height > EVIDENCE_MAX_PIXELS:
                raise ValidationError({"file": "图片尺寸过大，请压缩后上传。"})
            image.load()
            # Phones store rotation in EXIF; apply it before EXIF is dropped so the page stays upright.
            upright = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if kind == "JPEG":
                upright.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
                ext = "jpg"
            else:
                if upright.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
                    upright = upright.convert("RGBA")
                upright.save(out, "PNG", optimize=True)
                ext = "png"
    except ValidationError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise broken from None
    return ContentFile(out.getvalue()), ext


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
