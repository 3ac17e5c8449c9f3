"""The one settings module. Every knob is an ``ACCORD_*`` environment variable with a
safe embedded default, so ``accord demo`` works with no configuration at all."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from accord.platform.secret_key import ensure_secret_key_file


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("ACCORD_DATA_DIR", "./var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
BLOB_DIR = DATA_DIR / "blobs"
# The analytics warehouse (DuckDB); beside the database unless ACCORD_WAREHOUSE says.
ANALYTICS_WAREHOUSE = os.environ.get("ACCORD_WAREHOUSE") or None
# Analytics assumptions (JSON, e.g. {"margin": 0.4, "channel_costs": {"call": 6}}) over the
# defaults in analytics/domain/run_settings.py; checked when a run starts.
try:
    ANALYTICS = json.loads(os.environ.get("ACCORD_ANALYTICS") or "{}")
except ValueError as exc:
    raise ImproperlyConfigured(f"ACCORD_ANALYTICS is not valid JSON: {exc}") from exc
# The hour (UTC) from which `accord worker` starts the nightly analytics run.
ANALYTICS_NIGHTLY_HOUR = int(os.environ.get("ACCORD_ANALYTICS_HOUR", "2"))

DEBUG = _env_bool("ACCORD_DEBUG", False)


SECRET_KEY_FILE = DATA_DIR / "secret_key"


def _secret_key() -> str:
    """ACCORD_SECRET_KEY, else the key kept in the data directory.

    Outside debug the key must be chosen, not invented at start-up: either set
    ACCORD_SECRET_KEY, or let `accord demo` (the one-command embedded install) generate
    the data directory's key file once. Debug generates the file on first use."""
    key = os.environ.get("ACCORD_SECRET_KEY")
    if key:
        return key
    if DEBUG:
        ensure_secret_key_file(SECRET_KEY_FILE)
    if not SECRET_KEY_FILE.exists():
        raise ImproperlyConfigured(
            "ACCORD_SECRET_KEY is required outside debug. Set it, or run `accord demo` once "
            f"to generate a key in {SECRET_KEY_FILE}.")
    return SECRET_KEY_FILE.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ACCORD_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("ACCORD_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# Default region for phone numbers written without a country code (ISO 3166 alpha-2).
DEFAULT_PHONE_REGION = os.environ.get("ACCORD_DEFAULT_REGION", "GB").upper()

# The organisation's own email domains and shared mailboxes (comma-separated): mail from
# them is outbound and their addresses never become customers. Staff users' addresses
# count as own too; each capture source can add more.
OWN_EMAIL_DOMAINS = [d.strip().lower() for d in
                     os.environ.get("ACCORD_OWN_DOMAINS", "").split(",") if d.strip()]
OWN_EMAIL_ADDRESSES = [a.strip().lower() for a in
                       os.environ.get("ACCORD_OWN_ADDRESSES", "").split(",") if a.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves Swagger UI from its own static files, not a CDN
    "django_tasks",
    "django_tasks_db",
    "accord.platform",
    "accord.accounts",
    "accord.customers",
    "accord.interactions",
    "accord.transactions",
    "accord.capture",
    "accord.analytics",
    "accord.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "accord.urls"
WSGI_APPLICATION = "accord.wsgi.application"
ASGI_APPLICATION = "accord.asgi.application"

TEMPLATES = [
    # Accord's own pages: Jinja2 (ADR 0007), from each app's jinja2/ folder. The backend
    # adds request, csrf_input and csrf_token itself.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "accord.web.jinja.environment",
            "context_processors": [
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    # Django admin and django-ninja's API docs page ship Django templates.
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("ACCORD_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'accord.sqlite3'}"
# Each worker keeps its connection (and SQLite its page cache) across requests, checked
# before reuse: a reconnect per request costs more than most of our queries.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600,
                                              conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run while one writer commits; IMMEDIATE avoids upgrade deadlocks.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000; PRAGMA mmap_size=268435456;"
        ),
    }
    # Tests get a file, not Django's in-memory database: the analytics warehouse reads the
    # store over its own (ADBC) connection, which cannot see another library's memory.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"accord-test-{os.getpid()}.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters sent apart from the SQL, and psycopg preparing a statement from its fifth
    # use: PostgreSQL plans the queries every page repeats once per connection, not once
    # per request (planning the Customer View's joins costs more than running them).
    # Django leaves preparing off for transaction-mode poolers; Accord connects directly
    # (a pooler in front must support prepared statements, e.g. PgBouncer >= 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("ACCORD_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app folders: no collectstatic step for the embedded install.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-backed meta tag
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ACCORD_LOG_LEVEL", "WARNING")},
}
