"""Shared fixtures: the real services, and the fixed cast of personas from ARCHITECTURE.md.

- alice: a student (17) in city A, Gwangju (Gyeonggi)
- mina: a minor (15) in city A, whose guardian has not consented
- carol: a coordinator of city A
- bob: a coordinator of partner city B, Zibo
- oscar: an outsider: a coordinator of Siheung, a city with no part in A's programs
"""

import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

from exchange.models import RequiredDocument, RubricCriterion
from tests import factories


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def pytest_sessionstart(session):
    """Fail loudly, with the command to start it, when a service the suite needs is down; on
    the embedded stack (tests/settings.py), when anything but the embedded defaults is set."""
    if settings.EXCHANGE_TEST_STACK == "embedded":
        embedded = (
            settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
            and settings.CHANNEL_LAYERS["default"]["BACKEND"]
            == "channels.layers.InMemoryChannelLayer"
            and settings.CELERY_TASK_ALWAYS_EAGER
        )
        if not embedded:
            pytest.exit("EXCHANGE_TEST_STACK=embedded but the settings are not.", returncode=3)
        return
    problems = []
    database_url = settings.DATABASE_URL
    if not database_url.startswith("postgres"):
        problems.append("DATABASE_URL must point at PostgreSQL, got " + repr(database_url))
    elif not _reachable(database_url, 5432):
        problems.append(
            f"PostgreSQL is not reachable at {database_url}.\n"
            "  Start it with:"
            " pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"
            "  or point TEST_DATABASE_URL at a running server."
        )
    if not settings.REDIS_URL or not _reachable(settings.REDIS_URL, 6379):
        problems.append(
            f"Redis is not reachable at {settings.REDIS_URL!r}.\n"
            "  Start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379\n"
            "  or point TEST_REDIS_URL at a running server."
        )
    if problems:
        pytest.exit("The test suite needs its real services:\n" + "\n".join(problems), returncode=3)


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    """Every test starts with no rate-limit counts (core.ratelimit's and allauth's): they live
    in the cache, Redis (or local memory on the embedded stack), which outlives a test, and
    fixtures reuse e-mail addresses."""
    from django.core.cache import cache

    if not settings.REDIS_URL:  # the embedded stack: this process's local-memory cache
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    for pattern in ("*:ratelimit:*", "*:allauth:rl:*"):
        for key in client.scan_iter(match=pattern, count=1000):
            client.delete(key)


def pytest_collection_modifyitems(items):
    """Transactional tests (live server, Celery worker) end by flushing every table, including
    the themes and languages that a data migration loads. Serialized rollback restores them,
    so the tests that run afterwards find the database as migrations left it."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = bool(marker and marker.kwargs.get("transaction")) or any(
            name in item.fixturenames for name in ("live_server", "transactional_db")
        )
        if transactional:
            marker = pytest.mark.django_db(transaction=True, serialized_rollback=True)
            item.add_marker(marker, append=False)
    # Browser tests go last: their flushes run on Playwright's thread, outside serialized
    # rollback, so a serialized test after them would reload rows that post_migrate recreated.
    items.sort(key=lambda item: "/e2e/" in str(item.path))


@pytest.fixture
def city_a(db):
    return factories.CityFactory(
        slug="gwangju-gyeonggi", name_local="광주시", name_en="Gwangju (Gyeonggi)"
    )


@pytest.fixture
def city_b(db, city_a):
    city = factories.CityFactory(
        slug="zibo",
        name_local="淄博市",
        name_en="Zibo",
        country="CN",
        time_zone="Asia/Shanghai",
        main_language_id="zh",
    )
    factories.PartnershipFactory(cities=(city_a, city), kind="sister", since=2003)
    return city


@pytest.fixture
def city_c(db):
    """A city outside A's network."""
    return factories.CityFactory(slug="siheung", name_local="시흥시", name_en="Siheung")


@pytest.fixture
def city_d(city_a):
    """A second active partner of A (but not of B)."""
    city = factories.CityFactory(
        slug="hue",
        name_local="Huế",
        name_en="Hue",
        country="VN",
        time_zone="Asia/Ho_Chi_Minh",
        main_language_id="vi",
    )
    factories.PartnershipFactory(cities=(city_a, city), kind="friendship", since=2015)
    return city


@pytest.fixture
def alice(city_a):
    return factories.StudentFactory(
        email="alice@example.org",
        native_name="김앨리스",
        latin_name="Kim Alice",
        home_city=city_a,
        age=17,
        consent="given",
    )


@pytest.fixture
def mina(city_a):
    return factories.StudentFactory(
        email="mina@example.org",
        native_name="이민아",
        latin_name="Lee Mina",
        home_city=city_a,
        age=15,
    )


@pytest.fixture
def carol(city_a):
    return factories.CoordinatorFactory(email="carol@example.org", cities=[city_a])


@pytest.fixture
def bob(city_b):
    return factories.CoordinatorFactory(email="bob@example.org", cities=[city_b])


@pytest.fixture
def oscar(city_c):
    return factories.CoordinatorFactory(email="oscar@example.org", cities=[city_c])


@pytest.fixture
def vera(city_a):
    """An observer of A (the mayor's office): sees figures, plans and reports, never a person."""
    return factories.ObserverFactory(email="vera@example.org", cities=[city_a])


@pytest.fixture
def program_ab(city_a, city_b, carol):
    """An open mutual visit between A and B."""
    return factories.ProgramFactory(cities={city_a: 5, city_b: 5}, created_by=carol)


@pytest.fixture
def draft_ab(city_a, city_b, carol):
    return factories.ProgramFactory(
        cities={city_a: 3, city_b: 3}, created_by=carol, status="draft", title="Draft exchange"
    )


@pytest.fixture
def rubric(program_ab):
    """Two criteria: motivation counts twice as much as languages."""
    return [
        RubricCriterion.objects.create(program=program_ab, name="Motivation", weight=2, position=0),
        RubricCriterion.objects.create(program=program_ab, name="Languages", weight=1, position=1),
    ]


@pytest.fixture
def consent_form(program_ab):
    return RequiredDocument.objects.create(program=program_ab, kind="guardian-consent")


@pytest.fixture
def redis_worker(settings):
    """Our Celery app, not eager, consumed by a worker thread from the Redis broker."""
    from celery.contrib.testing.worker import start_worker

    from exchange.celery import app

    assert settings.CELERY_BROKER_URL.startswith("redis://")
    app.conf.task_always_eager = False
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        yield app
    app.conf.task_always_eager = True
