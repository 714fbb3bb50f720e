"""Settings of the gunicorn that bench/load.py starts: production settings (config.settings.base, read
from the environment that bench/load.py sets) plus one bench-only URL, the minimal view of the baseline.

Not for any real deployment: bench/load_urls.py adds /bench/minimal/ to the project's URLs.
"""

import os
from pathlib import Path

# Only the environment bench/load.py sets counts: a developer's .env (DEBUG=true) must not leak in.
os.environ["DJANGO_READ_DOT_ENV"] = "false"

from config.settings.base import *  # noqa: E402,F403
from config.settings.base import STORAGES  # noqa: E402

ROOT_URLCONF = "bench.load_urls"

# bench/load.py collects the static files into a temporary directory (production's manifest storage);
# without one, plain storage so the pages still render.
if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
else:
    STORAGES = {
        **STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
