"""Test settings: the same as production but fast hashing, plain static storage and an
explicit database (SQLite in a file by default, DATABASE_URL for PostgreSQL)."""

import os
from pathlib import Path

# Tests never read a developer's .env: they must behave the same on every machine.
os.environ["DJANGO_READ_DOT_ENV"] = "false"
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "false")
os.environ.setdefault("DJANGO_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from .base import *  # noqa: E402,F403
from .base import STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Manifest storage 404s under live_server (nothing was collected): serve from the finders.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# A child `manage.py` run by a test (restore) may be pointed elsewhere with TEST_MEDIA_ROOT.
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT") or BASE_DIR / ".test-media")  # noqa: F405
PDF_CACHE_DIR = BASE_DIR / ".test-pdf-cache"  # noqa: F405
# Tests that back up point this at tmp_path (tests/security/conftest.py) and pass it on to a child.
AUDIT_HEADS_LOG = Path(os.environ.get("AUDIT_HEADS_LOG") or BASE_DIR / ".test-audit-heads.jsonl")  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Nothing is collected in tests: let WhiteNoise find static files where they live.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
