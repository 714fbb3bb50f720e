"""学习教育 models: arrangements, branch sessions, reschedule notices, study records, inspections."""

from .arrangements import (
    Arrangement,
    ArrangementRevision,
    ArrangementState,
    Reading,
    Requirement,
    RevisionAction,
    ScheduleRow,
)
from .inspections import Inspection, InspectionKind, Rating
from .sessions import (
    DiscussionEntry,
    NoticeState,
    NoticeTransition,
    RescheduleNotice,
    StudyAttachment,
    StudyRecord,
    StudySession,
)

__all__ = [
    "Arrangement",
    "ArrangementRevision",
    "ArrangementState",
    "DiscussionEntry",
    "Inspection",
    "InspectionKind",
    "NoticeState",
    "NoticeTransition",
    "Rating",
    "Reading",
    "RescheduleNotice",
    "Requirement",
    "RevisionAction",
    "ScheduleRow",
    "StudyAttachment",
    "StudyRecord",
    "StudySession",
]
