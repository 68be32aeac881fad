"""The settings module, loaded in a fresh process with a controlled environment."""

import json
from pathlib import Path

from tests.helpers import run_with_env

ROOT = Path(__file__).resolve().parent.parent

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "db": settings.DATABASES["default"]["ENGINE"],
    "db_options": settings.DATABASES["default"].get("OPTIONS", {}),
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "layer_config": settings.CHANNEL_LAYERS["default"].get("CONFIG"),
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "email": settings.EMAIL_BACKEND,
    "mail_dir": str(settings.EMAIL_FILE_PATH) if hasattr(settings, "EMAIL_FILE_PATH") else None,
}))
"""


def test_settings_without_environment_use_embedded_defaults():
    result = run_with_env({}, "-c", PRINT_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "db": "django.db.backends.sqlite3",
        "db_options": {},
        "layer": "channels.layers.InMemoryChannelLayer",
        "layer_config": None,
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "eager": True,
        "broker": "memory://localhost/",
        "email": "django.core.mail.backends.filebased.EmailBackend",
        "mail_dir": str(ROOT / "var" / "test-settings" / "mail"),
    }


def test_settings_with_urls_switch_to_postgres_and_redis():
    env = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/exchange",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
    }
    result = run_with_env(env, "-c", PRINT_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "db": "django.db.backends.postgresql",
        "db_options": {"pool": {"min_size": 2, "max_size": 10, "timeout": 10}},
        "layer": "channels_redis.core.RedisChannelLayer",
        "layer_config": {
            "hosts": [
                {
                    "address": "redis://127.0.0.1:6379/15",
                    "max_connections": 1000,
                    "socket_timeout": 15,
                }
            ],
            "capacity": 5000,
            "expiry": 30,
            "group_expiry": 86400,
        },
        "cache": "django.core.cache.backends.redis.RedisCache",
        "eager": False,
        "broker": "redis://127.0.0.1:6379/15",
        "email": "django.core.mail.backends.filebased.EmailBackend",
        "mail_dir": str(ROOT / "var" / "test-settings" / "mail"),
    }


def test_check_deploy_in_production_mode_prints_no_warnings():
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "k3Jx9-production-like-secret-7QmZ2vL8pR4tW6yB1nC5dF0gH3jK8mN2qS6uV9xA",
        "ALLOWED_HOSTS": "portal.example.org",
        "FIELD_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1saWtlLWZpZWxkLWtleS0wMTIzNDU=",
    }
    result = run_with_env(env, "manage.py", "check", "--deploy")
    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == "System check identified no issues (0 silenced).\n"


def test_settings_with_debug_off_and_no_secret_key_refuse_to_start():
    result = run_with_env({"DEBUG": "0"}, "-c", PRINT_SETTINGS)
    assert result.returncode == 1
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_settings_with_debug_off_and_no_field_encryption_key_refuse_to_start():
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "k3Jx9-production-like-secret-7QmZ2vL8pR4tW6yB1nC5dF0gH3jK8mN2qS6uV9xA",
        "ALLOWED_HOSTS": "portal.example.org",
    }
    result = run_with_env(env, "-c", PRINT_SETTINGS)
    assert result.returncode == 1
    assert "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off." in result.stderr


def test_test_settings_on_the_embedded_stack_refuse_a_service_url():
    """The embedded job (make test's second) must not run on the services under its name."""
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "EXCHANGE_TEST_STACK": "embedded",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/exchange",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
    }
    result = run_with_env(env, "-c", PRINT_SETTINGS)
    assert result.returncode == 1
    assert (
        "EXCHANGE_TEST_STACK=embedded runs as `make run` does: unset DATABASE_URL, REDIS_URL"
        in result.stderr
    )


def test_test_settings_on_the_embedded_stack_are_make_runs_with_the_test_database_in_var_dir(
    tmp_path,
):
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "EXCHANGE_TEST_STACK": "embedded",
        "EXCHANGE_TEST_VAR_DIR": str(tmp_path),
    }
    script = PRINT_SETTINGS.replace(
        '"eager"', '"test_db": str(settings.DATABASES["default"]["TEST"]["NAME"]), "eager"'
    )
    result = run_with_env(env, "-c", script)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "db": "django.db.backends.sqlite3",
        "db_options": {},
        "layer": "channels.layers.InMemoryChannelLayer",
        "layer_config": None,
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "test_db": str(tmp_path / "portal.sqlite3"),
        "eager": True,
        "broker": "memory://localhost/",
        "email": "django.core.mail.backends.locmem.EmailBackend",
        "mail_dir": str(tmp_path / "mail"),
    }
