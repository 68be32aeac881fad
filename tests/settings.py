"""Test settings: the real settings on the real services, with a fast hasher and locmem email.

`make test` sets DATABASE_URL and REDIS_URL; running pytest directly uses the same defaults, so
the suite never falls back to SQLite or the in-memory layers without saying so.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/exchange")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from exchange.settings import *  # noqa: F403

# The suite's own process runs without the connection pool that production uses (and that
# the daphne processes some tests start keep): a pooled connection a test thread still holds
# when the suite ends keeps the test database busy, and Django cannot drop it.
# tests/test_settings.py checks the production settings.
DATABASES["default"].pop("OPTIONS", None)  # noqa: F405

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
SITE_URL = "http://testserver"
CONTENT_SECURITY_POLICY = content_security_policy(SITE_URL)  # noqa: F405
ACCOUNT_RATE_LIMITS = False
# WhiteNoise warns about a missing STATIC_ROOT; tests serve from the finders instead.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# Uploaded documents go to a throwaway folder, never into var/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="exchange-test-media-"))
