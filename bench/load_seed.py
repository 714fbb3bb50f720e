"""The load benchmark's database: the demo (`seed_demo`) enlarged with branches of bench members.

`add_branches` makes the branches, members, posts and logins; `add_records` gives them a year and a bit
of records (points.demo's own generator), their quarters and a session today. bench/queries.py uses
`add_branches` alone before the demo's records are seeded, so its branches get the demo's workflow too.
"""

from __future__ import annotations

import datetime
import io
import random
import sys
import time

from bench import _db

BRANCH_CODE_PREFIX = "LB"  # the branches this bench adds (the demo's codes start with DW)


def add_branches(n_branches: int, branch_size: int, today: datetime.date, rng: random.Random, start: int = 0):
    """Add `n_branches` branches of `branch_size` members under the demo committee (ten to a general
    branch), each with a secretary, a recorder and a committee member, and logins for them and two plain
    members (ls_0000, lr_0000, lc_0000, lm1_0000, lm2_0000; the demo's password). Returns the branches
    and their members by branch pk. `start` numbers the branches on after an earlier call."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from branches.demo import COMMITTEE_CODE, DEMO_PASSWORD, GIVEN, SURNAMES
    from branches.models import Organization, OrgKind, Position, PositionRole
    from members.models import Category, Gender, Member

    committee = Organization.objects.get(code=COMMITTEE_CODE)
    User = get_user_model()

    def add_units(specs):
        """bulk_create units, then give each its materialized path (it needs the primary key)."""
        units = Organization.objects.bulk_create(
            [
                Organization(name=name, code=code, kind=kind, parent=parent, sort_order=order, path="/")
                for name, code, kind, parent, order in specs
            ],
            batch_size=2000,
        )
        for unit in units:
            unit.path = f"{unit.parent.path}{unit.pk}/"
        Organization.objects.bulk_update(units, ["path"], batch_size=2000)
        return units

    numbers = range(start, start + n_branches)
    generals = add_units(
        [
            (
                f"基准第{g + 1}党总支",
                f"{BRANCH_CODE_PREFIX}G{g:03d}",
                OrgKind.GENERAL_BRANCH,
                committee,
                100 + g,
            )
            for g in sorted({b // 10 for b in numbers})
        ]
    )
    general_of = {int(g.code[-3:]): g for g in generals}
    branches = add_units(
        [
            (
                f"基准第{b + 1}党支部",
                f"{BRANCH_CODE_PREFIX}{b:04d}",
                OrgKind.BRANCH,
                general_of[b // 10],
                b % 10 + 1,
            )
            for b in numbers
        ]
    )
    groups = add_units(
        [(f"第{n}党小组", f"{br.code}G{n}", OrgKind.GROUP, br, n) for br in branches for n in (1, 2)]
    )
    members = []
    for j, branch in enumerate(branches):
        for k in range(branch_size):
            category = Category.PROBATIONARY if k in (17, 18) else Category.FULL
            join = datetime.date(rng.randint(1990, 2023), rng.randint(1, 12), 1)
            probation = datetime.date(today.year - 1, 7, 1) if category == Category.PROBATIONARY else None
            members.append(
                Member(
                    committee=committee,
                    code=f"L{start + j:04d}{k:03d}",
                    branch=branch,
                    group=groups[2 * j + k % 2],
                    name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
                    gender=rng.choice((Gender.MALE, Gender.FEMALE)),
                    category=category,
                    join_date=probation or join,
                    probation_start=probation,
                    probation_end=probation.replace(year=probation.year + 1) if probation else None,
                    phone=f"139{rng.randint(10000000, 99999999)}",
                )
            )
    members = Member.objects.bulk_create(members, batch_size=5000)
    by_branch: dict[int, list] = {}
    for m in members:
        by_branch.setdefault(m.branch_id, []).append(m)

    # One password hash for all (PBKDF2 takes a good fraction of a second per call); no forced change.
    password = make_password(DEMO_PASSWORD)
    posts, users, holders = [], [], []
    roles = (PositionRole.SECRETARY, PositionRole.RECORDER, PositionRole.COMMITTEE_MEMBER)
    for b, branch in zip(numbers, branches, strict=True):
        staff = by_branch[branch.pk]
        for role, member in zip(roles, staff[:3], strict=True):
            posts.append(
                Position(
                    member=member,
                    organization=branch,
                    role=role,
                    start_date=datetime.date(today.year - 2, 1, 1),
                )
            )
        for login, member in zip(("ls", "lr", "lc", "lm1", "lm2"), staff[:5], strict=False):
            users.append(User(username=f"{login}_{b:04d}", password=password, first_name=member.name))
            holders.append(member)
    Position.objects.bulk_create(posts, batch_size=5000)
    users = User.objects.bulk_create(users, batch_size=5000)
    for user, member in zip(users, holders, strict=True):
        member.user_id = user.pk
    Member.objects.bulk_update(holders, ["user"], batch_size=5000)
    return branches, by_branch


def add_records(branches, by_branch, today: datetime.date, rng: random.Random):
    """Records from 1 January last year to today, last year's quarters closed, last quarter in committee
    review, this quarter open with a session today (the recorders' attendance screen)."""
    from points.demo import _at, _records
    from points.models import Quarter, QuarterState, Session, SessionKind

    for branch in branches:
        _records(rng, branch, by_branch[branch.pk], datetime.date(today.year - 1, 1, 1), today)
    current_q = (today.month - 1) // 3 + 1
    review = (today.year, current_q - 1) if current_q > 1 else (today.year - 1, 4)
    quarters = []
    for branch in branches:
        for year, numbers in ((today.year - 1, range(1, 5)), (today.year, range(1, current_q + 1))):
            for n in numbers:
                state = QuarterState.CLOSED
                if (year, n) == review:
                    state = QuarterState.IN_REVIEW
                elif (year, n) == (today.year, current_q):
                    state = QuarterState.OPEN
                quarters.append(Quarter(branch=branch, year=year, number=n, state=state))
    Quarter.objects.bulk_create(quarters, batch_size=5000)
    Session.objects.bulk_create(
        [
            Session(
                branch=branch,
                kind=SessionKind.STUDY,
                title="集中学习：党员学习教育安排",
                starts_at=_at(today, 19),
                ends_at=_at(today, 21),
                venue="党员活动室",
                hours=2,
                signin_secret=f"{rng.getrandbits(128):032x}",
            )
            for branch in branches
        ]
    )


def build_database(args) -> str:
    """Drop and create the database, migrate, seed the demo and enlarge it to `args.members` members in
    branches of `args.branch_size`; or, with --reuse-db, check the last run's database is there."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from branches.demo import COMMITTEE_CODE
    from members.models import Member
    from points.models import Attendance, DuesRecord, ThoughtReport

    t0 = time.perf_counter()
    if args.reuse_db:
        if not Member.objects.filter(branch__code__startswith=BRANCH_CODE_PREFIX).exists():
            sys.exit("--reuse-db: the database has no bench branches; run once without --reuse-db")
        summary = "reused from an earlier run"
    else:
        _db.recreate_database()
        call_command("migrate", verbosity=0)
        call_command("seed_demo", stdout=io.StringIO())
        n_new = max(0, args.members - Member.objects.filter(committee__code=COMMITTEE_CODE).count())
        n_branches = -(-n_new // args.branch_size)
        today, rng = timezone.localdate(), random.Random(7)
        with transaction.atomic():
            branches, by_branch = add_branches(n_branches, args.branch_size, today, rng)
            add_records(branches, by_branch, today, rng)
        with connection.cursor() as cursor:
            # What autovacuum would do after such a load, done now rather than during the measurement;
            # the checkpoint writes the loaded pages out now too.
            cursor.execute("VACUUM (ANALYZE)")
            cursor.execute("CHECKPOINT")
        added = n_branches * args.branch_size
        summary = f"demo + {added:,} members in {n_branches} bench branches of {args.branch_size}"
    rows = Attendance.objects.count() + DuesRecord.objects.count() + ThoughtReport.objects.count()
    members = Member.objects.count()
    connection.close()
    return (
        f"database {connection.settings_dict['NAME']}: {members:,} members ({summary}), "
        f"{rows:,} attendance, dues and report rows; ready in {time.perf_counter() - t0:.0f} s"
    )
