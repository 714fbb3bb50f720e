import json
import os
import subprocess
import sys

from django.conf import settings
from django.test import override_settings


def test_it_answers_ok_without_a_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_it_refuses_a_post(client, db):
    assert client.post("/healthz").status_code == 405


@override_settings(SECURE_SSL_REDIRECT=True)
def test_it_answers_the_load_balancer_over_plain_http(client, db):
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


def test_it_answers_503_when_the_database_is_down():
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL="postgres://nobody@127.0.0.1:9/nothing",
        PGCONNECT_TIMEOUT="3",
    )
    script = "from django.test import Client; r = Client().get('/healthz'); print(r.status_code, r.content.decode())"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    status, body = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "503", result.stderr
    assert json.loads(body) == {"status": "unavailable"}
