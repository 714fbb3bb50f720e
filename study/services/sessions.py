"""Branch sessions of an arrangement and their reschedule notices (学习要求 1).

Moving a session must reach the organization department, through the general branch or the direct
branch, at least half a day before the session was to start, with the new format and venue. "提前半天"
is read as 12 hours, and "前" includes the limit: a notice filed exactly 12 hours ahead is on time.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from branches.access import actor_for
from branches.models import Organization, OrgKind
from points.models import Audience, Session, SessionKind
from points.services.records import session_create

from ..models import Arrangement, NoticeState, NoticeTransition, RescheduleNotice, StudySession
from ..models.sessions import OPEN_NOTICE_STATES
from ..rules import forwards_for_branch
from ..selectors.arrangements import covered_branches
from ..selectors.scopes import branch_manager_ids
from ._common import require

NOTICE_LEAD = datetime.timedelta(hours=12)
# 活动方式 offered by the forms; the field itself is free text like other sessions'.
FORMATS = ("集中学习", "专题研讨", "线上学习", "线上线下结合", "参观学习", "自学交流")


def notice_deadline(starts_at: datetime.datetime) -> datetime.datetime:
    return starts_at - NOTICE_LEAD


def check_notice_deadline(starts_at: datetime.datetime, now: datetime.datetime) -> None:
    deadline = notice_deadline(starts_at)
    if now > deadline:
        raise ValidationError(
            f"时间调整须在原定开始时间前 12 小时（即 {timezone.localtime(deadline):%Y-%m-%d %H:%M} 前）报备，"
            "已超过报备时限，请按原定时间开展。"
        )


def _check_times(starts_at, ends_at, hours) -> None:
    if ends_at <= starts_at:
        raise ValidationError("结束时间须晚于开始时间。")
    if hours is not None:
        hours = Decimal(hours)
        if hours <= 0:
            raise ValidationError("学时须大于 0。")
        if hours > Decimal((ends_at - starts_at).total_seconds()) / 3600:
            raise ValidationError("学时不能超过活动时长。")


@transaction.atomic
def study_session_plan(
    *,
    arrangement: Arrangement,
    branch: Organization,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    venue: str,
    format: str,
    hours,
    actor,
    group: Organization | None = None,
    title: str = "",
) -> StudySession:
    """A branch (or one of its party groups) plans its session of a published arrangement."""
    require(actor, "study.plan_session", arrangement, "只有党支部书记或副书记可以安排学习教育活动。")
    if branch.pk not in branch_manager_ids(actor_for(actor)):
        raise ValidationError(f"您不是{branch.name}的书记或副书记，不能为其安排学习。")
    # One planner at a time per issue, so two secretaries' clicks cannot both pass the duplicate check.
    arrangement = Arrangement.objects.select_for_update().get(pk=arrangement.pk)
    if not arrangement.is_published:
        raise ValidationError("学习教育安排尚未发布。")
    if not covered_branches(arrangement).filter(pk=branch.pk).exists():
        raise ValidationError(f"{branch.name}不在本期学习教育的组织范围内。")
    if group is not None and (group.kind != OrgKind.GROUP or group.parent_id != branch.pk):
        raise ValidationError(f"{group.name}不是{branch.name}的党小组。")
    if not (venue or "").strip():
        raise ValidationError("请填写活动地点。")
    if not (format or "").strip():
        raise ValidationError("请选择活动方式。")
    _check_times(starts_at, ends_at, hours)
    planned = StudySession.objects.filter(
        arrangement=arrangement, session__branch=branch, session__is_cancelled=False
    )
    if group is None and planned.exists():
        raise ValidationError(f"{branch.name}已安排了本期学习（或已按党小组安排），不能重复安排。")
    if (
        group is not None
        and planned.filter(Q(session__group__isnull=True) | Q(session__group=group)).exists()
    ):
        raise ValidationError(f"{group.name}（或全支部）已安排了本期学习，不能重复安排。")
    session = session_create(
        branch=branch,
        kind=SessionKind.STUDY,
        title=title.strip() or f"党员学习教育（{arrangement.issue_label}）",
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue.strip(),
        format=format.strip(),
        hours=hours,
        audience=Audience.GROUP if group else Audience.BRANCH,
        group=group,
        actor=actor,
    )
    study_session = StudySession(arrangement=arrangement, session=session, planned_by=actor)
    study_session.full_clean()
    study_session.save()
    return study_session


def _log(notice: RescheduleNotice, from_state: str, to_state: str, actor, at, note: str = "") -> None:
    NoticeTransition.objects.create(
        notice=notice, from_state=from_state, to_state=to_state, actor=actor, at=at, note=note[:300]
    )


def _move(notice: RescheduleNotice, *, from_states, to_state: str, actor, at, note: str = "", **extra):
    """Compare-and-set the notice's state; a wrong state or a lost race is refused and changes nothing."""
    updated = RescheduleNotice.objects.filter(pk=notice.pk, state__in=from_states).update(
        state=to_state, **extra
    )
    if updated != 1:
        current = RescheduleNotice.objects.get(pk=notice.pk)
        raise ValidationError(
            f"该报备当前为“{current.get_state_display()}”，不能进行此操作（可能已被他人处理）。"
        )
    _log(notice, notice.state, to_state, actor, at, note)
    notice.refresh_from_db()
    return notice


@transaction.atomic
def reschedule_submit(
    *,
    study_session: StudySession,
    new_starts_at: datetime.datetime,
    new_ends_at: datetime.datetime,
    new_venue: str,
    new_format: str,
    reason: str,
    actor,
    now: datetime.datetime | None = None,
) -> RescheduleNotice:
    """File a notice. Filed by the general branch (or a direct branch's leaders) it goes straight to the
    department; filed by the branch it waits for the general branch to forward it."""
    # Stays long: one workflow step, one service (STYLE §3): checks, lock, transition row in order.
    now = now or timezone.now()
    require(
        actor, "study.file_notice", study_session, "只有党支部书记、副书记或党总支负责人可以报备时间调整。"
    )
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("branch")
        .get(pk=study_session.session_id)
    )
    if session.is_cancelled:
        raise ValidationError("该活动已取消。")
    check_notice_deadline(session.starts_at, now)
    if RescheduleNotice.objects.filter(study_session=study_session, state__in=OPEN_NOTICE_STATES).exists():
        raise ValidationError("该活动已有待处理的时间调整报备，请等待处理结果。")
    if not (reason or "").strip():
        raise ValidationError("请填写调整原因。")
    if not (new_venue or "").strip() or not (new_format or "").strip():
        raise ValidationError("请填写调整后的活动方式和活动地点。")
    _check_times(new_starts_at, new_ends_at, None)
    if new_starts_at <= now:
        raise ValidationError("调整后的开始时间须晚于现在。")
    if (new_starts_at, new_ends_at, new_venue.strip(), new_format.strip()) == (
        session.starts_at,
        session.ends_at,
        session.venue,
        session.format,
    ):
        raise ValidationError("调整后的安排与原安排相同。")
    forwards = forwards_for_branch(actor, session.branch)
    notice = RescheduleNotice(
        study_session=study_session,
        state=NoticeState.FORWARDED if forwards else NoticeState.SUBMITTED,
        old_starts_at=session.starts_at,
        old_ends_at=session.ends_at,
        old_venue=session.venue,
        old_format=session.format,
        new_starts_at=new_starts_at,
        new_ends_at=new_ends_at,
        new_venue=new_venue.strip(),
        new_format=new_format.strip(),
        reason=reason.strip(),
        submitted_by=actor,
        submitted_at=now,
        forwarded_by=actor if forwards else None,
        forwarded_at=now if forwards else None,
    )
    notice.full_clean()
    notice.save()
    _log(notice, "", NoticeState.SUBMITTED, actor, now, notice.reason)
    if forwards:
        _log(notice, NoticeState.SUBMITTED, NoticeState.FORWARDED, actor, now, "报备单位直接报送")
    return notice


@transaction.atomic
def reschedule_forward(*, notice: RescheduleNotice, actor, now: datetime.datetime | None = None):
    """党总支 (or 直属党支部) reports the notice to the department; it must still be half a day ahead."""
    now = now or timezone.now()
    require(actor, "study.forward_notice", notice, "只有党总支或直属党支部负责人可以报送。")
    check_notice_deadline(notice.old_starts_at, now)
    return _move(
        notice,
        from_states=[NoticeState.SUBMITTED],
        to_state=NoticeState.FORWARDED,
        actor=actor,
        at=now,
        forwarded_by=actor,
        forwarded_at=now,
    )


@transaction.atomic
def reschedule_accept(
    *, notice: RescheduleNotice, actor, note: str = "", now: datetime.datetime | None = None
):
    """The department accepts: the session moves to the new time, venue and format; the notice keeps
    the old and the new."""
    now = now or timezone.now()
    require(actor, "study.decide_notice", notice, "只有党委组织部可以处理时间调整报备。")
    session = Session.objects.select_for_update().get(pk=notice.study_session.session_id)
    if (session.starts_at, session.ends_at) != (notice.old_starts_at, notice.old_ends_at):
        raise ValidationError("活动时间在报备后已有变动，请退回，由支部按现在的安排重新报备。")
    _move(
        notice,
        from_states=[NoticeState.FORWARDED],
        to_state=NoticeState.ACCEPTED,
        actor=actor,
        at=now,
        note=note,
        decided_by=actor,
        decided_at=now,
        decision_note=(note or "").strip()[:300],
    )
    session.starts_at = notice.new_starts_at
    session.ends_at = notice.new_ends_at
    session.venue = notice.new_venue
    session.format = notice.new_format
    session.full_clean()
    session.save(update_fields=["starts_at", "ends_at", "venue", "format"])
    return notice


@transaction.atomic
def reschedule_return(*, notice: RescheduleNotice, actor, note: str, now: datetime.datetime | None = None):
    """退回: the department or the forwarding unit sends a notice back, with the reason."""
    now = now or timezone.now()
    if not (actor.has_perm("study.decide_notice", notice) or actor.has_perm("study.forward_notice", notice)):
        raise ValidationError("您没有权限退回该报备。")
    if not (note or "").strip():
        raise ValidationError("退回时请说明理由。")
    return _move(
        notice,
        from_states=list(OPEN_NOTICE_STATES),
        to_state=NoticeState.RETURNED,
        actor=actor,
        at=now,
        note=note,
        decided_by=actor,
        decided_at=now,
        decision_note=note.strip()[:300],
    )
