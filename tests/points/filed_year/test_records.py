"""A filed year's records (attendance, dues, reports, evidence, sessions) cannot be changed."""

import datetime

from points.models import (
    Attendance,
    AttendanceStatus,
    DuesStatus,
    SessionKind,
)
from points.services import records
from points.services.records import signin_slot, signin_token
from tests.factories import record_session

from .helpers import TZ, YEAR, png, refused


def test_attendance_of_a_filed_year_cannot_be_corrected(cast, year):
    entries = {cast.member.member.pk: (AttendanceStatus.ABSENT, "")}
    refused(
        lambda: records.attendance_record(
            session=year["session"], entries=entries, actor=cast.recorder.user, correction_reason="记错了"
        )
    )


def test_a_qr_sign_in_to_a_filed_year_is_refused(cast, year):
    session = year["session"]
    Attendance.objects.filter(session=session).delete()
    at = session.starts_at
    token = signin_token(session, signin_slot(at))
    refused(lambda: records.attendance_sign_in(session=session, user=cast.member.user, token=token, now=at))


def test_dues_of_a_filed_year_cannot_be_changed(cast, year):
    refused(
        lambda: records.dues_record(
            branch=cast.b1,
            year=YEAR,
            entries={(cast.member.member.pk, 3): DuesStatus.UNPAID},
            actor=cast.recorder.user,
            correction_reason="核对有误",
        )
    )


def test_a_thought_report_cannot_be_added_to_or_moved_out_of_a_filed_year(cast, year):
    refused(
        lambda: records.thought_report_add(
            member=cast.member.member,
            received_on=datetime.date(YEAR, 6, 1),
            actor=cast.recorder.user,
            correction_reason="补登",
        )
    )
    refused(
        lambda: records.thought_report_change(
            report=year["report"],
            received_on=datetime.date(2026, 1, 5),
            actor=cast.recorder.user,
            correction_reason="日期记错",
        )
    )


def test_mobile_evidence_dated_in_a_filed_year_is_refused(cast, year):
    cast.member.member.is_mobile = True
    cast.member.member.save(update_fields=["is_mobile"])
    refused(
        lambda: records.mobile_evidence_add(
            member=cast.member.member,
            activity_on=datetime.date(YEAR, 9, 1),
            description="外地支部活动",
            upload=png(),
            actor=cast.recorder.user,
        )
    )


def test_sessions_of_a_filed_year_cannot_be_added_changed_or_cancelled(cast, year):
    start = datetime.datetime(YEAR, 12, 20, 9, tzinfo=TZ)
    refused(
        lambda: records.session_create(
            branch=cast.b1,
            kind=SessionKind.ACTIVITY_DAY,
            title="补开主题党日",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            actor=cast.recorder.user,
        )
    )
    refused(lambda: records.session_update(session=year["session"], actor=cast.recorder.user, title="改名"))
    refused(lambda: records.session_cancel(session=year["session"], actor=cast.recorder.user))


def test_a_session_cannot_be_moved_into_a_filed_year(cast, year):
    start = datetime.datetime(2026, 3, 10, 9, tzinfo=TZ)
    session = record_session(cast.b1, start, title="3月主题党日", created_by=cast.recorder.user)
    back = datetime.datetime(YEAR, 12, 10, 9, tzinfo=TZ)
    refused(
        lambda: records.session_update(
            session=session,
            actor=cast.recorder.user,
            starts_at=back,
            ends_at=back + datetime.timedelta(hours=2),
        )
    )
