"""The workflow bench's committee: branches of members with a year of records, and the logins it uses.

Imported after `django.setup()`.
"""

import datetime
import random
import zoneinfo
from decimal import Decimal

from django.contrib.auth import get_user_model

from branches.models import Organization, OrgKind, Position, PositionRole
from members.models import Category, Member
from points.models import (
    Attendance,
    AttendanceStatus,
    DuesRecord,
    DuesStatus,
    EntryType,
    PointEntry,
    Quarter,
    QuarterState,
    Session,
    SessionKind,
    ThoughtReport,
)

YEAR = 2025
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
PASSWORD = "bench-pass-2026"


def seed(n_members: int, branch_size: int):
    """A committee of `n_members` in branches of `branch_size`, about 50 records a member for YEAR."""
    rng = random.Random(4)
    committee, branches = _organizations(-(-n_members // branch_size))
    members = _members(committee, branches, n_members, branch_size)
    by_branch = {}
    for m in members:
        by_branch.setdefault(m.branch_id, []).append(m)
    _attendance(branches, by_branch, rng)
    _dues_and_reports(members, rng)
    _quarters_and_entries(branches, members)
    cast = _cast(branches, by_branch)
    return committee, branches, cast


def _organizations(n_branches: int):
    committee = Organization.objects.create(name="基准党委", code="BC", kind=OrgKind.COMMITTEE, path="/")
    Organization.objects.filter(pk=committee.pk).update(path=f"/{committee.pk}/")
    committee.refresh_from_db()
    generals = []
    for g in range(-(-n_branches // 10)):
        gb = Organization.objects.create(
            name=f"第{g + 1}党总支", code=f"BG{g}", kind=OrgKind.GENERAL_BRANCH, parent=committee, path=""
        )
        gb.path = f"{committee.path}{gb.pk}/"
        Organization.objects.filter(pk=gb.pk).update(path=gb.path)
        generals.append(gb)
    branches = []
    for b in range(n_branches):
        gb = generals[b // 10]
        br = Organization.objects.create(
            name=f"第{b + 1}党支部", code=f"BB{b}", kind=OrgKind.BRANCH, parent=gb, path=""
        )
        br.path = f"{gb.path}{br.pk}/"
        Organization.objects.filter(pk=br.pk).update(path=br.path)
        branches.append(br)
    return committee, branches


def _members(committee, branches, n_members: int, branch_size: int) -> list[Member]:
    members = []
    for i in range(n_members):
        category = Category.FULL if i % 20 else Category.PROBATIONARY
        members.append(
            Member(
                committee=committee,
                code=f"{i:06d}",
                name=f"党员{i}",
                gender="male",
                category=category,
                join_date=datetime.date(2010, 1, 1),
                probation_start=datetime.date(2024, 7, 1) if i % 20 == 0 else None,
                probation_end=datetime.date(2025, 7, 1) if i % 20 == 0 else None,
                branch=branches[i // branch_size],
            )
        )
    Member.objects.bulk_create(members, batch_size=5000)
    return list(Member.objects.order_by("code"))


def _attendance(branches, by_branch, rng) -> None:
    """30 sessions a branch over the year, everyone recorded at each."""
    kinds = (
        [SessionKind.ACTIVITY_DAY] * 12
        + [SessionKind.ASSEMBLY] * 4
        + [SessionKind.STUDY] * 4
        + [SessionKind.PARTY_LECTURE] * 4
        + [SessionKind.GROUP_MEETING] * 4
        + [SessionKind.WORK_MEETING] * 2
    )
    statuses = (
        [AttendanceStatus.PRESENT] * 90
        + [AttendanceStatus.LATE] * 3
        + [AttendanceStatus.EXCUSED] * 4
        + [AttendanceStatus.ABSENT] * 3
    )
    sessions = []
    for br in branches:
        for k, kind in enumerate(kinds):
            day = datetime.date(YEAR, k % 12 + 1, 3 + k // 12 * 5)
            start = datetime.datetime(day.year, day.month, day.day, 14, tzinfo=TZ)
            sessions.append(
                Session(
                    branch=br,
                    kind=kind,
                    title=str(kind),
                    starts_at=start,
                    ends_at=start + datetime.timedelta(hours=2),
                    hours=Decimal(8) if kind == SessionKind.STUDY else Decimal(2),
                    signin_secret="bench",
                )
            )
    Session.objects.bulk_create(sessions, batch_size=5000)
    rows = []
    for s in Session.objects.all().iterator(chunk_size=5000):
        for m in by_branch[s.branch_id]:
            rows.append(Attendance(session_id=s.pk, member_id=m.pk, status=rng.choice(statuses)))
        if len(rows) >= 20000:
            Attendance.objects.bulk_create(rows, batch_size=5000)
            rows = []
    Attendance.objects.bulk_create(rows, batch_size=5000)


def _dues_and_reports(members, rng) -> None:
    dues = [
        DuesRecord(
            member_id=m.pk,
            year=YEAR,
            month=mo,
            status=DuesStatus.ON_TIME if rng.random() < 0.97 else DuesStatus.LATE,
        )
        for m in members
        for mo in range(1, 13)
    ]
    DuesRecord.objects.bulk_create(dues, batch_size=5000)
    ThoughtReport.objects.bulk_create(
        [
            ThoughtReport(member_id=m.pk, received_on=datetime.date(YEAR, 3 * q + 1, 10))
            for m in members
            for q in range(4)
        ],
        batch_size=5000,
    )


def _quarters_and_entries(branches, members) -> None:
    """Four closed quarters a branch; a bonus entry for every seventh member in the fourth."""
    quarters = [
        Quarter(branch=br, year=YEAR, number=n, state=QuarterState.CLOSED)
        for br in branches
        for n in (1, 2, 3, 4)
    ]
    Quarter.objects.bulk_create(quarters, batch_size=5000)
    q4 = {q.branch_id: q for q in Quarter.objects.filter(number=4)}
    for m in members[::7]:
        PointEntry(
            quarter=q4[m.branch_id],
            member=m,
            entry_type=EntryType.BONUS,
            kind="public_welfare",
            value=Decimal(2),
            reason="志愿服务",
        ).save()


def _cast(branches, by_branch) -> dict:
    """The cast of the first branch (secretary, recorder, committee member) with logins; a secretary for
    every other branch."""
    User = get_user_model()
    first = branches[0]
    cast = {}
    for role, member in zip(
        (PositionRole.SECRETARY, PositionRole.RECORDER, PositionRole.COMMITTEE_MEMBER),
        by_branch[first.pk][:3],
        strict=True,
    ):
        user = User.objects.create_user(username=f"bench_{role}", password=PASSWORD)
        Member.objects.filter(pk=member.pk).update(user=user)
        Position.objects.create(
            member=member, organization=first, role=role, start_date=datetime.date(2024, 1, 1)
        )
        cast[role] = user
    for br in branches[1:]:
        user = User.objects.create_user(username=f"bench_sec_{br.pk}", password=PASSWORD)
        m = by_branch[br.pk][0]
        Member.objects.filter(pk=m.pk).update(user=user)
        Position.objects.create(
            member=m, organization=br, role=PositionRole.SECRETARY, start_date=datetime.date(2024, 1, 1)
        )
    return cast


def department_user(committee):
    """An organization-department login: the committee-wide roll-up is the higher organization's run."""
    member = Member.objects.order_by("-code").first()
    user = get_user_model().objects.create_user(username="bench_dept", password=PASSWORD)
    Member.objects.filter(pk=member.pk).update(user=user)
    Position.objects.create(
        member=member,
        organization=committee,
        role=PositionRole.ORG_STAFF,
        start_date=datetime.date(2024, 1, 1),
    )
    return get_user_model().objects.get(pk=user.pk)
