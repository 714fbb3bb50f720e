"""The data of bench/reports.py: a committee with a filed year of results, and a 60-member branch with a
published quarter (imported once Django is set up)."""

import datetime
import random
import time
import zoneinfo
from decimal import Decimal

YEAR = 2025
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华建国文亮志红晓东雪梅海燕丹玉春斌宇浩凯鹏辉健俊帆"


def seed(rng: random.Random, *, member_count: int, unit_count: int, branches_per_unit: int):
    from branches.models import Organization, OrgKind
    from members.models import Category, Gender, Member
    from points.models import AnnualFiling, AnnualResult, FilingState
    from points.models.workflow import stored_line
    from points.scoring import GUIDELINE_SCHEME, RESULT_LABELS, Line

    started = time.perf_counter()
    committee = Organization.objects.create(
        name="基准测试党委", code="BENCH", kind=OrgKind.COMMITTEE, path="/"
    )
    committee.path = f"/{committee.pk}/"
    committee.save(update_fields=["path"])

    def tree(parent, kind, names, code_prefix):
        orgs = Organization.objects.bulk_create(
            Organization(
                name=n, code=f"{code_prefix}{i:03d}", kind=kind, parent=parent, path="/", sort_order=i
            )
            for i, n in enumerate(names, start=1)
        )
        for org in orgs:
            org.path = f"{parent.path}{org.pk}/"
        Organization.objects.bulk_update(orgs, ["path"])
        return orgs

    units = tree(committee, OrgKind.GENERAL_BRANCH, [f"第{i}党总支" for i in range(1, unit_count + 1)], "G")
    branches = []
    for u, unit in enumerate(units, start=1):
        names = [f"{unit.name}第{j}党支部" for j in range(1, branches_per_unit + 1)]
        branches += tree(unit, OrgKind.BRANCH, names, f"G{u:03d}B")

    members = []
    for n in range(member_count):
        roll = rng.random()
        category = (
            Category.FULL if roll < 0.9 else Category.PROBATIONARY if roll < 0.96 else Category.ACTIVIST
        )
        extra = {}
        if category == Category.PROBATIONARY:
            extra = {"probation_start": datetime.date(2025, 3, 1), "probation_end": datetime.date(2026, 3, 1)}
        members.append(
            Member(
                committee=committee,
                code=f"{n:06d}",
                name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
                gender=rng.choice((Gender.MALE, Gender.FEMALE)),
                category=category,
                join_date=None if category == Category.ACTIVIST else datetime.date(2010, 7, 1),
                branch=branches[n % len(branches)],
                **extra,
            )
        )
    Member.objects.bulk_create(members, batch_size=5000)

    filings = AnnualFiling.objects.bulk_create(
        AnnualFiling(branch=b, year=YEAR, state=FilingState.FILED, scheme=GUIDELINE_SCHEME.to_dict())
        for b in branches
    )
    filing_of = {f.branch_id: f for f in filings}
    items = GUIDELINE_SCHEME.base_items
    codes = list(RESULT_LABELS)
    results = []
    by_branch: dict[int, list[AnnualResult]] = {}
    for m in members:
        exempt = rng.random() < 0.01
        r = AnnualResult(filing=filing_of[m.branch_id], member=m, category=m.category, exempt=exempt)
        if not exempt:
            values = {i.code: i.cap - rng.choice((0, 0, 0, 0, Decimal("0.5"), 1, 2, 4)) for i in items}
            values = {code: max(v, Decimal(0)) for code, v in values.items()}
            r.base = sum(values.values())
            r.bonus = Decimal(rng.choice((0, 0, 1, 2, 3, Decimal("4.5"), 10)))
            r.deductions = Decimal(rng.choice((0,) * 12 + (5, 10)))
            r.total = r.base + r.bonus - r.deductions
            r.base_items = {code: str(v) for code, v in values.items()}
            r.results = [c for c in codes if rng.random() < 0.15][:3]
            r.lines = [
                stored_line(
                    Line(
                        "base",
                        i.code,
                        i.clause,
                        i.label,
                        values[i.code],
                        f"{i.label}：按记录计 {values[i.code]} 分",
                    )
                )
                for i in items
            ]
        results.append(r)
        by_branch.setdefault(m.branch_id, []).append(r)
    for branch_results in by_branch.values():
        ranked = sorted((r for r in branch_results if not r.exempt), key=lambda r: r.total, reverse=True)
        for position, r in enumerate(ranked, start=1):
            r.rank = position
    AnnualResult.objects.bulk_create(results, batch_size=5000)
    print(
        f"seeded {len(members):,} members in {len(branches):,} branches of {len(units)} units "
        f"({time.perf_counter() - started:.1f} s)"
    )
    return committee, units[0]


def seed_publicity_branch(rng, unit):
    """A 60-member branch with a published quarter, sessions, attendance, dues and ledger entries."""
    from branches.models import Organization, OrgKind
    from members.models import Category, Gender, Member
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
    )

    branch = Organization.objects.create(
        name="公示基准党支部", code="PUB", kind=OrgKind.BRANCH, parent=unit, path="/"
    )
    branch.path = f"{unit.path}{branch.pk}/"
    branch.save(update_fields=["path"])
    members = Member.objects.bulk_create(
        Member(
            committee_id=int(unit.path.strip("/").split("/")[0]),
            code=f"P{n:04d}",
            name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
            gender=Gender.MALE,
            category=Category.FULL,
            join_date=datetime.date(2012, 7, 1),
            branch=branch,
        )
        for n in range(60)
    )
    sessions = []
    for month in range(1, 13):
        start = datetime.datetime(YEAR, month, 10, 9, tzinfo=TZ)
        sessions.append(
            Session(
                branch=branch,
                kind=SessionKind.ACTIVITY_DAY,
                title=f"{month}月主题党日",
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=2),
                signin_secret="x",
            )
        )
    sessions = Session.objects.bulk_create(sessions)
    Attendance.objects.bulk_create(
        Attendance(
            session=s,
            member=m,
            status=rng.choice((AttendanceStatus.PRESENT,) * 8 + (AttendanceStatus.ABSENT,)),
        )
        for s in sessions
        for m in members
    )
    DuesRecord.objects.bulk_create(
        DuesRecord(member=m, year=YEAR, month=month, status=DuesStatus.ON_TIME)
        for m in members
        for month in range(1, 13)
    )
    quarters = {}
    for number in (1, 2, 3, 4):
        quarters[number] = Quarter.objects.create(
            branch=branch,
            year=YEAR,
            number=number,
            state=QuarterState.CLOSED if number < 4 else QuarterState.PUBLISHED,
            publicity_start=datetime.date(2026, 1, 5),
            publicity_end=datetime.date(2026, 1, 12),
        )
    for m in members[:20]:  # the ledger is audit-chained: entries are saved one by one, as the app does
        PointEntry.objects.create(
            quarter=quarters[4],
            member=m,
            entry_type=EntryType.BONUS,
            kind="public_welfare",
            value=Decimal(1),
            reason="参加社区志愿服务",
        )
    return quarters[4]
