"""Reads for a session's page and a member's study page."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from points.models import Attendance, Session, SessionKind

from ..models import NoticeState, RescheduleNotice, StudyAttachment, StudySession
from .hours import MISSED


def session_attendance(study_session: StudySession) -> QuerySet[Attendance]:
    return (
        Attendance.objects.filter(session_id=study_session.session_id, is_current=True)
        .select_related("member")
        .order_by("member__code")
    )


def absentees(study_session: StudySession) -> QuerySet[Attendance]:
    """缺席人员及原因, from the attendance the recorder took."""
    return session_attendance(study_session).filter(status__in=MISSED)


def session_notices(study_session: StudySession) -> QuerySet[RescheduleNotice]:
    return study_session.notices.select_related("submitted_by", "forwarded_by", "decided_by").order_by(
        "-submitted_at", "-id"
    )


def session_attachments(study_session: StudySession) -> QuerySet[StudyAttachment]:
    return study_session.attachments.order_by("uploaded_at", "id")


def upcoming_sessions(member, *, now: datetime.datetime | None = None) -> QuerySet[Session]:
    """Study sessions the member is expected at from now on: their branch's, or their group's."""
    now = now or timezone.now()
    return (
        Session.objects.filter(
            branch_id=member.branch_id, kind=SessionKind.STUDY, is_cancelled=False, ends_at__gte=now
        )
        .filter(Q(group__isnull=True) | Q(group_id=member.group_id))
        .select_related("study__arrangement")
        .order_by("starts_at")
    )


def open_notice_count(qs: QuerySet[RescheduleNotice]) -> int:
    return qs.filter(state__in=[NoticeState.SUBMITTED, NoticeState.FORWARDED]).count()
