"""Settings for every environment, read from environment variables (and `.env` if present).

Production sets DJANGO_SETTINGS_MODULE=config.settings.base (the default) with SECRET_KEY,
ALLOWED_HOSTS and DATABASE_URL; `make run` writes a `.env` that asks for DEBUG on a laptop.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_dates, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Values already in the environment win over the file, so CI and production are never
# overridden by a stray developer .env.
if env_bool("DJANGO_READ_DOT_ENV", True):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production" if DEBUG else None)
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "Environment variable SECRET_KEY is required when DJANGO_DEBUG is off (set it, or DJANGO_DEBUG=true)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "import_export",
    "branches",
    "members",
    "members.security.apps.SecurityConfig",
    "points",
    "study",
]

MIDDLEWARE = [
    "config.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: both need the user, and a timeout leaves a message.
    "members.security.middleware.SessionSecurityMiddleware",
    "members.security.middleware.SecurityLogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "branches.context_processors.actor",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": CONTEXT_PROCESSORS},
    },
]

try:
    DATABASES = {
        "default": environ.Env.db_url_config(env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
    }
except (ImproperlyConfigured, KeyError, ValueError) as exc:
    raise ImproperlyConfigured(
        f"Environment variable DATABASE_URL is not a valid database URL: {exc}"
    ) from exc
if DATABASES["default"].get("ENGINE") not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
    raise ImproperlyConfigured(
        "Environment variable DATABASE_URL must start with sqlite:/// or postgres:// "
        f"(got engine {DATABASES['default'].get('ENGINE')!r})."
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60, minimum=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Rendered report PDFs kept by content (points.reports.pdf.render_pdf_cached): disposable, not backed up.
PDF_CACHE_DIR = Path(env_str("PDF_CACHE_DIR", str(BASE_DIR / "var" / "pdf-cache")))
# A report with more table rows than this is laid out in the background, the user told to
# come back, rather than holding the request (and a worker) for up to half a minute.
PDF_INLINE_ROWS = env_int("PDF_INLINE_ROWS", 300, minimum=0)
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploads: rosters and evidence stay small; a bigger request is refused before it reaches a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
ROSTER_MAX_UPLOAD_BYTES = 5 * 1024 * 1024
ROSTER_MAX_UNPACKED_BYTES = 50 * 1024 * 1024
ROSTER_MAX_ROWS = 5000

# Security headers. Production runs behind HTTPS; an intranet on plain HTTP must say so
# explicitly with DJANGO_SECURE_COOKIES=false and DJANGO_SSL_REDIRECT=false.
SECURE_COOKIES = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline scripts or styles anywhere (config/middleware.py); DJANGO_CSP_REPORT_ONLY=true only to
# find violations in a browser console without breaking pages.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
CSP_REPORT_ONLY = env_bool("DJANGO_CSP_REPORT_ONLY", False)
# The load balancer probes /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# An intranet host is never on the browsers' public HSTS preload list, so preloading is not offered.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Accounts and sessions (members/security/, docs/security.md). 等保二级: lock after repeated failures,
# end idle sessions, cap a session's length, keep the security log at least six months.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
# Per address: raise it where a whole department reaches the server through one NAT address.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 5, minimum=1)
LOGIN_FAILURE_WINDOW_MINUTES = env_int("LOGIN_FAILURE_WINDOW_MINUTES", 15, minimum=1)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 30, minimum=1)
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12, minimum=1)
# The cookie and the stored session expire with the idle limit; the middleware refreshes both at
# most once a minute and enforces both limits itself.
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SECURITY_LOG_RETENTION_DAYS = 180
# How many reverse proxies of ours append to X-Forwarded-For (0: use REMOTE_ADDR).
SECURITY_TRUSTED_PROXIES = env_int(
    "DJANGO_TRUSTED_PROXIES", 1 if env_bool("DJANGO_BEHIND_PROXY", False) else 0, minimum=0
)
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "backups")))
# Every backup appends the audit chains' heads here (points/audit_heads.py); verify_audit compares the
# database with the last line. Keep it where the database's account cannot write, or ship it off.
AUDIT_HEADS_LOG = Path(env_str("AUDIT_HEADS_LOG", str(BASE_DIR / "var" / "audit-heads.jsonl")))

IMPORT_EXPORT_SKIP_ADMIN_ACTION_EXPORT_UI = True

# 排名靠后: the guideline gives no number; the scoring scheme holds the default (see docs/scoring.md).

# Production logs are JSON lines (config/logs.py); a laptop gets plain text.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(f"Environment variable LOG_FORMAT={LOG_FORMAT!r} must be json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "config.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}

# 公示期 (clause 四.5): the guideline sets no length; 5 working days is the common practice.
PUBLICITY_WORKING_DAYS = env_int("PUBLICITY_WORKING_DAYS", 5, minimum=1)
# Working days follow the State Council's holiday schedule (chinesecalendar knows the years up to its
# release). For a year it does not know yet, list the announced days off and the weekend days worked
# (调休上班) here until the package is upgraded; beyond both, Monday to Friday are working days.
EXTRA_HOLIDAYS = env_dates("EXTRA_HOLIDAYS")
EXTRA_WORKDAYS = env_dates("EXTRA_WORKDAYS")
