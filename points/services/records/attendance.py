"""登记出勤: the whole attendance sheet in one request and one transaction."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ...models import Attendance, AttendanceStatus, Session
from ...selectors.quarters import records_locked
from ...selectors.records import expected_list, local_day
from ..filed import require_year_open
from .common import OWN_ROW, SaveResult, locked_text, member_names, require

UPDATE_GROUPS = 6  # UPDATE statements at most; more distinct (status, reason) pairs: one bulk_update


def _check_recordable(session: Session, now: datetime.datetime) -> None:
    if session.is_cancelled:
        raise ValidationError("该活动已取消，不能登记出勤。")
    start_day = local_day(session.starts_at)
    if local_day(now) < start_day:
        raise ValidationError(f"活动尚未开始，{start_day:%Y年%m月%d日}起才能登记出勤。")


@transaction.atomic
def attendance_record(
    *,
    session: Session,
    entries: Mapping[int, tuple[str, str]],
    actor,
    correction_reason: str = "",
    now: datetime.datetime | None = None,
) -> SaveResult:
    """登记出勤: save the whole sheet at once — `entries` maps member id → (status, reason).

    One bad row refuses the whole request and nothing is saved. Queries do not grow with the number
    of members: the rows are read once and written with at most UPDATE_GROUPS updates and one insert.
    """
    # Stays long: checks, locked read and writes run in this order in one transaction.
    now = now or timezone.now()
    require(actor, "points.record", session.branch, "只有积分记录员或支部书记、副书记可以登记出勤。")
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("branch", "group").get(pk=session.pk)
    )
    day = local_day(session.starts_at)
    require_year_open(session.branch_id, day.year)
    _check_recordable(session, now)
    # After the session's lock and held until commit: sending the quarter to review waits for this save.
    locked = records_locked(session.branch, day, hold=True)
    correction_reason = (correction_reason or "").strip()
    expected = {m.pk: m for m in expected_list(session)}

    errors = _sheet_errors(entries, expected, actor)
    if errors:
        raise ValidationError(errors)

    current = {
        a.member_id: a
        for a in Attendance.objects.filter(session=session, member_id__in=list(entries), is_current=True)
    }
    to_create: list[Attendance] = []
    updates: dict[tuple[str, str], list[int]] = {}  # (status, reason) -> ids of rows changed in place
    retired: list[int] = []  # ids of rows a correction replaces
    unchanged = 0
    for pk, (status, reason) in entries.items():
        reason = (reason or "").strip()
        old = current.get(pk)
        if old is not None and old.status == status and old.reason == reason:
            unchanged += 1
            continue
        if not locked:
            if old is None:
                to_create.append(
                    Attendance(session=session, member_id=pk, status=status, reason=reason, recorded_by=actor)
                )
            else:
                updates.setdefault((status, reason), []).append(old.pk)
            continue
        if old is not None:
            retired.append(old.pk)
        to_create.append(
            Attendance(
                session=session,
                member_id=pk,
                status=status,
                reason=reason,
                recorded_by=actor,
                corrects=old,
                correction_reason=correction_reason,
            )
        )
    if locked and (to_create or retired) and not correction_reason:
        raise ValidationError(f"{locked_text(day)}，修改出勤属于更正，请填写更正理由。")
    # One UPDATE per distinct (status, reason): a sheet's changes share a handful (出席, 迟到, ...).
    # Past UPDATE_GROUPS pairs, one bulk_update, so the statements do not grow with the members.
    # Saves of one session cannot interleave (its row is locked above): their order cannot deadlock.
    if retired:
        Attendance.objects.filter(pk__in=retired).update(is_current=False)
    stamp = {"via_qr": False, "recorded_by": actor, "recorded_at": now}
    if len(updates) <= UPDATE_GROUPS:
        for (status, reason), pks in updates.items():
            Attendance.objects.filter(pk__in=pks).update(status=status, reason=reason, **stamp)
    else:
        changed = [
            Attendance(pk=pk, status=status, reason=reason, **stamp)
            for (status, reason), pks in updates.items()
            for pk in pks
        ]
        Attendance.objects.bulk_update(changed, ["status", "reason", *stamp])
    if to_create:
        Attendance.objects.bulk_create(to_create)
    return SaveResult(
        created=len(to_create) - len(retired),
        updated=sum(len(pks) for pks in updates.values()),
        corrected=len(retired),
        unchanged=unchanged,
    )


def _sheet_errors(entries: Mapping[int, tuple[str, str]], expected: dict, actor) -> list[str]:
    """What is wrong with the sheet's rows before anything is read for saving: one message a problem."""
    valid_statuses = set(AttendanceStatus.values)
    errors: list[str] = []
    not_expected = [pk for pk in entries if pk not in expected]
    if not_expected:
        names = member_names(not_expected)
        for pk in not_expected:
            if pk in names:
                errors.append(f"{names[pk]}不在本次活动的应参加人员名单中。")
            else:
                errors.append(f"提交的党员（编号 {pk}）不存在。")
    for pk, (status, reason) in entries.items():
        member = expected.get(pk)
        if member is None:
            continue
        if status not in valid_statuses:
            errors.append(f"{member.name}：“{status}”不是有效的出勤状态。")
        elif status == AttendanceStatus.EXCUSED and not (reason or "").strip():
            errors.append(f"{member.name}请假，须填写请假事由。")
        if not actor.has_perm("points.record_member", member):
            if member.user_id == actor.pk:
                errors.append(OWN_ROW.format(what="出勤"))
            else:
                errors.append(f"您不能登记{member.name}的出勤。")
    return errors
