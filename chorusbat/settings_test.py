"""Settings for the test suite: a private data directory, fixed keys, fast hashing, in-memory mail."""

import os
import tempfile

os.environ["CHORUSBAT_DATA_DIR"] = tempfile.mkdtemp(prefix="chorusbat-test-")
os.environ.setdefault("CHORUSBAT_ENCRYPTION_KEYS", "mL5ByCkG8vEVOgmSM2V-6OZ3nDNyZkqTC-KkPLpE3p8=")
os.environ.setdefault("CHORUSBAT_SECRET_KEY", "test-secret-key-not-for-production")
# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from chorusbat.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False}

# A file, not memory, so that several processes (worker subprocesses, the live server) can share the test database.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405

# Tests never reach a real Chorus Pro: no PISTE application for qualification/production, and the sandbox URL
# points at a closed port unless a test starts the sandbox (the `sandbox` fixture) and says otherwise.
# Worker subprocesses started by a test receive the test's database and sandbox through CHORUSBAT_TEST_* variables.
CHORUSBAT_SANDBOX_URL = os.environ.get("CHORUSBAT_TEST_SANDBOX_URL", "http://127.0.0.1:9")
CHORUSBAT_PISTE_APPLICATIONS = {
    "sandbox": {"client_id": os.environ.get("CHORUSBAT_TEST_PISTE_ID", "not-a-sandbox-client"),
                "client_secret": os.environ.get("CHORUSBAT_TEST_PISTE_SECRET", "not-a-sandbox-secret")},
    "qualification": {"client_id": "", "client_secret": ""},
    "production": {"client_id": "", "client_secret": ""},
}
CHORUSBAT_INTERACTIVE_TIMEOUT = 3.0
CHORUSBAT_BACKGROUND_TIMEOUT = 2.0

# The gateway waits seconds in production; tests shrink the waits (the logic is the same).
CHORUSBAT_GATEWAY_LEASE_SECONDS = float(os.environ.get("CHORUSBAT_TEST_LEASE_SECONDS", "20"))
CHORUSBAT_GATEWAY_RETRY_BASE_SECONDS = 0.2
CHORUSBAT_GATEWAY_FLUX_POLL_SECONDS = 0.2
CHORUSBAT_GATEWAY_UNCERTAIN_WAIT_SECONDS = 0.3
CHORUSBAT_GATEWAY_HOLD_RECHECK_SECONDS = 0.5
CHORUSBAT_GATEWAY_CLAIM_GRACE_SECONDS = float(os.environ.get("CHORUSBAT_TEST_CLAIM_GRACE_SECONDS", "2"))
CHORUSBAT_GATEWAY_FLUX_ERROR_GRACE_SECONDS = 2.0

if os.environ.get("CHORUSBAT_TEST_DB_NAME"):  # a worker subprocess of a test: use that test's database
    DATABASES["default"]["NAME"] = os.environ["CHORUSBAT_TEST_DB_NAME"]  # noqa: F405

# The suite validates in process whatever the developer's environment says; the shared validator has its own tests.
CHORUSBAT_VALIDATOR_SOCKET = ""
