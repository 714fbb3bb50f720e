"""What the load benchmark prints: latency figures per phase and per page, and how the cores were shared."""

from __future__ import annotations

import math
import os
import re
import statistics
import time
from pathlib import Path

from bench.load_client import PhaseResult, Sample


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
    cpu = cpu_use(result.cpu_start, result.cpu_end, result.seconds)
    print(f"{title}: {result.seconds:.1f} s measured")
    print(
        f"  cores busy: {cpu['machine']:.2f} of {os.cpu_count()} = gunicorn {cpu['gunicorn']:.2f} "
        f"+ PostgreSQL {cpu['postgres']:.2f} + the driver {cpu['driver']:.2f} + other {cpu['other']:.2f}"
        + (f" (and {cpu['steal']:.2f} stolen by the hypervisor)" if cpu["steal"] >= 0.01 else "")
    )
    if cpu["other"] > 0.2:
        print(
            f"  WARNING: other processes used {cpu['other']:.2f} cores during this phase: the machine was "
            "not quiet, the latencies include waiting for those cores"
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
