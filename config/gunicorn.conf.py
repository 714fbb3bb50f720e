"""Production server: `gunicorn config.wsgi -c config/gunicorn.conf.py` (see README, 安全与运维).

Every value can be overridden from the environment without editing this file.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# The usual rule for synchronous workers: two per core plus one.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Long enough for a committee-wide PDF or xlsx export; a request stuck longer is killed and logged.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then so a slow leak (fonts, PDF caches) never grows without bound, but not so
# often that a busy hour keeps paying for new workers: each one starts with empty caches (compiled
# templates, branch scores), which at ~100 pages/s and 1000 requests was ten new workers a minute.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# Load Django once in the master and fork the workers from it: a recycled worker starts at once instead
# of importing the project again (~0.5 s of CPU each), and the workers share the loaded code's memory.
# Code changes need a restart of the service (not a HUP), as any deployment does.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() not in ("0", "false", "no")


# A request allocates tens of thousands of short-lived objects, nearly all freed by reference counting:
# a higher threshold than Python's 700 keeps the cyclic collector from walking them again and again.
GC_THRESHOLD = (int(os.environ.get("GUNICORN_GC_THRESHOLD", "7000")), 20, 20)


def pre_fork(server, worker):
    """Never hand a database connection to a worker: the master must not share its socket with the
    children (nothing opens one while loading the app, this makes sure of it). The loaded app's objects
    are moved out of the collector's sight (gc.freeze): no worker walks them, or copies the memory
    pages holding them by touching their collector headers."""
    if preload_app:
        from django.db import connections

        connections.close_all()
        gc.collect()
        gc.freeze()


def post_fork(server, worker):
    gc.set_threshold(*GC_THRESHOLD)


# Headers from the reverse proxy (X-Forwarded-Proto) are trusted only from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Requests bigger than Django's own upload limits never reach a worker.
limit_request_line = 4094
limit_request_fields = 100
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s" %({x-request-id}o)s'
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
