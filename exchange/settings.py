"""Settings for the exchange portal.

Everything comes from the environment through the small typed helpers below. With no
environment at all the portal runs on embedded defaults: SQLite, the in-memory channel
layer, eager Celery, a local-memory cache and email written to files under var/mail/.
DATABASE_URL switches to PostgreSQL; REDIS_URL switches the channel layer, the cache and
the Celery broker to Redis.
"""

import base64
import hashlib
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = envbool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-secret-key-never-used-in-production-0123456789abcdefghij"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def origin_of(url: str, *, name: str) -> str:
    """scheme://host[:port] of a URL; anything without a scheme and a host is refused."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ImproperlyConfigured(f"{name} must be an http(s) origin, got {url!r}")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _debug_twin(origin: str) -> list[str]:
    """While trying the portal out, 127.0.0.1 and localhost are the same site."""
    swap = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}
    parts = urlsplit(origin)
    if not DEBUG or parts.hostname not in swap:
        return []
    return [origin.replace(parts.hostname, swap[parts.hostname], 1)]


# A chat socket opens only from these origins, compared by scheme, host and port (DEBUG too):
# the site's own (SITE_URL) and CSRF_TRUSTED_ORIGINS, unless ALLOWED_ORIGINS names them.
ALLOWED_ORIGINS = [
    origin_of(origin, name="ALLOWED_ORIGINS")
    for origin in envlist(
        "ALLOWED_ORIGINS",
        [
            origin_of(SITE_URL, name="SITE_URL"),
            *_debug_twin(origin_of(SITE_URL, name="SITE_URL")),
            *CSRF_TRUSTED_ORIGINS,
        ],
    )
]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "template_partials",
    "channels",
    "core",
    "accounts",
    "exchange",
    "messaging",
    "outcomes",
    "privacy",
    "demo",
]

MIDDLEWARE = [
    "core.memo.RequestMemoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Below WhiteNoise, so static files keep their long caching; after authentication, so it
    # knows who is signed in.
    "core.cache.NoStorePrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    "accounts.middleware.UnderFourteenConsentGateMiddleware",
    "accounts.middleware.SecondFactorRequiredMiddleware",
]

ROOT_URLCONF = "exchange.urls"
ASGI_APPLICATION = "exchange.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.consent_status",
            ],
        },
    },
]

FORM_RENDERER = "exchange.rendering.PortalFormRenderer"

# --- Data stores -------------------------------------------------------------------------

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A pool per process (psycopg_pool). Under ASGI, Django runs sync code on changing
        # threads and closes the connection after each piece of work, and Channels closes it
        # around every database_sync_to_async call: without a pool each chat message opened
        # three new PostgreSQL connections (a server process each), which capped the chat at a
        # few dozen messages a second. Persistent connections (CONN_MAX_AGE) leak under ASGI.
        DATABASES["default"]["OPTIONS"] = {
            "pool": {
                "min_size": envint("DB_POOL_MIN", 2),
                "max_size": envint("DB_POOL_MAX", 10),
                "timeout": 10,
            }
        }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "portal.sqlite3",
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 caps an async pool at 100 connections and channels-redis does
                # not raise it: a burst of 100 sockets would fail with MaxConnectionsError.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": envint("REDIS_MAX_CONNECTIONS", 1000),
                        # redis-py 8 reads with a 5 s socket timeout by default, the same as
                        # channels-redis's 5 s blocking pop: every quiet receive timed out.
                        "socket_timeout": 15,
                    }
                ],
                # Each ASGI process listens through one relay channel carrying every room's
                # events (messaging/relay.py), so its queue must hold a burst of all rooms at
                # once: 100 clients posting twice a second is 200 events a second.
                "capacity": envint("CHANNEL_CAPACITY", 5000),
                # An event waits at most this long; anything older is read from the database
                # when the relay catches up, so a short expiry loses nothing.
                "expiry": 30,
                # The relay joins its groups again every hour, well inside this.
                "group_expiry": 24 * 3600,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Celery ------------------------------------------------------------------------------

# A host in the URL, so kombu doesn't log "No hostname was supplied" on the embedded default.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A prefork worker child whose memory (RSS, KiB) passed this after a task is replaced: a
# child holds ~150 MiB of fonts and caches after rendering certificates.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = envint("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 400_000)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# How much more memory a certificate task may map while it renders (exchange/limits.py).
CERTIFICATE_RENDER_MEMORY_MB = envint("CERTIFICATE_RENDER_MEMORY_MB", 512)
# Run with `celery -A exchange beat` beside the worker. Every job is safe to run twice.
CELERY_BEAT_SCHEDULE = {
    "deadline-reminders": {"task": "exchange.tasks.send_deadline_reminders", "schedule": 3600},
    "expire-offers": {"task": "exchange.tasks.expire_offers", "schedule": 900},
    "render-overdue-certificates": {
        "task": "exchange.tasks.render_overdue_certificates",
        "schedule": 600,
    },
    "purge-old-messages": {"task": "messaging.tasks.purge_old_messages", "schedule": 86400},
    "expire-documents": {"task": "exchange.tasks.expire_documents", "schedule": 86400},
    # Trips (issue 15): emergency information past EMERGENCY_INFO_RETENTION_DAYS.
    "expire-emergency-info": {"task": "exchange.tasks.expire_emergency_info", "schedule": 86400},
    # Issue 15, sheets: opens the evening check-ins from 17:00 host time, alerts on missing.
    "check-ins": {"task": "exchange.tasks.run_check_ins", "schedule": 900},
    # Issue 16, surveys: the post-survey on the program's last day, and one reminder.
    "post-surveys": {"task": "outcomes.tasks.send_post_surveys", "schedule": 3600},
    "survey-reminders": {"task": "outcomes.tasks.send_survey_reminders", "schedule": 3600},
}
# Issue 16, surveys: days after a survey's email before its one reminder.
SURVEY_REMINDER_DAYS = envint("SURVEY_REMINDER_DAYS", 5)

# --- Accounts ----------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# Signing in leads to exchange.views.programs.landing, which sends each person where they work.
LOGIN_REDIRECT_URL = "exchange:landing"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Coordinators and staff must have a second factor (accounts.middleware); anyone may add one.
# Passkeys (WebAuthn) need a secure context: https, or http on localhost while trying it out.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_TOTP_ISSUER = "Youth Exchange"
# A code from the previous or next 30 s step is accepted too (RFC 6238 §5.2: clocks drift and
# people type slowly); a code is still good once only.
MFA_TOTP_TOLERANCE = 1

# Guardian consent: how long the link in the guardian's email stays valid.
GUARDIAN_LINK_MAX_AGE_DAYS = envint("GUARDIAN_LINK_MAX_AGE_DAYS", 7)
# Korea's Personal Information Protection Act, Art. 22-2: below this age nothing beyond the
# consent request is allowed until a legal guardian consents. Cities may raise, never lower.
MINIMUM_CONSENT_AGE = 14

# Per-person limits, shared by every process (core.ratelimit): chat messages a person may send
# in CHAT_POSTS_PERIOD seconds across all their sockets, and guardian-consent e-mails a day per
# student and per guardian address.
CHAT_POSTS_PER_PERSON = envint("CHAT_POSTS_PER_PERSON", 20)
CHAT_POSTS_PERIOD = envint("CHAT_POSTS_PERIOD", 10)
CONSENT_EMAILS_PER_STUDENT = envint("CONSENT_EMAILS_PER_STUDENT", 5)
CONSENT_EMAILS_PER_ADDRESS = envint("CONSENT_EMAILS_PER_ADDRESS", 3)

# How long a student has to confirm an offered place.
APPLICATION_CONFIRM_DAYS = envint("APPLICATION_CONFIRM_DAYS", 7)

# Chat messages of a program are deleted this many days after its last day (daily job).
CHAT_RETENTION_DAYS = envint("CHAT_RETENTION_DAYS", 90)
if CHAT_RETENTION_DAYS < 0:
    raise ImproperlyConfigured(f"CHAT_RETENTION_DAYS must be 0 or more, got {CHAT_RETENTION_DAYS}")

# Uploaded application documents are deleted this many days after their program's last day
# (daily job, exchange.tasks.expire_documents).
DOCUMENT_RETENTION_DAYS = envint("DOCUMENT_RETENTION_DAYS", 180)
if DOCUMENT_RETENTION_DAYS < 0:
    raise ImproperlyConfigured(
        f"DOCUMENT_RETENTION_DAYS must be 0 or more, got {DOCUMENT_RETENTION_DAYS}"
    )

# --- Duty of care on mutual visits (issue 15) ---
# Emergency and medical information opens to the program's coordinators this many days before
# a leg departs, and is deleted this many days after the last leg returns (daily job).
EMERGENCY_INFO_OPENS_DAYS = envint("EMERGENCY_INFO_OPENS_DAYS", 14)
EMERGENCY_INFO_RETENTION_DAYS = envint("EMERGENCY_INFO_RETENTION_DAYS", 30)
if EMERGENCY_INFO_OPENS_DAYS < 0 or EMERGENCY_INFO_RETENTION_DAYS < 0:
    raise ImproperlyConfigured("EMERGENCY_INFO_* days must be 0 or more.")
# A host household's approval lasts this many days; then it is screened again.
HOUSEHOLD_APPROVAL_DAYS = envint("HOUSEHOLD_APPROVAL_DAYS", 365)
# Keys for the fields encrypted at rest (core.crypto), comma-separated Fernet keys: the first
# encrypts, all decrypt. Required in production; the embedded default derives a fixed
# development key from SECRET_KEY, which must never hold real data.
FIELD_ENCRYPTION_KEYS = envlist("FIELD_ENCRYPTION_KEYS", [])
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when DEBUG is off.")
    FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()
    ]

# A request to delete one's data must be decided within this many days of being made.
# Korea's PIPA (Art. 36, Enforcement Decree Art. 43) allows 10 days; the GDPR (Art. 12(3))
# one month. The default is the shorter, so one setting satisfies both.
DELETION_REQUEST_DUE_DAYS = envint("DELETION_REQUEST_DUE_DAYS", 10)
if DELETION_REQUEST_DUE_DAYS < 1:
    raise ImproperlyConfigured(
        f"DELETION_REQUEST_DUE_DAYS must be 1 or more, got {DELETION_REQUEST_DUE_DAYS}"
    )
# The largest data download the portal builds (in memory) for one person.
DATA_EXPORT_MAX_BYTES = envint("DATA_EXPORT_MAX_BYTES", 100 * 1024 * 1024)

# --- Email -------------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Youth Exchange <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
else:
    # Trying the portal locally: each email is a file you can open (the README says where).
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# --- Internationalisation ----------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("ko", "한국어"),
    ("zh-hans", "简体中文"),
    ("vi", "Tiếng Việt"),
    ("ja", "日本語"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# 24-hour times in every language (core/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["core.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
USE_I18N = True
TIME_ZONE = "Asia/Seoul"
USE_TZ = True

# --- Static and uploaded files -----------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Private uploads live outside anything the web server exposes: there is no MEDIA_URL, and
# documents are served only by views that check permission and write an audit entry.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "private"))
# Largest document or image a user may upload (exchange.uploads.clean_upload). A phone photo
# of a consent form or a scanned passport fits comfortably; anything bigger is refused.
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
# Private files (documents, certificates, batches) are readable by the portal's user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# --- Security ----------------------------------------------------------------------------

X_FRAME_OPTIONS = "DENY"

# --- Security: Content-Security-Policy, Permissions-Policy, no-store (issue 13) ---------
# docs/decisions.md, "Security headers", says why each directive is there.


def websocket_origin(site_url: str) -> str:
    """The chat socket's origin: SITE_URL's host and port, ws:// for http, wss:// for https."""
    parts = urlsplit(site_url)
    return f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"


def content_security_policy(site_url: str) -> dict:
    return {
        "DIRECTIVES": {
            "default-src": ["'self'"],
            "script-src": ["'self'"],
            "style-src": ["'self'"],
            "img-src": ["'self'"],
            "font-src": ["'self'"],
            "connect-src": ["'self'", websocket_origin(site_url)],
            "object-src": ["'none'"],
            "base-uri": ["'none'"],
            "frame-ancestors": ["'none'"],
            "form-action": ["'self'"],
        }
    }


CONTENT_SECURITY_POLICY = content_security_policy(SITE_URL)

# Nothing in the portal uses these; an injected script or a framed page can't ask for them.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Responses that show personal data to someone not signed in: a guardian's signed link, the
# public certificate check, and allauth's emailed links (the address being confirmed, the
# password reset form). Every response to a signed-in user is no-store as well (core/cache.py).
NO_STORE_VIEWS = [
    "accounts:guardian_consent",
    "accounts:guardian_withdraw",
    "exchange:verify",
    "account_confirm_email",
    "account_reset_password_from_key",
]

# --- End of the issue 13 headers block ---------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if envbool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals_on_one_line": {"()": "core.logs.ExpectedRefusalsOnOneLine"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["refusals_on_one_line"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

PORTAL_NAME = _("Youth Exchange")
