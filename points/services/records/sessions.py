"""安排活动: the branch calendar's writes (session_create is also called by the study app)."""

from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction

from branches.models import BRANCH_KINDS, OrgKind

from ...models import Attendance, Audience, Session, SessionKind
from ...selectors.quarters import records_locked
from ...selectors.records import local_day
from ..filed import require_year_open
from .common import locked_text, require

SESSION_FIELDS = ("kind", "title", "starts_at", "ends_at", "venue", "format", "hours", "audience", "group")


def _check_session(session: Session) -> None:
    if session.branch.kind not in BRANCH_KINDS:
        raise ValidationError("只能为党支部安排活动。")
    if not session.title.strip():
        raise ValidationError({"title": "请填写活动主题。"})
    if session.starts_at is None or session.ends_at is None:
        raise ValidationError("请填写开始和结束时间。")
    if session.ends_at <= session.starts_at:
        raise ValidationError({"ends_at": "结束时间须晚于开始时间。"})
    if session.hours is None or not (0 <= session.hours <= 24):
        raise ValidationError({"hours": "学时应在 0 至 24 之间。"})
    if session.kind == SessionKind.COMMITTEE_MEETING and session.audience != Audience.COMMITTEE:
        raise ValidationError({"audience": "支委会的应参加人员应为支委会成员。"})
    if session.kind == SessionKind.GROUP_MEETING and session.audience != Audience.GROUP:
        raise ValidationError({"audience": "党小组会的应参加人员应为党小组成员，请选择党小组。"})
    if session.audience == Audience.GROUP:
        group = session.group
        if group is None or group.kind != OrgKind.GROUP or group.parent_id != session.branch_id:
            raise ValidationError({"group": "请选择本支部的党小组。"})
    elif session.group_id is not None:
        raise ValidationError({"group": "只有应参加人员为党小组成员时才需选择党小组。"})
    session.full_clean()


@transaction.atomic
def session_create(
    *,
    branch,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    venue: str = "",
    format: str = "",
    hours=0,
    audience: str = Audience.BRANCH,
    group=None,
    actor,
) -> Session:
    """安排活动: add a session to the branch's calendar (also called by the study app)."""
    require(actor, "points.record", branch, "只有积分记录员或支部书记、副书记可以安排活动。")
    session = Session(
        branch=branch,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        format=format,
        hours=hours,
        audience=audience,
        group=group,
        signin_secret=secrets.token_hex(32),
        created_by=actor,
    )
    day = local_day(starts_at) if starts_at is not None else None
    if day is not None:
        require_year_open(branch, day.year)
    _check_session(session)
    if records_locked(branch, day, hold=True):
        raise ValidationError(f"{locked_text(day)}，不能再新增该季度的活动。")
    session.save()
    return session


@transaction.atomic
def session_update(*, session: Session, actor, **changes) -> Session:
    """修改活动: only before its quarter is locked; who must attend is fixed once attendance is recorded."""
    require(actor, "points.record", session.branch, "只有积分记录员或支部书记、副书记可以修改活动。")
    locked_row = (
        Session.objects.select_for_update(of=("self",)).select_related("branch", "group").get(pk=session.pk)
    )
    if locked_row.is_cancelled:
        raise ValidationError("已取消的活动不能修改。")
    unknown = set(changes) - set(SESSION_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改字段：{'、'.join(sorted(unknown))}。")
    old_day = local_day(locked_row.starts_at)
    require_year_open(locked_row.branch_id, old_day.year)
    if records_locked(locked_row.branch, old_day, hold=True):
        raise ValidationError(f"{locked_text(old_day)}，该活动不能再修改。")
    old_audience, old_group = locked_row.audience, locked_row.group_id
    for name, value in changes.items():
        setattr(locked_row, name, value)
    _check_session(locked_row)
    new_day = local_day(locked_row.starts_at)
    if new_day.year != old_day.year:
        require_year_open(locked_row.branch_id, new_day.year)
    if new_day != old_day and records_locked(locked_row.branch, new_day, hold=True):
        raise ValidationError(f"{locked_text(new_day)}，不能把活动改到该季度。")
    if (locked_row.audience, locked_row.group_id) != (old_audience, old_group) and (
        Attendance.objects.filter(session=locked_row).exists()
    ):
        raise ValidationError({"audience": "本次活动已登记出勤，不能再更改应参加人员。"})
    locked_row.save()
    return locked_row


@transaction.atomic
def session_cancel(*, session: Session, actor) -> Session:
    """取消活动: a cancelled session stays on the calendar but no longer counts."""
    require(actor, "points.record", session.branch, "只有积分记录员或支部书记、副书记可以取消活动。")
    day = local_day(session.starts_at)
    require_year_open(session.branch_id, day.year)
    if records_locked(session.branch, day, hold=True):
        raise ValidationError(f"{locked_text(day)}，该活动不能再取消。")
    if Session.objects.filter(pk=session.pk, is_cancelled=False).update(is_cancelled=True) != 1:
        raise ValidationError("该活动已取消。")
    session.is_cancelled = True
    return session
