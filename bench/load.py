"""Load benchmark (issue 19): p95 latency with people pausing between pages, at 50 and at 200 simulated
users, on gunicorn + PostgreSQL, one machine.

Builds, in a PostgreSQL database of its own (`jifen_bench_load`, dropped and re-created on 127.0.0.1),
the demo (`seed_demo`) enlarged to 10,000 members in branches of 60 with a year and a bit of records
(bench/load_seed.py). Starts gunicorn (config/gunicorn.conf.py: sync workers, 2 per core + 1) with
production settings (bench/load_settings.py: DEBUG off, manifest static files, plus a minimal view) on a
free port of 127.0.0.1 (bench/load_server.py) and logs every simulated user in once.

Then, for each user count (50, then 200), the users (bench/load_cast.py: half members, a quarter
recorders, a quarter committee members, each a thread with its own connection and session cookie,
bench/load_client.py) open their pages one after another, pausing between two pages a random time drawn
from an exponential distribution, 7 s on average (--think): TPC-W's think time, the pause of a person
who reads a page before the next click. 200 such users send about 28 pages a second, more than a party
committee of a few hundred people does at its busiest hour. --think 1 gives a harsher load (a person
clicking through without reading). Members open home, their member page, their year of points and
their study; recorders home, the branch's sessions and the attendance screen of today's session (GET,
then POST with the CSRF token); committee members home, the review list of the quarter in review and
members' review pages. Before the pages, the same users open a minimal
Django view (`HttpResponse("ok")` through the whole middleware stack) for --baseline-seconds, with the
same pauses: its p95 is printed beside the pages' as the floor of this machine, not as a target.

Per phase it prints requests, requests/s, median, p95 and errors (any response that is not the expected
2xx/3xx, or an exception), per page, the time spent inside the gunicorn worker (access log, joined by
X-Request-ID) and how the cores were shared (bench/load_report.py). The verdict per user count:
p95 of the pages < 300 ms and 0 errors. Only 127.0.0.1 is contacted; gunicorn is stopped at the end, also
on Ctrl+C or SIGTERM. Exit status 1 if a target is not met.

Run:  uv run python bench/load.py                      # 10,000 members, 50 then 200 users, 90 s each
      uv run python bench/load.py --members 1000 --users 20 --seconds 10 --baseline-seconds 5  # quick
      uv run python bench/load.py --reuse-db           # reuse the last run's jifen_bench_load
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import secrets
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.load_cast import Cast, cast_users  # noqa: E402
from bench.load_client import Browser, SimulatedUser, log_in_all, run_phase  # noqa: E402
from bench.load_report import cpu_probe, print_phase  # noqa: E402
from bench.load_seed import build_database  # noqa: E402
from bench.load_server import (  # noqa: E402
    HOST,
    free_port,
    start_gunicorn,
    stop_gunicorn,
    wait_healthy,
    worker_count,
)

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_SECONDS = 600
P95_TARGET_MS = 300


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000, help="members in all, demo included")
    parser.add_argument("--branch-size", type=int, default=60)
    parser.add_argument("--users", default="50,200", help="simulated user counts, one phase each")
    parser.add_argument("--think", type=float, default=7.0, help="mean pause between a user's pages, s")
    parser.add_argument("--seconds", type=float, default=90, help="measured length of each pages phase")
    parser.add_argument("--baseline-seconds", type=float, default=15, help="the minimal view's (0: skip)")
    parser.add_argument("--warmup", type=float, default=10, help="unmeasured seconds before each phase")
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers (default: 2 per core + 1)"
    )
    parser.add_argument(
        "--worker-max-requests",
        type=int,
        default=None,
        help="requests before gunicorn recycles a worker (default: config/gunicorn.conf.py's; 0: never)",
    )
    parser.add_argument("--db", default=f"postgres://postgres@{HOST}:5432/jifen_bench_load")
    parser.add_argument("--reuse-db", action="store_true", help="keep the database of the last run")
    parser.add_argument("--keep-log", action="store_true", help="keep gunicorn's log after the run")
    args = parser.parse_args(argv)
    db = urllib.parse.urlsplit(args.db)
    if db.scheme not in ("postgres", "postgresql") or (db.hostname or "") not in LOOPBACK:
        parser.error("--db must be a PostgreSQL URL on the loopback (postgres://…@127.0.0.1:5432/name)")
    try:
        args.users = [int(n) for n in args.users.split(",")]
    except ValueError:
        parser.error("--users must be numbers separated by commas, e.g. 50,200")
    if not all(0 < n <= 1000 for n in args.users):
        parser.error("--users: each count must be between 1 and 1000")
    if not 0 < args.seconds <= MAX_SECONDS or not 0 <= args.baseline_seconds <= MAX_SECONDS:
        parser.error(f"--seconds and --baseline-seconds must be at most {MAX_SECONDS}")
    if args.think <= 0 or args.warmup < 0 or args.branch_size < 5:
        parser.error("--think must be positive, --warmup not negative, --branch-size at least 5")
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


def _interrupt(signum, frame):
    """SIGTERM ends the run like Ctrl+C does: through main's finally, which stops gunicorn."""
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)
    # One socket per simulated user, and the server's: make sure the soft limit is not the obstacle.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
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
            "Load benchmark (issue 19): gunicorn + PostgreSQL on 127.0.0.1. The load driver (this "
            f"process) and the server share this machine's {os.cpu_count()} cores."
        )
        print(build_database(args))
        cast = cast_users(max(args.users))
        connection.close()
        call_command("collectstatic", interactive=False, verbosity=0)
        return measure(args, env, cast, tmp / "gunicorn.log")
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(tmp / "static", ignore_errors=True)
        if not args.keep_log:
            shutil.rmtree(tmp, ignore_errors=True)


def measure(args, env: dict[str, str], cast: list[Cast], log: Path) -> int:
    """Start gunicorn, run the phases of every user count, print the verdicts; gunicorn is stopped
    whatever happens. Returns the exit status."""
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
        t0 = time.perf_counter()
        browsers = log_in_all(cast, port, DEMO_PASSWORD)
        print(
            f"{len(cast)} simulated users logged in once each in {time.perf_counter() - t0:.1f} s; every "
            f"user pauses {args.think:g} s on average (exponential) before each request"
        )
        rng = random.Random(11)
        probe = cpu_probe(proc.pid)
        verdicts = []
        verdicts = [measure_users(args, cast[:n], browsers, rng, probe, log) for n in args.users]
        restarts = worker_count(log) - booted
        print(
            f"\ngunicorn recycled a worker {restarts} times during the run. The driver's threads ran on the "
            "same cores as the server."
        )
        return 0 if all(verdicts) else 1
    finally:
        for b in browsers:
            b.close()
        stop_gunicorn(proc)


def measure_users(args, users: list[Cast], browsers: list[Browser], rng, probe, log: Path) -> bool:
    """The minimal view, then the pages, with these users; prints the verdict and returns it."""
    n, pauses = len(users), f"mean pause {args.think:g} s"
    roles = {r: sum(1 for c in users if c.role == r) for r in ("member", "recorder", "committee")}
    print(
        f"\n=== {n} users: {roles['member']} members, {roles['recorder']} recorders, "
        f"{roles['committee']} committee members"
    )

    def phase(minimal: bool, seconds: float, title: str) -> dict:
        simulated = [
            SimulatedUser(c, b, random.Random(rng.random()), minimal=minimal)
            for c, b in zip(users, browsers, strict=False)
        ]
        result = run_phase(simulated, seconds, args.warmup, args.think, probe)
        return print_phase(f"{title}, {n} users, {pauses}", result, log, per_page=not minimal)

    base = phase(True, args.baseline_seconds, "minimal Django view") if args.baseline_seconds else None
    print()
    pages = phase(False, args.seconds, "member, recorder and committee pages")
    errors = pages["errors"] + (base["errors"] if base else 0)
    met = pages["p95"] < P95_TARGET_MS and errors == 0
    floor = (
        f"; minimal view p95 {base['p95']:.0f} ms, pages {pages['p95'] / base['p95']:.1f}×" if base else ""
    )
    print(
        f"VERDICT {n} users: p95 {pages['p95']:.0f} ms (target < {P95_TARGET_MS} ms), "
        f"errors {errors} (target 0): {'met' if met else 'NOT met'}  "
        f"[{pages['rps']:.1f} pages/s, median {pages['median']:.0f} ms{floor}]"
    )
    return met


if __name__ == "__main__":
    sys.exit(main())
