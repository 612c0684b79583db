"""Django settings for chorusbat.

Everything comes from environment variables. Without any, chorusbat runs locally with safe defaults:
SQLite in the data directory, a secret key and an encryption key generated once into that directory,
e-mails written to files, and the local Chorus Pro sandbox as the Chorus Pro environment.

Production (``CHORUSBAT_MODE=production``) refuses to start without an explicit secret key and
encryption keys, and never falls back to generated ones.

Variables:
    CHORUSBAT_MODE              ``development`` (default) or ``production``
    CHORUSBAT_DATA_DIR          where the SQLite file, generated keys, mails and documents live (``./var``)
    CHORUSBAT_SECRET_KEY        Django's secret key
    CHORUSBAT_ENCRYPTION_KEYS   comma-separated Fernet keys; the first encrypts, all decrypt (rotation)
    DATABASE_URL                e.g. ``postgres://user:pw@127.0.0.1:5432/chorusbat``; SQLite when absent
    CHORUSBAT_ALLOWED_HOSTS     comma-separated host names (``127.0.0.1,localhost`` by default)
    CHORUSBAT_EMAIL_URL         ``smtp://user:pw@host:587`` (production), else a file backend in the data dir
    CHORUSBAT_DEFAULT_FROM_EMAIL
    CHORUSBAT_SANDBOX_URL       base URL of the local Chorus Pro sandbox (``http://127.0.0.1:8100``)
    CHORUSBAT_PISTE_<ENV>_CLIENT_ID / CHORUSBAT_PISTE_<ENV>_CLIENT_SECRET
                                the platform's PISTE application for ENV = SANDBOX, QUALIFICATION, PRODUCTION
    CHORUSBAT_VALIDATOR_SOCKET  Unix socket of this machine's shared validator (``chorusbat validator``); when
                                empty (the default) each process runs the schematrons itself
    CHORUSBAT_METRICS_TOKEN     bearer token that /metrics requires (metrics disabled when empty)
    CHORUSBAT_TRUST_X_FORWARDED_PROTO
                                ``1`` behind a TLS proxy that sets X-Forwarded-Proto (and strips it from clients)
    CHORUSBAT_REQUIRE_ADMIN_2FA ``1``: administrators must use two-factor authentication (off by default)
    CHORUSBAT_HSTS_SECONDS      Strict-Transport-Security max-age in production (default one year)
    PROMETHEUS_MULTIPROC_DIR    where this machine's processes keep their counters (``DATA_DIR/metrics``)
    CHORUSBAT_GATEWAY_FLUX_ERROR_GRACE_SECONDS   a flux in an error state is held for a person after this (6 h)
    CHORUSBAT_GATEWAY_DEPOSITED_DEADLINE_SECONDS a deposited flux not settled by then is held for a person (3 days)
    CHORUSBAT_WORKS_UNPROBED_ALLOWED             ``1``: send works pieces to production without a confirming probe
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

MODE = os.environ.get("CHORUSBAT_MODE", "development").strip().lower()
if MODE not in {"development", "production"}:
    raise ImproperlyConfigured("CHORUSBAT_MODE must be 'development' or 'production'.")
PRODUCTION = MODE == "production"

DATA_DIR = Path(os.environ.get("CHORUSBAT_DATA_DIR", BASE_DIR / "var")).resolve()
# Everything chorusbat writes (the SQLite database, generated keys, mails, documents, the sandbox state) is
# private to the user running it: directories 0700, files 0600, whoever creates them (web, worker, scheduler).
os.umask(0o077)
DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
try:
    DATA_DIR.chmod(0o700)  # also a directory an earlier version created world-readable
except PermissionError:  # a directory owned by someone else: left as its owner set it
    pass


def _local_secret(name: str, factory) -> str:
    """Read a generated development secret from the data directory, creating it on first use."""
    path = DATA_DIR / name
    if not path.exists():
        path.write_text(factory())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("CHORUSBAT_SECRET_KEY", "")
_keys = os.environ.get("CHORUSBAT_ENCRYPTION_KEYS", "")
if PRODUCTION:
    if not SECRET_KEY:
        raise ImproperlyConfigured("Production mode needs CHORUSBAT_SECRET_KEY.")
    if not _keys:
        raise ImproperlyConfigured("Production mode needs CHORUSBAT_ENCRYPTION_KEYS.")
else:
    SECRET_KEY = SECRET_KEY or _local_secret("secret_key", lambda: secrets.token_urlsafe(50))
    _keys = _keys or _local_secret("encryption_key", lambda: Fernet.generate_key().decode())
ENCRYPTION_KEYS = [k.strip() for k in _keys.split(",") if k.strip()]

# Off in every mode (French error pages, no traceback in a page) unless CHORUSBAT_DEBUG=1 is asked for.
DEBUG = os.environ.get("CHORUSBAT_DEBUG", "0") == "1"
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("CHORUSBAT_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
if not PRODUCTION:
    ALLOWED_HOSTS += ["testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "chorusbat.web",
    "chorusbat.accounts",
    "chorusbat.markets",
    "chorusbat.situations",
    "chorusbat.invoicing",
    "chorusbat.gateway",
    "chorusbat.ops",
    "axes",
    "chorusbat.books",
    "chorusbat.contracts",
    "chorusbat.people",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "chorusbat.api",
    "ninja",  # serves its own Swagger UI files for /api/v1/docs (never a CDN)
]

MIDDLEWARE = [
    "chorusbat.ops.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "chorusbat.accounts.middleware.CurrentMembershipMiddleware",
    "chorusbat.people.middleware.TwoFactorMiddleware",
    "chorusbat.web.middleware.FrenchErrorPagesMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chorusbat.urls"
WSGI_APPLICATION = "chorusbat.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chorusbat.accounts.context_processors.membership",
            ],
        },
    },
]

_database_url = os.environ.get("DATABASE_URL", "").strip()
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "chorusbat.sqlite3",
            # Several processes (web, worker) share the file: wait for locks instead of failing,
            # take the write lock at the start of a transaction, and let readers run beside writers.
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login brute force (django-axes): after AXES_FAILURE_LIMIT wrong passwords an account is locked, wherever they
# come from, and so is an address, whatever accounts it tries; for AXES_COOLOFF_TIME, or until an administrator
# runs `chorusbat unlock-login USERNAME` (or `--ip ADDRESS`). A successful login resets the account's counter.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("CHORUSBAT_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("CHORUSBAT_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/lockout.html"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Two-factor authentication is optional for everyone; ``1`` makes it compulsory for administrators.
REQUIRE_ADMIN_TWO_FACTOR = os.environ.get("CHORUSBAT_REQUIRE_ADMIN_2FA", "") == "1"
OTP_TOTP_ISSUER = "chorusbat"

# French for everyone, whatever the browser asks (the catalogues are French; English, the language of the code,
# can be offered later as a user preference).
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Production: WhiteNoise serves the collected files (`chorusbat serve` collects them) compressed, with hashed names
# cached forever. Development and tests serve them from the apps as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage" if PRODUCTION
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Locally (DEBUG on or off), WhiteNoise serves the apps' files directly, re-read when they change.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

# Security headers, in every mode (what is tested is what runs): no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Production is served over HTTPS only (`chorusbat check --deploy` is clean), except the probes: load balancers and
# scrapers speak plain HTTP to /healthz, /readyz and /metrics. Behind a TLS-terminating proxy that sets
# X-Forwarded-Proto (and overwrites it from clients), set CHORUSBAT_TRUST_X_FORWARDED_PROTO=1
# (CHORUSBAT_PROXY_SSL_HEADER=1 is the same).
if "1" in (os.environ.get("CHORUSBAT_TRUST_X_FORWARDED_PROTO", "0"), os.environ.get("CHORUSBAT_PROXY_SSL_HEADER", "0")):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("CHORUSBAT_SSL_REDIRECT", "1") == "1"
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("CHORUSBAT_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "chorusbat.web.views.csrf_failure"
DEFAULT_EXCEPTION_REPORTER_FILTER = "chorusbat.web.reporting.ChorusbatExceptionReporterFilter"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Mail: SMTP in production, files under the data directory locally (readable by a person and by tests).
_email_url = os.environ.get("CHORUSBAT_EMAIL_URL", "").strip()
if _email_url:
    _u = urlparse(_email_url)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _u.hostname or "localhost"
    EMAIL_PORT = _u.port or 587
    EMAIL_HOST_USER = unquote(_u.username or "")
    EMAIL_HOST_PASSWORD = unquote(_u.password or "")
    EMAIL_USE_TLS = _u.scheme in {"smtp", "submission"}
    EMAIL_USE_SSL = _u.scheme == "smtps"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mails"
DEFAULT_FROM_EMAIL = os.environ.get("CHORUSBAT_DEFAULT_FROM_EMAIL", "chorusbat <no-reply@chorusbat.localhost>")

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Chorus Pro. The PISTE application (OAuth2 client) belongs to the platform running chorusbat, one per
# environment: CHORUSBAT_PISTE_<SANDBOX|QUALIFICATION|PRODUCTION>_CLIENT_ID / _CLIENT_SECRET. A company may
# override it with its own application (Mon compte). In development, the local sandbox's application is asked of
# the sandbox itself when not given.
CHORUSBAT_SANDBOX_URL = os.environ.get("CHORUSBAT_SANDBOX_URL", "http://127.0.0.1:8100").rstrip("/")
CHORUSBAT_PISTE_APPLICATIONS = {
    env: {
        "client_id": os.environ.get(f"CHORUSBAT_PISTE_{env.upper()}_CLIENT_ID", ""),
        "client_secret": os.environ.get(f"CHORUSBAT_PISTE_{env.upper()}_CLIENT_SECRET", ""),
    }
    for env in ("sandbox", "qualification", "production")
}
# Seconds: interactive checks (a person waits) and background calls (the worker waits).
CHORUSBAT_INTERACTIVE_TIMEOUT = float(os.environ.get("CHORUSBAT_INTERACTIVE_TIMEOUT", "10"))
CHORUSBAT_BACKGROUND_TIMEOUT = float(os.environ.get("CHORUSBAT_BACKGROUND_TIMEOUT", "30"))
# Seconds a flux may stay in an error state (IN_INCIDENTE, IN_ERREUR_INTERNE, QP_IRRECEVABLE, QP_RECEVABLE_AVEC_ERREUR)
# before its transmission is held for a person (Chorus Pro may still move it on), and the overall deadline of a
# deposited flux (then held for a person too).
CHORUSBAT_GATEWAY_FLUX_ERROR_GRACE_SECONDS = float(os.environ.get("CHORUSBAT_GATEWAY_FLUX_ERROR_GRACE_SECONDS",
                                                                  str(6 * 3600)))
CHORUSBAT_GATEWAY_DEPOSITED_DEADLINE_SECONDS = float(os.environ.get("CHORUSBAT_GATEWAY_DEPOSITED_DEADLINE_SECONDS",
                                                                    str(3 * 24 * 3600)))
# Works pieces (A4, A10, A13) to production are held until `chorusbat chorus probe` confirmed the works API on the
# company's platform; "1" lifts that hold.
CHORUSBAT_WORKS_UNPROBED_ALLOWED = os.environ.get("CHORUSBAT_WORKS_UNPROBED_ALLOWED", "0") == "1"

# Gateway timings, in seconds (chorusbat/gateway/machine.py explains each; tests shrink them).
# A worker holds a transmission for LEASE seconds, renewed at each write; a worker that dies mid-step loses it then.
CHORUSBAT_GATEWAY_LEASE_SECONDS = 300.0
# A task taken from the queue without its transmission's lease being taken this long after: its worker died.
CHORUSBAT_GATEWAY_CLAIM_GRACE_SECONDS = 30.0
# A step not started max(LEASE, CLAIM_GRACE) + this margin after it was due is shown as overdue on the dashboard.
CHORUSBAT_GATEWAY_OVERDUE_MARGIN_SECONDS = 120.0
# Back-off base after a failed call (5 s, 10 s, 20 s … capped at 10 minutes).
CHORUSBAT_GATEWAY_RETRY_BASE_SECONDS = 5.0
# First wait before looking at a deposited flux again (then a quarter of the time since the deposit, ≤ 10 min).
CHORUSBAT_GATEWAY_FLUX_POLL_SECONDS = 5.0
# Before looking up a deposit of unknown outcome, leave Chorus Pro time to process a flux it did receive.
CHORUSBAT_GATEWAY_UNCERTAIN_WAIT_SECONDS = 60.0
# A held transmission is re-examined by itself this often (a person's fix resumes it at once).
CHORUSBAT_GATEWAY_HOLD_RECHECK_SECONDS = 60.0

# The Factur-X schematrons run in each process (empty), or in the machine's shared validator listening there.
CHORUSBAT_VALIDATOR_SOCKET = os.environ.get("CHORUSBAT_VALIDATOR_SOCKET", "").strip()

# Operations (chorusbat.ops): the metrics token, and where this machine's processes keep their counters.
CHORUSBAT_METRICS_TOKEN = os.environ.get("CHORUSBAT_METRICS_TOKEN", "").strip()
CHORUSBAT_ERROR_PROBE = os.environ.get("CHORUSBAT_ERROR_PROBE", "0") == "1"  # /ops/error-probe fails on purpose
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(DATA_DIR / "metrics"))
Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)

# Logs on standard error: one JSON object per line in production (chorusbat.ops.requestlog), plain text locally.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
                   "json": {"()": "chorusbat.ops.requestlog.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json" if PRODUCTION else "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CHORUSBAT_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        # One line per request in production; locally the development server already prints one.
        "chorusbat.request": {"level": "INFO" if PRODUCTION else "WARNING"},
        # Document rendering libraries are chatty at INFO (fonts, subsetting): keep their warnings only.
        "fontTools": {"level": "WARNING"},
        "factur-x": {"level": "WARNING"},
        "facturx": {"level": "WARNING"},
        # httpx logs every request at INFO (URLs only, never headers); chorusbat logs what matters itself.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        # The task library logs every task at INFO; the gateway's own events say what happened.
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
    },
}
