"""Test settings: the real settings on a chosen stack, with a fast hasher and locmem email.

Two stacks, chosen by EXCHANGE_TEST_STACK (docs/decisions.md, "Journeys on both stacks"):

- "services" (the default): PostgreSQL and Redis. `make test` sets DATABASE_URL and
  REDIS_URL; running pytest directly uses the same defaults, so the suite never falls back to
  SQLite or the in-memory layers without saying so.
- "embedded": what `make run` serves on, configured by exchange.settings exactly as there
  (no DATABASE_URL, no REDIS_URL: SQLite, the in-memory channel layer, eager Celery, the
  local-memory cache). The only differences are the test bits below, and that the SQLite file
  is in a throwaway folder (VAR_DIR) rather than var/. The test database is that very file, so
  a daphne process started with this environment opens the same database as the tests.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

EXCHANGE_TEST_STACK = os.environ.setdefault("EXCHANGE_TEST_STACK", "services")
if EXCHANGE_TEST_STACK == "services":
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/exchange")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
elif EXCHANGE_TEST_STACK == "embedded":
    # Said, not fixed quietly: a service URL here would test the other stack under this name.
    stray = [
        name
        for name in ("DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER")
        if os.environ.get(name)
    ]
    if stray:
        raise ImproperlyConfigured(
            "EXCHANGE_TEST_STACK=embedded runs as `make run` does: unset " + ", ".join(stray)
        )
    if "EXCHANGE_TEST_VAR_DIR" not in os.environ:
        # The first process (pytest) makes the folder; the servers it starts inherit it.
        os.environ["EXCHANGE_TEST_VAR_DIR"] = tempfile.mkdtemp(prefix="exchange-test-embedded-")
        atexit.register(shutil.rmtree, os.environ["EXCHANGE_TEST_VAR_DIR"], ignore_errors=True)
    os.environ["VAR_DIR"] = os.environ["EXCHANGE_TEST_VAR_DIR"]
else:
    raise ImproperlyConfigured(
        f"EXCHANGE_TEST_STACK must be services or embedded, got {EXCHANGE_TEST_STACK!r}"
    )
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SITE_URL", "http://testserver")
# A fixed test key (a Fernet key: 32 url-safe base64 bytes), never a real one.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "dGVzdHMtb25seS1maWVsZC1rZXktMDEyMzQ1Njc4OWE=")

from exchange.settings import *  # noqa: E402, F403

# The suite's own process runs without the connection pool that production uses (and that
# the daphne processes some tests start keep): a pooled connection a test thread still holds
# when the suite ends keeps the test database busy, and Django cannot drop it.
# tests/test_settings.py checks the production settings.
DATABASES["default"].pop("OPTIONS", None)  # noqa: F405
if EXCHANGE_TEST_STACK == "embedded":
    # A file, not SQLite's in-memory test database: the same file `make run` would open in
    # VAR_DIR, which a daphne process started by a test opens too.
    DATABASES["default"]["TEST"] = {"NAME": DATABASES["default"]["NAME"]}  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ACCOUNT_RATE_LIMITS = False
# WhiteNoise warns about a missing STATIC_ROOT; tests serve from the finders instead.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# Uploaded documents go to a throwaway folder, never into var/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="exchange-test-media-"))
