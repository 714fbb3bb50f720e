"""Demo points data: last year filed for every branch, this year's finished quarters closed and the
current quarter open with records, declarations and an upcoming session, so every page has something
true to show. Deterministic (seeded)."""

import datetime
import random
import zoneinfo
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from branches.demo import DEMO_PASSWORD
from branches.models import BRANCH_KINDS, Organization, Position, PositionRole
from members.models import Category, Member, MemberStatus

from .models import (
    Attendance,
    AttendanceStatus,
    DuesRecord,
    DuesStatus,
    EntryType,
    Quarter,
    Session,
    SessionKind,
    ThoughtReport,
)
from .services import workflow

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
STATUS_WEIGHTS = [
    (AttendanceStatus.PRESENT, 86),
    (AttendanceStatus.LATE, 4),
    (AttendanceStatus.LEFT_EARLY, 2),
    (AttendanceStatus.EXCUSED, 5),
    (AttendanceStatus.ABSENT, 3),
]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def _secretary_user(branch):
    """Every branch secretary signs in; demo accounts beyond README's are named sj_<branch code>."""
    position = Position.objects.select_related("member__user").get(
        organization=branch, role=PositionRole.SECRETARY, end_date__isnull=True
    )
    member = position.member
    if member.user is None:
        user = get_user_model().objects.create_user(
            username=f"sj_{branch.code.lower()}", password=DEMO_PASSWORD, first_name=member.name
        )
        Member.objects.filter(pk=member.pk).update(user=user)
        return user
    return member.user


def _records(rng, branch, members, start: datetime.date, end: datetime.date):
    """Sessions with attendance, monthly dues and thought reports between start and end (exclusive)."""
    # Stays long: demo data reads best as one story of what is created, in order.
    sessions, attendance, dues, reports = [], [], [], []
    month = datetime.date(start.year, start.month, 1)
    payers = [m for m in members if m.category != Category.ACTIVIST]
    while month < end:
        plan = [(SessionKind.ACTIVITY_DAY, f"{month.month}月主题党日", 12, Decimal(0))]
        if month.month % 3 == 0:
            plan.append((SessionKind.STUDY, "集中学习：习近平新时代中国特色社会主义思想", 20, Decimal(8)))
            plan.append((SessionKind.ASSEMBLY, "支部党员大会", 25, Decimal(0)))
        if month.month in (6, 12):
            plan.append((SessionKind.WORK_MEETING, "民主评议党员工作会议", 26, Decimal(0)))
        for kind, title, day, hours in plan:
            when = datetime.date(month.year, month.month, day)
            if when >= end:
                continue
            s = Session(
                branch=branch,
                kind=kind,
                title=title,
                starts_at=_at(when, 14),
                ends_at=_at(when, 16),
                venue="党员活动室",
                hours=hours,
                signin_secret=f"{rng.getrandbits(128):032x}",
            )
            sessions.append(s)
        month = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    Session.objects.bulk_create(sessions)
    statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
    # About one member in sixteen drifts away: they give the warnings and the low scores something real.
    weak = {m.pk for m in members if rng.random() < 0.06 and m.user_id is None}
    for s in sessions:
        for m in members:
            if m.pk in weak and rng.random() < 0.6:
                status = AttendanceStatus.ABSENT
            else:
                status = rng.choices(statuses, weights)[0]
            attendance.append(
                Attendance(
                    session=s,
                    member=m,
                    status=status,
                    reason="出差" if status == AttendanceStatus.EXCUSED else "",
                )
            )
    Attendance.objects.bulk_create(attendance)
    # Dues are recorded for every finished month.
    month = datetime.date(start.year, start.month, 1)
    while month < datetime.date(end.year, end.month, 1):
        for m in payers:
            on_time = 0.4 if m.pk in weak else 0.95
            status = (
                DuesStatus.ON_TIME
                if rng.random() < on_time
                else rng.choice((DuesStatus.LATE, DuesStatus.UNPAID))
            )
            dues.append(
                DuesRecord(
                    member=m,
                    year=month.year,
                    month=month.month,
                    status=status,
                    amount=Decimal("20.00") if status != DuesStatus.UNPAID else None,
                )
            )
        month = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    DuesRecord.objects.bulk_create(dues)
    for m in members:
        for q in range(4):
            day = datetime.date(start.year, 3 * q + 2, 15)
            if start <= day < end and rng.random() < (0.3 if m.pk in weak else 0.85):
                reports.append(ThoughtReport(member=m, received_on=day, summary="思想汇报"))
    ThoughtReport.objects.bulk_create(reports)


def _decide(rng, members, quarter, secretary):
    """A few bonuses, a rare deduction and a judgment, entered by the committee at review."""
    for m in rng.sample(members, k=min(3, len(members))):
        workflow.entry_add(
            quarter=quarter,
            member=m,
            actor=secretary,
            entry_type=EntryType.BONUS,
            kind="public_welfare",
            value=rng.choice((1, 2)),
            reason="参加社区志愿服务",
        )
    if quarter.number == 4:
        m = rng.choice(members)
        workflow.entry_add(
            quarter=quarter,
            member=m,
            actor=secretary,
            entry_type=EntryType.BONUS,
            kind="commendation",
            value=None,
            level="district",
            content_key="优秀共产党员",
            reason="获区级优秀共产党员表彰",
        )
    if quarter.number == 2 and rng.random() < 0.3:
        m = rng.choice([x for x in members if x.category == Category.FULL])
        workflow.entry_add(
            quarter=quarter,
            member=m,
            actor=secretary,
            entry_type=EntryType.DEDUCTION,
            kind="absence_or_dues",
            value=5,
            measure="criticism",
            reason="无正当理由连续 3 个月未参加组织生活",
        )
        workflow.entry_add(
            quarter=quarter,
            member=m,
            actor=secretary,
            entry_type=EntryType.JUDGMENT,
            kind="exemplary_role",
            value=9,
            reason="模范作用发挥不够，经批评教育有所改进",
        )


def _run_quarter(rng, branch, members, secretary, year, number, today):
    quarter = workflow.quarter_open(branch=branch, year=year, number=number, actor=secretary)
    workflow.quarter_start_review(quarter=quarter, actor=secretary)
    _decide(rng, members, quarter, secretary)
    end_of_quarter = datetime.date(year + number // 4, number % 4 * 3 + 1, 1)
    held = min(end_of_quarter + datetime.timedelta(days=6), today)
    voters = workflow.voting_members(branch)
    workflow.assembly_record(
        quarter=quarter,
        actor=secretary,
        held_on=held,
        present=voters[: len(voters) // 2 + 2],
        decision="经党员大会评议讨论，同意支委会初评结果",
    )
    workflow.quarter_publish(quarter=quarter, actor=secretary, start=held)
    quarter.refresh_from_db()
    workflow.quarter_close(
        quarter=quarter, actor=secretary, today=quarter.publicity_end + datetime.timedelta(days=1)
    )
    return quarter


def is_seeded() -> bool:
    return Quarter.objects.exists()


@transaction.atomic
def seed(today: datetime.date | None = None) -> bool:
    if is_seeded():
        return False
    today = today or timezone.localdate()
    rng = random.Random(8)
    last, this = today.year - 1, today.year
    current_q = (today.month - 1) // 3 + 1
    dept = get_user_model().objects.get(username="zuzhibu")
    for branch in Organization.objects.filter(kind__in=BRANCH_KINDS).order_by("path"):
        members = list(Member.objects.filter(branch=branch, status=MemberStatus.ACTIVE).order_by("code"))
        secretary = _secretary_user(branch)
        _records(rng, branch, members, datetime.date(last, 1, 1), today)
        for n in (1, 2, 3, 4):
            _run_quarter(rng, branch, members, secretary, last, n, today)
        filing = workflow.annual_roll_up(branch=branch, year=last, actor=secretary)
        workflow.filing_submit(filing=filing, actor=secretary)
        workflow.filing_review(filing=filing, actor=dept, approve=True, remarks="审核无误，准予备案")
        for n in range(1, current_q):
            _run_quarter(rng, branch, members, secretary, this, n, today)
        workflow.quarter_open(branch=branch, year=this, number=current_q, actor=secretary)
        # A session later today so the QR sign-in and the attendance screen can be tried at once.
        start = _at(today, 19)
        Session.objects.create(
            branch=branch,
            kind=SessionKind.STUDY,
            title="集中学习：党员学习教育安排",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            venue="党员活动室",
            hours=Decimal(2),
            signin_secret=f"{rng.getrandbits(128):032x}",
        )
    return True
