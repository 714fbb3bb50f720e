"""扫码签到: an HMAC of the session's secret over 30-second slots, shown as a QR code."""

from __future__ import annotations

import datetime
import hashlib
import hmac

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import Member, MemberStatus

from ...models import Attendance, AttendanceStatus, Session
from ...selectors.quarters import records_locked
from ...selectors.records import expected_members, local_day
from ..filed import require_year_open
from .common import locked_text

SIGNIN_SLOT_SECONDS = 30
SIGNIN_TOKEN_CHARS = 20  # 80 bits of the HMAC: plenty for a code that lives one minute
SIGNIN_OPENS_BEFORE = datetime.timedelta(minutes=30)
LATE_AFTER = datetime.timedelta(minutes=10)
# A member who scans a valid code but must log in first gets this long to confirm: the code itself
# would have expired while they typed their password.
SIGNIN_GRACE = datetime.timedelta(minutes=5)
BAD_TOKEN = "签到二维码已过期或无效，请重新扫描现场的二维码。"


def signin_slot(moment: datetime.datetime) -> int:
    return int(moment.timestamp()) // SIGNIN_SLOT_SECONDS


def signin_token(session: Session, slot: int) -> str:
    message = f"{session.pk}:{slot}".encode()
    return hmac.new(session.signin_secret.encode(), message, hashlib.sha256).hexdigest()[:SIGNIN_TOKEN_CHARS]


def signin_token_valid(session: Session, token: str, at: datetime.datetime) -> bool:
    """The code of the current 30-second slot or of the previous one (a phone's clock may lag)."""
    slot = signin_slot(at)
    token = token or ""
    return any(hmac.compare_digest(token, signin_token(session, s)) for s in (slot, slot - 1))


def signin_window(session: Session) -> tuple[datetime.datetime, datetime.datetime]:
    return session.starts_at - SIGNIN_OPENS_BEFORE, session.ends_at


def signin_open(session: Session, now: datetime.datetime) -> bool:
    opens, closes = signin_window(session)
    return not session.is_cancelled and opens <= now <= closes


def signin_window_text(session: Session) -> str:
    opens, closes = (timezone.localtime(t) for t in signin_window(session))
    return (
        f"{opens:%m月%d日 %H:%M} 至 {closes:%H:%M}"
        if opens.date() == closes.date()
        else (f"{opens:%m月%d日 %H:%M} 至 {closes:%m月%d日 %H:%M}")
    )


def signin_check(
    *,
    session: Session,
    user,
    token: str,
    now: datetime.datetime | None = None,
    scanned_at: datetime.datetime | None = None,
    hold: bool = False,
) -> tuple[Member, str]:
    """Everything a sign-in must pass, without writing: returns the member and the status to record.
    The sign-in itself passes `hold=True`: the quarter stays open until it commits (`locked_quarters`)."""
    now = now or timezone.now()
    if session.is_cancelled:
        raise ValidationError("本次活动已取消，无需签到。")
    require_year_open(session.branch_id, local_day(session.starts_at).year)
    opens, closes = signin_window(session)
    if now < opens:
        raise ValidationError(f"签到尚未开始，签到时间为{signin_window_text(session)}。")
    if now > closes:
        raise ValidationError("签到已结束，如需登记出勤请联系积分记录员。")
    at = scanned_at if scanned_at is not None and now - SIGNIN_GRACE <= scanned_at <= now else now
    if not signin_token_valid(session, token, at):
        raise ValidationError(BAD_TOKEN)
    member = Member.objects.filter(user_id=user.pk).first() if user.is_authenticated else None
    if member is None:
        raise ValidationError("您的账号没有关联党员信息，不能签到。")
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError("您的组织关系已转出，不能签到。")
    if not expected_members(session).filter(pk=member.pk).exists():
        raise ValidationError("您不在本次活动的应参加人员名单中，无需签到。")
    if records_locked(session.branch, local_day(session.starts_at), hold=hold):
        raise ValidationError(f"{locked_text(local_day(session.starts_at))}，请联系积分记录员登记。")
    existing = Attendance.objects.filter(session=session, member=member, is_current=True).first()
    if existing is not None:
        raise ValidationError(f"您的出勤已登记为“{existing.get_status_display()}”，无需重复签到。")
    status = AttendanceStatus.LATE if now > session.starts_at + LATE_AFTER else AttendanceStatus.PRESENT
    return member, status


@transaction.atomic
def attendance_sign_in(
    *,
    session: Session,
    user,
    token: str,
    now: datetime.datetime | None = None,
    scanned_at: datetime.datetime | None = None,
) -> Attendance:
    """扫码签到: the logged-in member records their own presence (late after start + 10 minutes).
    An entry already made — by the recorder or an earlier scan — is never overwritten."""
    now = now or timezone.now()
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("branch", "group").get(pk=session.pk)
    )
    member, status = signin_check(
        session=session, user=user, token=token, now=now, scanned_at=scanned_at, hold=True
    )
    entry = Attendance(session=session, member=member, status=status, via_qr=True, recorded_by=user)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        raise ValidationError("您的出勤已登记，无需重复签到。") from None
    return entry
