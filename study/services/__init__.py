"""Writes for study, one service per step (keyword-only, atomic, full_clean before save)."""

from .arrangements import arrangement_create, arrangement_publish, arrangement_update, match_organizers
from .inspections import inspection_answer, inspection_record
from .records import attachment_add, study_record_save
from .sessions import (
    FORMATS,
    check_notice_deadline,
    notice_deadline,
    reschedule_accept,
    reschedule_forward,
    reschedule_return,
    reschedule_submit,
    study_session_plan,
)

__all__ = [
    "FORMATS",
    "arrangement_create",
    "arrangement_publish",
    "arrangement_update",
    "attachment_add",
    "check_notice_deadline",
    "inspection_answer",
    "inspection_record",
    "match_organizers",
    "notice_deadline",
    "reschedule_accept",
    "reschedule_forward",
    "reschedule_return",
    "reschedule_submit",
    "study_record_save",
    "study_session_plan",
]
