"""The load benchmark's driver: one thread per simulated user, each with its own http.client connection
and session cookie, pausing between pages as a person does."""

from __future__ import annotations

import http.client
import http.cookies
import random
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass

from bench.load_cast import Cast

HOST = "127.0.0.1"

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
    cpu_start: dict[str, float]  # cumulative CPU seconds at the window's start and end (load_report.py)
    cpu_end: dict[str, float]


def run_phase(users: list[SimulatedUser], seconds: float, warmup: float, think: float, probe) -> PhaseResult:
    """All users at once, each pausing a random time (exponential, mean `think` seconds) before each
    request, the first one included so they do not all start together. Samples that end inside the
    measured window [warm-up end, end] count."""
    stop = threading.Event()
    per_thread: list[list[Sample]] = [[] for _ in users]

    def loop(user: SimulatedUser, out: list[Sample]):
        while not stop.wait(user.rng.expovariate(1 / think)):
            out.append(user.next())

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
    samples = [s for out in per_thread for s in out if window_start <= s.end <= window_end]
    return PhaseResult(samples, window_end - window_start, cpu_start, cpu_end)
