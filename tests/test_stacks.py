"""Which stack this run is on (tests/settings.py, EXCHANGE_TEST_STACK): `make test` runs the
suite on PostgreSQL and Redis, then the journeys again on what `make run` serves on. This test
is a journey, so each job proves its own stack, from the live objects rather than the names
in the settings."""

import pytest
from celery import current_app
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import caches
from django.db import connection

pytestmark = [pytest.mark.journey, pytest.mark.django_db]

STACKS = {
    "services": {
        "database": "postgresql",
        "layer": "channels_redis.core.RedisChannelLayer",
        "cache": "django.core.cache.backends.redis.RedisCache",
        "broker": "redis",
    },
    # What `make run` serves on: SQLite, the in-memory channel layer, eager Celery (with no
    # broker to reach), the local-memory cache.
    "embedded": {
        "database": "sqlite",
        "layer": "channels.layers.InMemoryChannelLayer",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "broker": "memory",
    },
}


def qualified_name(value) -> str:
    return f"{type(value).__module__}.{type(value).__qualname__}"


def test_this_job_runs_on_its_stack():
    assert {
        "database": connection.vendor,
        "layer": qualified_name(get_channel_layer()),
        "cache": qualified_name(caches["default"]),
        "broker": current_app.conf.broker_url.split(":", 1)[0],
    } == STACKS[settings.EXCHANGE_TEST_STACK]
    # The suite's own settings make Celery eager on the services stack; on the embedded one
    # it is exchange.settings' default when REDIS_URL is unset, as under `make run`.
    assert current_app.conf.task_always_eager is True


def test_the_test_database_is_the_sqlite_file_make_run_would_open_or_a_postgres_one():
    """The test database is VAR_DIR/portal.sqlite3, where exchange.settings puts it: a daphne
    process started with this environment opens the same file (tests/e2e/test_chat.py)."""
    name = str(connection.settings_dict["NAME"])
    if settings.EXCHANGE_TEST_STACK == "embedded":
        assert name == str(settings.VAR_DIR / "portal.sqlite3")
        assert (settings.DATABASE_URL, settings.REDIS_URL) == ("", "")
    else:
        assert name.startswith("test_")
