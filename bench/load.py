"""Load benchmark (issue 7 §5): gunicorn on PostgreSQL, 50 concurrent simulated users, one machine.

Builds, in a PostgreSQL database of its own (`jifen_load`, dropped and re-created on 127.0.0.1), the demo
(`seed_demo`) enlarged to 10,000 members: more branches of 60 members under the demo committee, each with
a year and a bit of records (bulk-created like bench/workflow.py), a secretary, a recorder and a committee
member, last quarter in committee review and this quarter open with a session today. Then it starts
gunicorn (config/gunicorn.conf.py: sync workers, 2 per core + 1) with production settings
(bench/load_settings.py: DEBUG off, manifest static files, plus a bench-only minimal view) on a free port
of 127.0.0.1, logs every simulated user in once (a correct password, so the 5-failure lockout never
fires), and measures two phases with the same 50 users, each a thread with its own http.client
connection and session cookie, firing its next request as soon as the last one answered:

1. baseline: every user, logged in as in phase 2, GETs the minimal Django view (`HttpResponse("ok")`
   through the whole middleware stack, session and account lookups included) for --baseline-seconds;
2. the real pages for --seconds: members (home, own member page, own year of points, my study),
   recorders (home, the branch's sessions, the attendance screen of today's session: GET, then POST
   with the CSRF token) and committee members (home, the review list of the quarter in review, one
   member's review page).

3. and 4. the same two with every user pausing between requests (exponential, mean --think-phase, 1 s by
   default; --think-seconds each): closed loop, 50 users queue behind each other (Little's law: latency =
   users / throughput), so its p95 measures capacity; the paused phases give the p95 a person sees.

It prints requests per second, median and 95th-percentile latency, errors (any response that is not the
expected 2xx/3xx, or an exception) for every phase, per page for the pages, and the verdict on the targets:
p95 < 300 ms (closed loop and with pauses, each labelled), errors 0, closed-loop page throughput at least
30% of the minimal view's. Beside the latency the
client sees, it shows the time each request spent inside its gunicorn worker (the access log's %(M)s,
joined by X-Request-ID), and how the CPU was shared: the driver and the server (gunicorn and PostgreSQL)
share this machine's cores. Each phase is bounded by time and by --max-requests; only 127.0.0.1 is ever
contacted. gunicorn is stopped at the end, also on Ctrl+C or SIGTERM.

Run:  uv run python bench/load.py                      # full size: 10,000 members, 50 users, 60 s
      uv run python bench/load.py --members 1000 --seconds 10 --baseline-seconds 5   # quick try
      uv run python bench/load.py --reuse-db           # skip the seeding, reuse the last jifen_load
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import http.cookies
import io
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import _db  # noqa: E402

HOST = "127.0.0.1"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
BRANCH_CODE_PREFIX = "LB"  # the branches this bench adds (the demo's codes start with DW)
MAX_SECONDS = 600


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000, help="members in all, demo included")
    parser.add_argument("--branch-size", type=int, default=60)
    parser.add_argument("--users", type=int, default=50, help="concurrent simulated users")
    parser.add_argument("--seconds", type=float, default=60, help="measured length of phase 2 (real pages)")
    parser.add_argument("--baseline-seconds", type=float, default=15, help="measured length of phase 1")
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured seconds before each phase")
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap on the requests of a phase")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean pause of a user between requests, in seconds (0: next at once)",
    )
    parser.add_argument(
        "--think-phase",
        type=float,
        default=1.0,
        help="after the closed-loop phases, run both again with users pausing this many seconds "
        "on average (exponential) between requests, the p95 a person would see (0: skip)",
    )
    parser.add_argument(
        "--think-seconds", type=float, default=30, help="measured length of each think-time phase"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="gunicorn workers (default: config/gunicorn.conf.py, 2 per core + 1)",
    )
    parser.add_argument(
        "--worker-max-requests",
        type=int,
        default=None,
        help="requests before gunicorn recycles a worker (default: config/gunicorn.conf.py's "
        "5000 + jitter; 0: never)",
    )
    parser.add_argument("--db", default=f"postgres://postgres@{HOST}:5432/jifen_load")
    parser.add_argument("--reuse-db", action="store_true", help="keep the database of the last run")
    parser.add_argument("--keep-log", action="store_true", help="keep gunicorn's log after the run")
    args = parser.parse_args(argv)
    db = urllib.parse.urlsplit(args.db)
    if db.scheme not in ("postgres", "postgresql") or (db.hostname or "") not in LOOPBACK:
        parser.error("--db must be a PostgreSQL URL on the loopback (postgres://…@127.0.0.1:5432/name)")
    for name in ("seconds", "baseline_seconds", "think_seconds"):
        if not 0 < getattr(args, name) <= MAX_SECONDS:
            parser.error(f"--{name.replace('_', '-')} must be between 0 and {MAX_SECONDS}")
    if (
        args.users < 1
        or args.max_requests < 1
        or args.warmup < 0
        or args.think < 0
        or args.think_phase < 0
        or args.branch_size < 5
    ):
        parser.error(
            "--users and --max-requests must be positive, --warmup and --think not negative, "
            "--branch-size at least 5"
        )
    return args


def production_environment(args) -> dict[str, str]:
    """The environment of both the seeding (this process) and gunicorn: production settings on HTTP."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
        "DJANGO_READ_DOT_ENV": "false",
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": "bench-load-" + secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_SSL_REDIRECT": "false",
        "DJANGO_HSTS_SECONDS": "0",
        "DATABASE_URL": args.db,
    }


# --- the database: the demo, enlarged ------------------------------------------------------------------


def enlarge(n_members: int, branch_size: int, today: datetime.date) -> tuple[int, int]:
    """Add 60-member branches under the demo committee until it has `n_members` members, with records
    from 1 January last year to today (points.demo's own generator), posts and logins. Returns
    (members added, branches added)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from branches.demo import COMMITTEE_CODE, DEMO_PASSWORD, GIVEN, SURNAMES
    from branches.models import Organization, OrgKind, Position, PositionRole
    from members.models import Category, Gender, Member
    from points.demo import _at, _records
    from points.models import Quarter, QuarterState, Session, SessionKind

    committee = Organization.objects.get(code=COMMITTEE_CODE)
    n_new = max(0, n_members - Member.objects.filter(committee=committee).count())
    n_branches = -(-n_new // branch_size)
    if not n_branches:
        return 0, 0
    rng = random.Random(7)
    start_of_records = datetime.date(today.year - 1, 1, 1)
    current_q = (today.month - 1) // 3 + 1
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

    with transaction.atomic():
        generals = add_units(
            [
                (
                    f"基准第{g + 1}党总支",
                    f"{BRANCH_CODE_PREFIX}G{g:03d}",
                    OrgKind.GENERAL_BRANCH,
                    committee,
                    100 + g,
                )
                for g in range(-(-n_branches // 10))
            ]
        )
        branches = add_units(
            [
                (
                    f"基准第{b + 1}党支部",
                    f"{BRANCH_CODE_PREFIX}{b:04d}",
                    OrgKind.BRANCH,
                    generals[b // 10],
                    b % 10 + 1,
                )
                for b in range(n_branches)
            ]
        )
        groups = add_units(
            [(f"第{n}党小组", f"{br.code}G{n}", OrgKind.GROUP, br, n) for br in branches for n in (1, 2)]
        )
        members = []
        for i in range(n_new):
            branch = branches[i // branch_size]
            k = i % branch_size
            category = Category.PROBATIONARY if k in (17, 18) else Category.FULL
            join = datetime.date(rng.randint(1990, 2023), rng.randint(1, 12), 1)
            probation = datetime.date(today.year - 1, 7, 1) if category == Category.PROBATIONARY else None
            members.append(
                Member(
                    committee=committee,
                    code=f"L{i:06d}",
                    branch=branch,
                    group=groups[2 * (i // branch_size) + k % 2],
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

        # Posts: secretary, recorder, committee member; logins for them and for two plain members. One
        # password hash for all (PBKDF2 takes a good fraction of a second per call); no forced change.
        password = make_password(DEMO_PASSWORD)
        posts, users, holders = [], [], []
        for b, branch in enumerate(branches):
            staff = by_branch[branch.pk]
            roles = (PositionRole.SECRETARY, PositionRole.RECORDER, PositionRole.COMMITTEE_MEMBER)
            for role, member in zip(roles, staff[:3], strict=True):
                posts.append(
                    Position(
                        member=member,
                        organization=branch,
                        role=role,
                        start_date=datetime.date(today.year - 2, 1, 1),
                    )
                )
            for login, member in (
                ("ls", staff[0]),
                ("lr", staff[1]),
                ("lc", staff[2]),
                ("lm1", staff[3]),
                ("lm2", staff[4]),
            ):
                users.append(User(username=f"{login}_{b:04d}", password=password, first_name=member.name))
                holders.append(member)
        Position.objects.bulk_create(posts, batch_size=5000)
        users = User.objects.bulk_create(users, batch_size=5000)
        for user, member in zip(users, holders, strict=True):
            member.user_id = user.pk
        Member.objects.bulk_update(holders, ["user"], batch_size=5000)

        # Records: the demo's own generator, branch by branch; quarters as bench/workflow.py does them.
        for branch in branches:
            _records(rng, branch, by_branch[branch.pk], start_of_records, today)
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
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum would have done after such a load
        # A session today in the open quarter: the recorders' attendance screen.
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
    return n_new, n_branches


def build_database(args) -> str:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

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
        added, n_branches = enlarge(args.members, args.branch_size, timezone.localdate())
        with connection.cursor() as cursor:
            # What autovacuum would do after such a load, done now rather than during the measurement;
            # the checkpoint writes the loaded pages out now too.
            cursor.execute("VACUUM (ANALYZE)")
            cursor.execute("CHECKPOINT")
        summary = f"demo + {added:,} members in {n_branches} bench branches of {args.branch_size}"
    rows = Attendance.objects.count() + DuesRecord.objects.count() + ThoughtReport.objects.count()
    members = Member.objects.count()
    connection.close()
    return (
        f"database {connection.settings_dict['NAME']}: {members:,} members ({summary}), "
        f"{rows:,} attendance, dues and report rows; ready in {time.perf_counter() - t0:.0f} s"
    )


# --- the cast: who the simulated users are and what they open --------------------------------------------


@dataclass
class Cast:
    role: str  # member, recorder, committee
    username: str
    urls: dict[str, str] = field(default_factory=dict)
    review_members: list[str] = field(default_factory=list)


def cast_users(n_users: int) -> list[Cast]:
    """Half the users are members, a quarter recorders, a quarter committee members, each from the bench
    branches (recorders and committee members spread over different branches while there are enough)."""
    from django.urls import reverse
    from django.utils import timezone

    from branches.models import Organization, Position, PositionRole
    from members.models import Member
    from points.models import Quarter, QuarterState, Session

    today = timezone.localdate()
    branches = list(
        Organization.objects.filter(code__startswith=BRANCH_CODE_PREFIX, kind="branch").order_by("code")
    )
    if not branches:
        sys.exit("no bench branches in the database")
    posts = {
        (p.organization_id, p.role): p.member
        for p in Position.objects.filter(organization__in=branches, end_date__isnull=True).select_related(
            "member__user"
        )
    }
    plain = {}
    for m in (
        Member.objects.filter(branch__in=branches, user__isnull=False, positions__isnull=True)
        .select_related("user")
        .order_by("code")
    ):
        plain.setdefault(m.branch_id, []).append(m)
    in_review = {
        q.branch_id: q for q in Quarter.objects.filter(branch__in=branches, state=QuarterState.IN_REVIEW)
    }
    # Today's session (the latest one so far, should --reuse-db run on a later day of the quarter).
    sessions = {
        s.branch_id: s
        for s in Session.objects.filter(branch__in=branches, starts_at__date__lte=today).order_by("starts_at")
    }
    roster = {}
    for pk, branch_id in Member.objects.filter(branch__in=branches).values_list("pk", "branch_id"):
        roster.setdefault(branch_id, []).append(pk)

    cast, counts = [], {"member": 0, "recorder": 0, "committee": 0}
    members_pool = [m for b in branches for m in plain.get(b.pk, [])]
    for i in range(n_users):
        role = ("member", "member", "recorder", "committee")[i % 4]
        k = counts[role]
        counts[role] += 1
        if role == "member":
            m = members_pool[k % len(members_pool)]
            cast.append(
                Cast(
                    role,
                    m.user.username,
                    {
                        "home": reverse("home"),
                        "member page": reverse("members:detail", args=[m.pk]),
                        "year points": reverse("points:member_year", args=[m.pk, today.year]),
                        "my study": reverse("study:mine"),
                    },
                )
            )
        elif role == "recorder":
            branch = branches[k % len(branches)]
            session = sessions[branch.pk]
            cast.append(
                Cast(
                    role,
                    posts[(branch.pk, PositionRole.RECORDER)].user.username,
                    {
                        "home": reverse("home"),
                        "sessions": reverse("points:sessions", args=[branch.pk]) + f"?year={today.year}",
                        "attendance": reverse("points:attendance", args=[session.pk]),
                    },
                )
            )
        else:
            branch = branches[-1 - k % len(branches)]
            quarter = in_review[branch.pk]
            cast.append(
                Cast(
                    role,
                    posts[(branch.pk, PositionRole.COMMITTEE_MEMBER)].user.username,
                    {
                        "home": reverse("home"),
                        "review": reverse("points:review", args=[quarter.pk]),
                    },
                    [reverse("points:review_member", args=[quarter.pk, pk]) for pk in roster[branch.pk]],
                )
            )
    return cast


# --- the driver: one thread per user, one keep-alive http.client connection each -------------------------

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RADIO = re.compile(r'<input type="radio" name="(status-\d+)" value="([a-z_]+)"([^>]*)>')
FORM_ERRORS = re.compile(r'<div class="form-errors"[^>]*>(.*?)</div>', re.S)


class HTTPError(Exception):
    pass


class Browser:
    """Just enough of a browser: one connection to 127.0.0.1, a cookie jar, form posts. The connection is
    kept alive when the server allows it; gunicorn's sync workers close it after every response, so in
    practice each request opens a new loopback connection (http.client reconnects by itself)."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.used = False

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        headers = {"Accept": "text/html", "User-Agent": "jifen-bench-load"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server had already closed: reconnect once, like browsers.
                self.conn.close()
                if attempt == 2 or not self.used:
                    raise
            finally:
                self.used = True
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = http.cookies.SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or (not morsel.value and morsel["expires"]):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers, data.decode("utf-8", "replace")

    def login(self, username: str, password: str):
        status, _, html = self.request("GET", "/accounts/login/")
        token = CSRF_FIELD.search(html)
        if status != 200 or not token:
            raise HTTPError(f"login page: HTTP {status}")
        status, headers, html = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise HTTPError(f"login of {username}: HTTP {status} {_error_text(html)}")

    def close(self):
        self.conn.close()


def _error_text(html: str) -> str:
    found = FORM_ERRORS.search(html)
    return re.sub(r"<[^>]+>|\s+", " ", found.group(1)).strip()[:200] if found else ""


@dataclass
class Sample:
    page: str
    start: float
    end: float
    error: str = ""
    request_id: str = ""  # X-Request-ID: joins the sample to its line in gunicorn's access log


class SimulatedUser:
    """One user's loop of pages; `next()` sends one request and says how it went."""

    def __init__(self, cast: Cast, browser: Browser, rng: random.Random, minimal: bool):
        self.cast, self.browser, self.rng, self.minimal = cast, browser, rng, minimal
        self.attendance_form = ""
        if minimal:
            self.steps = [("minimal view", "/bench/minimal/")]
        elif cast.role == "member":
            self.steps = list(cast.urls.items())
        elif cast.role == "recorder":
            self.steps = [
                ("home", cast.urls["home"]),
                ("sessions", cast.urls["sessions"]),
                ("attendance GET", cast.urls["attendance"]),
                ("attendance POST", cast.urls["attendance"]),
            ]
        else:
            self.steps = [
                ("home", cast.urls["home"]),
                ("review", cast.urls["review"]),
                ("review member", ""),
                ("review member", ""),
            ]
        self.position = rng.randrange(len(self.steps))  # users do not march in step

    def next(self) -> Sample:
        page, url = self.steps[self.position]
        self.position = (self.position + 1) % len(self.steps)
        if page == "review member":
            url = self.rng.choice(self.cast.review_members)
        if page == "attendance POST" and not self.attendance_form:
            page = "attendance GET"  # nothing to post yet: open the screen first
            self.position -= 1
        start = time.perf_counter()
        error = request_id = ""
        try:
            if page == "attendance POST":
                status, headers, html = self.browser.request("POST", url, self._attendance_post())
                request_id = headers.get("X-Request-ID", "")
                self.attendance_form = ""
                if status != 302 or headers.get("Location", "").split("?")[0] != url:
                    error = f"HTTP {status} {headers.get('Location', '')} {_error_text(html)}"
            else:
                status, headers, html = self.browser.request("GET", url)
                request_id = headers.get("X-Request-ID", "")
                if status != 200:
                    error = f"HTTP {status} {headers.get('Location', '')}"
                elif page == "attendance GET":
                    self.attendance_form = html
                elif self.minimal and html != "ok":
                    error = f"unexpected body {html[:40]!r}"
        except Exception as exc:  # noqa: BLE001 — every failure is counted and shown, never fatal
            error = f"{type(exc).__name__}: {exc}"
            self.browser.close()
        if error:
            error = f"{self.cast.username} {page} {url}: {error}"
        return Sample(page, start, time.perf_counter(), error, request_id)

    def _attendance_post(self) -> dict[str, str]:
        """The sheet as shown, everyone present but a few late (so each save changes some rows). The
        recorder's own row has no radio buttons (clause 四.1): it is not posted."""
        html = self.attendance_form
        if "csrftoken" not in self.browser.cookies:
            raise HTTPError("no csrftoken cookie to go with the form's token")
        form = {"csrfmiddlewaretoken": CSRF_FIELD.search(html).group(1)}
        for name, _value, rest in RADIO.findall(html):
            if "disabled" in rest or name in form:
                continue
            form[name] = "late" if self.rng.random() < 0.1 else "present"
            form["reason-" + name.split("-", 1)[1]] = ""
        return form


def log_in_all(cast: list[Cast], port: int, password: str) -> list[Browser]:
    """Log every user in once, four at a time (the password hash is the slow part)."""
    browsers: list[Browser | None] = [None] * len(cast)
    errors: list[str] = []

    def work(indexes):
        for i in indexes:
            b = Browser(port)
            try:
                b.login(cast[i].username, password)
            except Exception as exc:  # noqa: BLE001
                errors.append(f"{cast[i].username}: {exc}")
            browsers[i] = b

    threads = [threading.Thread(target=work, args=(range(j, len(cast), 4),), daemon=True) for j in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise HTTPError("login failed: " + "; ".join(errors[:3]))
    return browsers


@dataclass
class PhaseResult:
    samples: list[Sample]
    seconds: float
    stopped_by_cap: bool
    cpu: dict[str, float]  # cores in use on average: gunicorn, driver, postgres, other, machine, steal


def run_phase(
    users: list[SimulatedUser], seconds: float, warmup: float, max_requests: int, think: float, probe
) -> PhaseResult:
    """All users at once; samples that end inside the measured window [warm-up end, end] count."""
    stop = threading.Event()
    issued = [0]
    lock = threading.Lock()
    per_thread: list[list[Sample]] = [[] for _ in users]

    def loop(user: SimulatedUser, out: list[Sample]):
        while not stop.is_set():
            with lock:
                if issued[0] >= max_requests:
                    stop.set()
                    break
                issued[0] += 1
            out.append(user.next())
            if think:
                stop.wait(user.rng.expovariate(1 / think))

    threads = [
        threading.Thread(target=loop, args=(u, out), daemon=True)
        for u, out in zip(users, per_thread, strict=True)
    ]
    try:
        for t in threads:
            t.start()
        stop.wait(warmup)
        window_start, cpu_start = time.perf_counter(), probe()
        stop.wait(seconds)
        window_end, cpu_end = time.perf_counter(), probe()
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=40)
    capped = issued[0] >= max_requests
    if capped:  # the window ended when the last request answered
        window_end = max((s.end for out in per_thread for s in out), default=window_end)
    samples = [s for out in per_thread for s in out if window_start <= s.end <= window_end]
    return PhaseResult(
        samples, window_end - window_start, capped, cpu_use(cpu_start, cpu_end, window_end - window_start)
    )


# --- figures --------------------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def figures(samples: list[Sample], seconds: float, server_ms: dict[str, int]) -> dict:
    ms = [(s.end - s.start) * 1000 for s in samples]
    server = [server_ms[s.request_id] for s in samples if s.request_id in server_ms]
    nan = float("nan")
    return {
        "n": len(samples),
        "rps": len(samples) / seconds if seconds else 0.0,
        "median": statistics.median(ms) if ms else nan,
        "p95": p95(ms) if ms else nan,
        "server_median": statistics.median(server) if server else nan,
        "server_p95": p95(server) if server else nan,
        "errors": sum(1 for s in samples if s.error),
    }


ACCESS_LINE = re.compile(r'" \d{3} \S+ (\d+)ms "[^"]*" ([0-9a-f]{32})$', re.M)
PAGES = [
    "home",
    "member page",
    "year points",
    "my study",
    "sessions",
    "attendance GET",
    "attendance POST",
    "review",
    "review member",
]


def server_times(log: Path) -> dict[str, int]:
    """Milliseconds each request spent inside gunicorn's worker (access log %(M)s), by request id."""
    return {rid: int(ms) for ms, rid in ACCESS_LINE.findall(log.read_text(errors="replace"))}


def print_phase(title: str, result: PhaseResult, log: Path, per_page: bool) -> dict:
    server = server_times(log)
    f = figures(result.samples, result.seconds, server)
    capped = " (stopped by --max-requests)" if result.stopped_by_cap else ""
    cpu = result.cpu
    print(f"{title}: {result.seconds:.1f} s measured{capped}")
    print(
        f"  cores busy: {cpu['machine']:.2f} of {os.cpu_count()} = gunicorn {cpu['gunicorn']:.2f} + PostgreSQL "
        f"{cpu['postgres']:.2f} + the driver {cpu['driver']:.2f} + other {cpu['other']:.2f}"
        + (f" (and {cpu['steal']:.2f} stolen by the hypervisor)" if cpu["steal"] >= 0.01 else "")
    )
    if cpu["other"] > 0.2:
        print(
            f"  WARNING: other processes used {cpu['other']:.2f} cores during this phase: the machine was not "
            "quiet, the figures are low"
        )
    print(
        f"  {f['n']:,} requests, {f['rps']:.1f} requests/s, median {f['median']:.0f} ms, "
        f"p95 {f['p95']:.0f} ms, errors {f['errors']}  "
        f"(inside the worker: median {f['server_median']:.0f} ms, "
        f"p95 {f['server_p95']:.0f} ms)"
    )
    if per_page:
        pages: dict[str, list[Sample]] = {}
        for s in result.samples:
            pages.setdefault(s.page, []).append(s)
        print(
            f"  {'page':<17}{'requests':>9}{'req/s':>8}{'median':>9}{'p95':>8}{'errors':>8}"
            f"   in worker: median    p95"
        )
        for page in sorted(pages, key=lambda p: PAGES.index(p) if p in PAGES else len(PAGES)):
            g = figures(pages[page], result.seconds, server)
            print(
                f"  {page:<17}{g['n']:>9,}{g['rps']:>8.1f}{g['median']:>7.0f}ms{g['p95']:>6.0f}ms"
                f"{g['errors']:>8}{g['server_median']:>20.0f}ms{g['server_p95']:>5.0f}ms"
            )
    errors = [s.error for s in result.samples if s.error]
    for e in errors[:5]:
        print(f"  error: {e}")
    return f


# --- gunicorn -------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(args, env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    env = {**env, "GUNICORN_BIND": f"{HOST}:{port}", "LOG_LEVEL": "INFO"}
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    if args.worker_max_requests is not None:
        env["GUNICORN_MAX_REQUESTS"] = str(args.worker_max_requests)
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", str(ROOT / "config/gunicorn.conf.py")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_healthy(proc: subprocess.Popen, port: int, log: Path, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            ok = response.status == 200 and b'"ok"' in response.read()
            conn.close()
            if ok:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"gunicorn did not answer /healthz within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def stop_gunicorn(proc: subprocess.Popen):
    if proc.poll() is None:
        proc.terminate()  # graceful: the master stops its workers
        try:
            proc.wait(timeout=35)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the process group this bench started, nothing else
            proc.wait()


TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int, children: bool = False) -> float:
    """CPU seconds of one process (and of its children already reaped), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / TICK


def _postgres_cpu() -> float:
    """CPU seconds of PostgreSQL: its live processes, and the backends the postmaster has already reaped
    (a worker recycled or a connection past CONN_MAX_AGE ends its backend). /proc is only read."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    total += _proc_cpu(int(entry.name), children=True)
            except OSError:
                continue
    return total


def cpu_probe(server_pid: int):
    """A function returning cumulative CPU seconds: gunicorn (master, its workers, the reaped ones), this
    driver, PostgreSQL, the whole machine, and the time the hypervisor stole."""

    def probe() -> dict[str, float]:
        try:
            kids = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
        except OSError:
            kids = []
        # user nice system idle iowait irq softirq steal
        stat = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        return {
            "gunicorn": _proc_cpu(server_pid, children=True) + sum(_proc_cpu(int(k)) for k in kids),
            "driver": time.process_time(),
            "postgres": _postgres_cpu(),
            "machine": (stat[0] + stat[1] + stat[2] + stat[5] + stat[6]) / TICK,
            "steal": stat[7] / TICK,
        }

    return probe


def cpu_use(start: dict, end: dict, seconds: float) -> dict[str, float]:
    """Cores in use on average between two probes."""
    use = {k: (end[k] - start[k]) / seconds for k in start}
    use["other"] = max(0.0, use["machine"] - use["gunicorn"] - use["driver"] - use["postgres"])
    return use


def worker_count(log: Path) -> int:
    return len(re.findall(r"Booting worker with pid", log.read_text(errors="replace")))


def run_pair(
    args,
    cast,
    browsers,
    rng,
    probe,
    log: Path,
    label: str,
    baseline_seconds: float,
    seconds: float,
    think: float,
) -> tuple[dict, dict]:
    """The minimal view, then the real pages, with the same users and the same pause between requests."""

    def phase(minimal: bool, length: float, title: str) -> dict:
        users = [
            SimulatedUser(c, b, random.Random(rng.random()), minimal=minimal)
            for c, b in zip(cast, browsers, strict=True)
        ]
        return print_phase(
            f"{title}, {len(cast)} users, {label}",
            run_phase(users, length, args.warmup, args.max_requests, think, probe),
            log,
            per_page=not minimal,
        )

    base = phase(True, baseline_seconds, "minimal Django view")
    print()
    real = phase(False, seconds, "member, recorder and committee pages")
    return base, real


def _interrupt(signum, frame):
    """SIGTERM ends the run like Ctrl+C does: through main's finally, which stops gunicorn."""
    raise KeyboardInterrupt


# --- main -----------------------------------------------------------------------------------------------


def main(argv=None):
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)
    env = production_environment(args)
    tmp = Path(tempfile.mkdtemp(prefix="jifen-load-"))
    env["BENCH_STATIC_ROOT"] = str(tmp / "static")  # collectstatic writes here, never into the project
    os.environ.update(env)
    os.environ["LOG_LEVEL"] = "WARNING"  # the seeding's own log lines; gunicorn gets INFO
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        print(
            "Load benchmark (issue 7 §5): gunicorn + PostgreSQL on 127.0.0.1. The load driver (this "
            f"process) and the server share this machine's {os.cpu_count()} cores."
        )
        print(build_database(args))
        cast = cast_users(args.users)
        connection.close()
        call_command("collectstatic", interactive=False, verbosity=0)
        measure(args, env, cast, tmp / "gunicorn.log")
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        raise SystemExit(130) from None
    finally:
        shutil.rmtree(tmp / "static", ignore_errors=True)
        if not args.keep_log:
            shutil.rmtree(tmp, ignore_errors=True)


def measure(args, env: dict[str, str], cast: list[Cast], log: Path):
    """Start gunicorn, run both phases, print the verdict; gunicorn is stopped whatever happens."""
    from branches.demo import DEMO_PASSWORD

    port = free_port()
    proc = start_gunicorn(args, env, port, log)
    browsers: list[Browser] = []
    try:
        wait_healthy(proc, port, log)
        booted = worker_count(log)
        print(
            f"gunicorn: {booted} sync workers (config/gunicorn.conf.py, bench.load_settings: DEBUG off, "
            f"manifest static files) on {HOST}:{port}" + (f", log {log}" if args.keep_log else "")
        )
        roles = {r: sum(1 for c in cast if c.role == r) for r in ("member", "recorder", "committee")}
        t0 = time.perf_counter()
        browsers = log_in_all(cast, port, DEMO_PASSWORD)
        print(
            f"{len(cast)} simulated users ({roles['member']} members, {roles['recorder']} recorders, "
            f"{roles['committee']} committee members) logged in once each in "
            f"{time.perf_counter() - t0:.1f} s; "
            + (
                "each sends its next request as soon as the last one is answered"
                if not args.think
                else f"mean pause {args.think:g} s between a user's requests"
            )
        )
        print()

        rng = random.Random(11)
        probe = cpu_probe(proc.pid)
        loop = "closed loop" if not args.think else f"mean pause {args.think:g} s"
        base, real = run_pair(
            args, cast, browsers, rng, probe, log, loop, args.baseline_seconds, args.seconds, args.think
        )
        print()
        ratio = real["rps"] / base["rps"] if base["rps"] else 0.0
        errors = real["errors"] + base["errors"]
        verdict = {True: "met", False: "NOT met"}
        think = None
        if args.think_phase and not args.think:
            # Closed loop, 50 users always wait on each other (Little's law: latency = users / throughput), so
            # its p95 measures capacity, not what a person sees. People pause between pages: measure that too.
            print()
            think = run_pair(
                args,
                cast,
                browsers,
                rng,
                probe,
                log,
                f"mean pause {args.think_phase:g} s",
                min(args.baseline_seconds, args.think_seconds),
                args.think_seconds,
                args.think_phase,
            )
            errors += think[0]["errors"] + think[1]["errors"]
            print()
        print(f"Targets (issue 7 §5), {len(cast)} simulated users:")
        print(
            f"  throughput, pages / minimal view ({loop}): {real['rps']:.1f} / {base['rps']:.1f} = {ratio:.0%} "
            f"(target ≥ 30%): {verdict[ratio >= 0.30]}"
        )
        print(
            f"  p95 latency of the pages, {loop}: {real['p95']:.0f} ms (target < 300 ms): "
            f"{verdict[real['p95'] < 300]}"
            + (
                f"  [Little's law: {len(cast)} users / {real['rps']:.0f} pages/s = "
                f"{len(cast) / real['rps'] * 1000:.0f} ms average]"
                if not args.think and real["rps"]
                else ""
            )
        )
        if think:
            print(
                f"  p95 latency of the pages, users pausing {args.think_phase:g} s on average: "
                f"{think[1]['p95']:.0f} ms (target < 300 ms): {verdict[think[1]['p95'] < 300]}  "
                f"[minimal view: {think[0]['p95']:.0f} ms; pages served {think[1]['rps']:.1f}/s]"
            )
        print(f"  errors: {errors} (must be 0): {verdict[errors == 0]}")
        restarts = worker_count(log) - booted
        recycle = (
            "config/gunicorn.conf.py's max_requests, 5000 + jitter"
            if args.worker_max_requests is None
            else f"--worker-max-requests {args.worker_max_requests}"
        )
        print(
            f"gunicorn recycled a worker {restarts} times during the run ({recycle}). The driver's threads "
            "ran on the same cores as the server."
        )
    finally:
        for b in browsers:
            b.close()
        stop_gunicorn(proc)


if __name__ == "__main__":
    main()
