"""学习教育记录 (学习要求 2): what a session studied and discussed, and its photos and attachments."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from config.uploads import check_upload
from members.models import Member

from ..models import DiscussionEntry, Reading, StudyAttachment, StudyRecord, StudySession
from ._common import require

MAX_ATTACHMENTS = 20


@transaction.atomic
def study_record_save(
    *,
    study_session: StudySession,
    content: str,
    note_taker: str,
    actor,
    minutes: str = "",
    readings=(),
    discussion: list[dict] = (),
) -> StudyRecord:
    """Write (or rewrite) a session's record. `discussion` rows: {"speaker": Member|None,
    "speaker_name": str, "points": str}; the rows replace the previous ones."""
    require(actor, "study.write_record", study_session, "只有本支部书记或副书记可以填写学习教育记录。")
    branch_id = study_session.session.branch_id
    readings = list(readings)
    if any(r.arrangement_id != study_session.arrangement_id for r in readings):
        raise ValidationError("所选篇目不属于本期学习安排。")
    entries = []
    for i, row in enumerate(discussion, start=1):
        speaker: Member | None = row.get("speaker")
        name = (row.get("speaker_name") or (speaker.name if speaker else "")).strip()
        points = (row.get("points") or "").strip()
        if speaker is not None and speaker.branch_id != branch_id:
            raise ValidationError(f"讨论发言第{i}行：{speaker.name}不是本支部党员。")
        if not name or not points:
            raise ValidationError(f"讨论发言第{i}行：请填写发言人和发言要点。")
        entries.append(DiscussionEntry(position=i, speaker=speaker, speaker_name=name[:50], points=points))

    record = StudyRecord.objects.select_for_update().filter(study_session=study_session).first()
    record = record or StudyRecord(study_session=study_session)
    record.content = (content or "").strip()
    record.minutes = (minutes or "").strip()
    record.note_taker = (note_taker or "").strip()
    record.updated_by = actor
    record.full_clean()
    record.save()
    record.readings.set(readings)
    record.discussion.all().delete()
    for entry in entries:
        entry.record = record
        entry.full_clean()
    DiscussionEntry.objects.bulk_create(entries)
    return record


@transaction.atomic
def attachment_add(*, study_session: StudySession, uploaded, actor, caption: str = "") -> StudyAttachment:
    """Add a photo or document to a session. The file is checked and re-encoded before anything is
    stored; a refusal leaves neither a row nor a file behind."""
    require(actor, "study.write_record", study_session, "只有本支部书记或副书记可以上传活动材料。")
    checked = check_upload(uploaded)
    if StudyAttachment.objects.filter(study_session=study_session).count() >= MAX_ATTACHMENTS:
        raise ValidationError(f"每次活动最多上传 {MAX_ATTACHMENTS} 个附件。")
    attachment = StudyAttachment(
        study_session=study_session,
        content_type=checked.content_type,
        original_name=checked.original_name,
        size=checked.size,
        caption=(caption or "").strip()[:100],
        uploaded_by=actor,
    )
    attachment.file.save(checked.content.name, checked.content, save=False)
    try:
        attachment.full_clean()
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def readings_of(study_session: StudySession):
    return Reading.objects.filter(arrangement_id=study_session.arrangement_id).order_by("number")
