"""Query counts of every list page (issue 19): the same number of SQL queries with few rows as with many.

Builds two throw-away SQLite databases in a temporary directory, each the demo (`seed_demo`'s units,
members and workflow) plus bench branches (bench/load_seed.py) seeded by the demo's own records and
quarterly workflow: a small one, where the measured branch has 5 members and each list 5 rows of its
own (exemptions, declarations, objections, extra sessions with their study notices, inspections,
arrangements, security events), and a large one, where the measured branch has 50 members, each list 50
rows, and four more branches of 50 sit beside it. Each database is built and measured in a child
process of its own (Django binds one database per process).

Each page is opened twice by the role that uses it (the test client, logged in); the second GET is
counted with django.test.utils.CaptureQueriesContext. It prints page, role, queries small, queries
large, "same" or "GROWS", and the page's size in both (the rows did grow); the exit status is 1 if any
page grows or fails to open.

Run:  uv run python bench/queries.py                 # 5 against 50
      uv run python bench/queries.py --small 5 --large 100
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULT_MARK = "QUERY-COUNTS "


def build(size: int, extra_branches: int):
    """The demo with the measured bench branch of `size` members, `extra_branches` more of `size`, and
    `size` rows of each list of its own. Returns what the page list needs."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from bench.load_seed import add_branches
    from branches import demo as branches_demo
    from branches.demo import COMMITTEE_CODE
    from branches.models import Organization
    from members.models import Exemption, ExemptionReason, Member, SecurityEvent
    from points import demo as points_demo
    from points.demo import _at
    from points.models import Declaration, Objection, Quarter, QuarterState, Session, SessionKind
    from points.services import workflow
    from study import demo as study_demo
    from study.models import Arrangement, ArrangementState, Inspection, RescheduleNotice, StudySession

    today = timezone.localdate()
    rng = random.Random(5)
    with transaction.atomic():
        branches_demo.seed(today=today)
        branches, by_branch = add_branches(1 + extra_branches, size, today, rng)
        branch, members = branches[0], by_branch[branches[0].pk]
        # A fifth of the branch works away from home (流动党员): the evidence page lists them.
        Member.objects.filter(pk__in=[m.pk for m in members[5::5]]).update(
            is_mobile=True, mobile_destination="无锡"
        )
        points_demo.seed(today=today)
        arrangement = study_demo.seed_arrangement()
    committee = Organization.objects.get(code=COMMITTEE_CODE)
    secretary = get_user_model().objects.get(username="ls_0000")
    open_q = Quarter.objects.get(branch=branch, state=QuarterState.OPEN)
    closed_q = Quarter.objects.filter(branch=branch, state=QuarterState.CLOSED).latest("year", "number")
    Declaration.objects.bulk_create(
        Declaration(
            quarter=open_q,
            declarant=m,
            subject=m,
            entry_type="bonus",
            kind="public_welfare",
            value=1,
            occurred_on=today,
            description="参加社区志愿服务",
            state="submitted",
        )
        for m in members
    )
    workflow.quarter_start_review(quarter=open_q, actor=secretary)
    Objection.objects.bulk_create(
        # Every other one an appeal (申诉), which the department sees.
        Objection(quarter=closed_q, member=m, channel=("branch", "appeal")[i % 2], text="对本人积分有异议")
        for i, m in enumerate(members)
    )
    for m in members:
        Exemption.objects.create(
            member=m, year=today.year, reason=ExemptionReason.choices[0][0], detail="情况说明"
        )
    later = _at(today, 8) + datetime.timedelta(days=30)
    sessions = Session.objects.bulk_create(
        Session(
            branch=branch,
            kind=SessionKind.STUDY,
            title=f"集中学习{i}",
            starts_at=later + datetime.timedelta(days=i),
            ends_at=later + datetime.timedelta(days=i, hours=2),
            venue="党员活动室",
            hours=2,
            signin_secret=f"{rng.getrandbits(128):032x}",
        )
        for i in range(size)
    )
    study_sessions = StudySession.objects.bulk_create(
        StudySession(arrangement=arrangement, session=s) for s in sessions
    )
    RescheduleNotice.objects.bulk_create(
        RescheduleNotice(
            study_session=ss,
            old_starts_at=ss.session.starts_at,
            old_ends_at=ss.session.ends_at,
            new_starts_at=ss.session.starts_at + datetime.timedelta(days=1),
            new_ends_at=ss.session.ends_at + datetime.timedelta(days=1),
            new_venue="线上",
            new_format="线上学习",
            reason="与学院工作冲突",
            submitted_by=secretary,
            submitted_at=timezone.now(),
            state="forwarded" if i % 2 else "submitted",
        )
        for i, ss in enumerate(study_sessions)
    )
    Inspection.objects.bulk_create(
        Inspection(
            branch=branch,
            kind="periodic" if i % 3 else "spot",
            inspected_on=today,
            inspector_name="检查人",
            rating="good",
            fix_required="整改" if i % 2 else "",
        )
        for i in range(size)
    )
    Arrangement.objects.bulk_create(
        Arrangement(
            committee=committee,
            issue_label=f"{today.year}年第{i + 1}期",
            issued_on=today,
            theme="主题",
            purpose="目的",
            discussion="讨论",
            state=ArrangementState.PUBLISHED,
        )
        for i in range(size)
    )
    SecurityEvent.objects.bulk_create(
        SecurityEvent(at=timezone.now(), kind="login", outcome="success", user=secretary, username="ls_0000")
        for _ in range(size)
    )
    attendance_session = Session.objects.filter(branch=branch, starts_at__date__lt=today).latest("starts_at")
    return {
        "today": today,
        "branch": branch,
        "general": branch.parent,
        "member": Member.objects.get(user__username="lm1_0000"),
        "open_q": open_q,
        "closed_q": closed_q,
        "arrangement": arrangement,
        "attendance_session": attendance_session,
    }


def pages(d: dict) -> list[tuple[str, str, str]]:
    """(page, username, url) of every list page, opened by the role that uses it."""
    from django.urls import reverse

    year, last = d["today"].year, d["today"].year - 1
    b, m = d["branch"].pk, d["member"].pk
    return [
        ("home (member)", "lm1_0000", reverse("home")),
        ("home (secretary)", "ls_0000", reverse("home")),
        ("home (department)", "zuzhibu", reverse("home")),
        ("member page", "lm1_0000", reverse("members:detail", args=[m])),
        ("member year", "lm1_0000", reverse("points:member_year", args=[m, last])),
        ("my study", "lm1_0000", reverse("study:mine")),
        ("sessions", "lr_0000", reverse("points:sessions", args=[b]) + f"?year={year}"),
        ("attendance", "lr_0000", reverse("points:attendance", args=[d["attendance_session"].pk])),
        ("dues", "lr_0000", reverse("points:dues", args=[b, last])),
        ("thought reports", "lr_0000", reverse("points:thought_reports", args=[b])),
        ("evidence", "lr_0000", reverse("points:evidence", args=[b])),
        ("quarters", "lc_0000", reverse("points:quarters", args=[b])),
        ("quarter page", "lc_0000", reverse("points:quarter", args=[d["open_q"].pk])),
        ("review list", "lc_0000", reverse("points:review", args=[d["open_q"].pk])),
        ("review member", "lc_0000", reverse("points:review_member", args=[d["open_q"].pk, m])),
        ("objections (branch)", "ls_0000", reverse("points:objections")),
        ("objections (department)", "zuzhibu", reverse("points:objections")),
        ("annual page", "ls_0000", reverse("points:annual", args=[b, last])),
        ("filings", "zuzhibu", reverse("points:filings")),
        ("reports index", "zuzhibu", reverse("points:reports")),
        ("dashboard", "zuzhibu", reverse("points:dashboard")),
        ("exemptions (branch)", "ls_0000", reverse("members:exemptions")),
        ("exemptions (department)", "zuzhibu", reverse("members:exemptions")),
        ("branch tree", "zuzhibu", reverse("branches:tree")),
        ("unit: branch roster", "ls_0000", reverse("branches:unit", args=[b])),
        ("unit: general branch", "zuzhibu", reverse("branches:unit", args=[d["general"].pk])),
        ("study arrangements", "lm1_0000", reverse("study:arrangements")),
        ("arrangement sessions", "zuzhibu", reverse("study:arrangement_detail", args=[d["arrangement"].pk])),
        ("study notices", "zuzhibu", reverse("study:notices")),
        ("inspections", "zuzhibu", reverse("study:inspections")),
        ("study completion", "zuzhibu", reverse("study:completion") + f"?year={year}"),
        ("security log", "zuzhibu", reverse("security:log")),
    ]


def child(size: int, extra_branches: int) -> None:
    """Build one database and print the query count of every page as one JSON line."""
    tmp = Path(tempfile.mkdtemp(prefix="jifen-queries-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        TEST_MEDIA_ROOT=str(tmp / "media"),
        AUDIT_HEADS_LOG=str(tmp / "audit-heads.jsonl"),
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    data = build(size, extra_branches)
    counts, clients = {}, {}
    for page, username, url in pages(data):
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(get_user_model().objects.get(username=username))
        client = clients[username]
        client.get(url)  # the first visit fills the session
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        ok = response.status_code == 200
        counts[page] = [
            username,
            len(ctx.captured_queries) if ok else -response.status_code,
            len(response.content),
        ]
    print(RESULT_MARK + json.dumps(counts, ensure_ascii=False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=5, help="members and rows per list, small database")
    parser.add_argument("--large", type=int, default=50, help="members and rows per list, large database")
    parser.add_argument("--child", type=int, nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    if not 5 <= args.small < args.large:
        parser.error("--small must be at least 5 and less than --large")
    print(
        f"Query counts per list page (issue 19): {args.small} against {args.large} members and rows per list."
    )
    runs = {}
    for size, extra in ((args.small, 0), (args.large, 4)):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(size), str(extra)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        line = next((x for x in out.stdout.splitlines() if x.startswith(RESULT_MARK)), None)
        if out.returncode or line is None:
            print(out.stdout[-2000:], out.stderr[-4000:], sep="\n", file=sys.stderr)
            sys.exit(f"the database of {size} could not be built or measured")
        runs[size] = json.loads(line[len(RESULT_MARK) :])
    small, large = runs[args.small], runs[args.large]
    width = max(len(p) for p in small)
    # The page's size shows its rows did grow: a page that stays as long compares nothing.
    print(
        f"{'page':<{width}}  {'as':<9}{'queries: small':>14}{'large':>7}  verdict  "
        f"{'KB: small':>9}{'large':>7}"
    )
    bad = 0
    for page, (username, few, few_bytes) in small.items():
        _, many, many_bytes = large[page]
        if few < 0 or many < 0:
            verdict = f"FAILED (HTTP {-min(few, many)})"
        else:
            verdict = "same" if few == many else "GROWS"
        bad += verdict != "same"
        print(
            f"{page:<{width}}  {username:<9}{few:>14}{many:>7}  {verdict:<7}  "
            f"{few_bytes / 1024:>9.0f}{many_bytes / 1024:>7.0f}"
        )
    print(f"{len(small)} pages: {len(small) - bad} same, {bad} growing or failing")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
