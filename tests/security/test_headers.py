import gc
import json
import logging
import multiprocessing
import re
import runpy

from django.conf import settings
from django.urls import reverse

from config.logs import JsonFormatter, RequestIdFilter, request_id_var

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def test_it_sends_the_content_security_policy(client, db):
    response = client.get(reverse("login"))
    assert response["Content-Security-Policy"] == CSP
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_sends_the_policy_on_signed_in_pages_too(client, cast):
    client.force_login(cast.member.user)
    assert client.get("/")["Content-Security-Policy"] == CSP


def test_it_gives_every_response_a_request_id(client, db):
    first = client.get(reverse("login"))["X-Request-ID"]
    second = client.get(reverse("login"))["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


def test_it_keeps_a_proxy_request_id_only_if_it_looks_like_one(client, db):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234abcd")["X-Request-ID"] == "lb-1234abcd"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


def test_it_writes_json_log_lines_with_the_request_id():
    record = logging.LogRecord("jifen.security", logging.INFO, __file__, 1, "登录 %s", ("member",), None)
    token = request_id_var.set("abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "INFO" and line["logger"] == "jifen.security"
    assert line["message"] == "登录 member" and line["request_id"] == "abc123"
    assert line["time"].endswith("+00:00")


def test_it_logs_json_in_production():
    # config/settings/test.py quiets logging; the production choice is made in base.py.
    from config.settings import base

    assert base.LOGGING["handlers"]["console"]["formatter"] == base.LOG_FORMAT
    assert base.LOGGING["formatters"]["json"]["()"] == "config.logs.JsonFormatter"


def test_it_starts_two_gunicorn_workers_per_core_plus_one(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    conf = runpy.run_path(str(settings.BASE_DIR / "config" / "gunicorn.conf.py"))
    assert conf["workers"] == 2 * multiprocessing.cpu_count() + 1
    assert conf["timeout"] == 60 and conf["graceful_timeout"] == 30


def test_workers_collect_cycles_less_often_than_python_by_default(monkeypatch):
    monkeypatch.delenv("GUNICORN_GC_THRESHOLD", raising=False)
    conf = runpy.run_path(str(settings.BASE_DIR / "config" / "gunicorn.conf.py"))
    before = gc.get_threshold()
    try:
        conf["post_fork"](server=None, worker=None)
        assert gc.get_threshold() == (7000, 20, 20)
        monkeypatch.setenv("GUNICORN_GC_THRESHOLD", "1000")
        runpy.run_path(str(settings.BASE_DIR / "config" / "gunicorn.conf.py"))["post_fork"](None, None)
        assert gc.get_threshold()[0] == 1000
    finally:
        gc.set_threshold(*before)


def test_it_preloads_the_app_and_forks_workers_without_a_database_connection(monkeypatch):
    from django.db import connections

    for name in ("GUNICORN_PRELOAD", "GUNICORN_MAX_REQUESTS"):
        monkeypatch.delenv(name, raising=False)
    conf = runpy.run_path(str(settings.BASE_DIR / "config" / "gunicorn.conf.py"))
    assert conf["preload_app"] is True
    assert conf["max_requests"] == 5000 and conf["max_requests_jitter"] == 500
    closed, frozen = [], []
    monkeypatch.setattr(connections, "close_all", lambda: closed.append(True))
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    conf["pre_fork"](server=None, worker=None)
    assert closed == [True]  # the master's connections are closed before every fork
    assert frozen == [True]  # and the loaded app's objects kept out of the workers' collections
    monkeypatch.setenv("GUNICORN_PRELOAD", "false")
    assert runpy.run_path(str(settings.BASE_DIR / "config" / "gunicorn.conf.py"))["preload_app"] is False
