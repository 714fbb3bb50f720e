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
