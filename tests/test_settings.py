import os
import subprocess
import sys

from django.conf import settings


def _check(env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.base", "DJANGO_READ_DOT_ENV": "false"})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_fails_loudly_without_a_secret_key():
    result = _check({})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_names_a_bad_boolean():
    result = _check({"DJANGO_DEBUG": "ture"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_it_names_a_bad_database_url():
    result = _check({"SECRET_KEY": "x" * 60, "DATABASE_URL": "nosuchdb://x"})
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_it_speaks_chinese_in_shanghai():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"


def _database_options(env_overrides) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "DATABASE_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.base", "DJANGO_READ_DOT_ENV": "false"})
    env.update({"SECRET_KEY": "x" * 60, **env_overrides})
    code = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS'))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_it_prepares_statements_on_postgresql_unless_told_not_to():
    url = {"DATABASE_URL": "postgres://u@127.0.0.1:5432/x"}
    assert _database_options(url) == "{'server_side_binding': True, 'prepare_threshold': 5}"
    assert _database_options({**url, "DB_PREPARE_THRESHOLD": "2"}).endswith("'prepare_threshold': 2}")
    # 0 turns preparing off (a pooler in transaction mode); psycopg's own 0 would prepare at once.
    assert _database_options({**url, "DB_PREPARE_THRESHOLD": "0"}).endswith("'prepare_threshold': None}")
    assert _database_options({"DATABASE_URL": "sqlite:///x.db"}) in ("None", "{}")
