"""A chat socket opens only from the site's own origin: scheme, host and port all compared
(found from outside: http://127.0.0.1:8031 and https://127.0.0.1:9999 were accepted for a
site on https://127.0.0.1:8031). DEBUG changes nothing but that 127.0.0.1 and localhost are
one site while trying the portal out."""

import asyncio
import json

import pytest
import websockets
from django.conf import settings

from tests.helpers import run_with_env, session_cookie
from tests.messaging.servers import daphne_servers, server_env
from tests.messaging.sockets import cookie_for, run_chat, socket

FIELD_KEY = settings.FIELD_ENCRYPTION_KEYS[0]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("origin", "opens"),
    [
        (b"http://testserver", True),
        (b"http://testserver:80", True),  # the default port, written out
        (b"https://testserver", False),
        (b"http://testserver:8080", False),
        (b"ws://testserver", False),
        (b"http://evil.testserver", False),
        (b"http://testserver.evil.example", False),
        (b"null", False),
        (b"", False),
        (b"testserver", False),
    ],
)
def test_only_the_sites_own_origin_opens_a_socket(published, alice, origin, opens):
    room = published["pair"]
    cookie = cookie_for(alice)

    async def scenario():
        communicator = socket(room, cookie, origin=(b"origin", origin))
        connected = (await communicator.connect())[0]
        await communicator.disconnect()
        return connected

    assert run_chat(scenario()) is opens


def origins(env: dict[str, str]) -> list[str]:
    result = run_with_env(
        {"SECRET_KEY": "x" * 50, "FIELD_ENCRYPTION_KEYS": FIELD_KEY, **env},
        "-c",
        "import django; django.setup(); from django.conf import settings; "
        "import json; print(json.dumps(settings.ALLOWED_ORIGINS))",
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_allowed_origins_follow_site_url_in_production():
    assert origins({"DEBUG": "0", "SITE_URL": "https://127.0.0.1:8031/"}) == [
        "https://127.0.0.1:8031"
    ]
    assert origins(
        {
            "DEBUG": "0",
            "SITE_URL": "https://exchange.gjcity.example",
            "CSRF_TRUSTED_ORIGINS": "https://www.exchange.gjcity.example",
        }
    ) == ["https://exchange.gjcity.example", "https://www.exchange.gjcity.example"]


def test_debug_adds_only_the_localhost_twin_on_the_same_scheme_and_port():
    assert origins({"DEBUG": "1", "SITE_URL": "http://127.0.0.1:8020"}) == [
        "http://127.0.0.1:8020",
        "http://localhost:8020",
    ]


def test_an_origin_without_a_scheme_refuses_to_start():
    result = run_with_env(
        {
            "SECRET_KEY": "x" * 50,
            "FIELD_ENCRYPTION_KEYS": FIELD_KEY,
            "DEBUG": "0",
            "ALLOWED_ORIGINS": "exchange.example",
        },
        "-c",
        "import django; django.setup()",
    )

    assert result.returncode == 1
    assert "ALLOWED_ORIGINS must be an http(s) origin, got 'exchange.example'" in result.stderr


def test_a_real_server_compares_scheme_host_and_port(published, alice):
    """A daphne process with DEBUG on, as `make run` serves, and a real WebSocket client."""
    room = published["pair"]
    cookie = session_cookie(alice)
    env = {**server_env(redis_url=settings.REDIS_URL), "DEBUG": "1"}

    async def opens(port: int, origin: str) -> bool:
        try:
            ws = await websockets.connect(
                f"ws://127.0.0.1:{port}/ws/rooms/{room.pk}/",
                origin=origin,
                additional_headers={"Cookie": cookie},
                open_timeout=60,
            )
        except websockets.InvalidStatus as refused:
            assert refused.response.status_code == 403
            return False
        await ws.close()
        return True

    async def scenario(port: int) -> dict[str, bool]:
        tried = [
            f"http://127.0.0.1:{port}",
            f"https://127.0.0.1:{port}",
            f"http://127.0.0.1:{port + 1}",
            f"http://localhost:{port + 1}",
            "http://127.0.0.1",
        ]
        return {origin: await opens(port, origin) for origin in tried}

    with daphne_servers(1, env) as (port,):
        answers = asyncio.run(scenario(port))

    assert answers == {
        f"http://127.0.0.1:{port}": True,
        f"https://127.0.0.1:{port}": False,
        f"http://127.0.0.1:{port + 1}": False,
        f"http://localhost:{port + 1}": False,
        "http://127.0.0.1": False,
    }
