"""Two ASGI server processes on the same Redis: a message sent through one reaches a client
connected to the other. Real daphne processes, a real WebSocket client, the real database."""

import asyncio
import json
import uuid

import pytest
import websockets
from django.conf import settings

from tests.helpers import session_cookie
from tests.messaging.servers import daphne_servers, server_env

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_servers():
    """Two daphne processes on the test database and the test Redis."""
    with daphne_servers(2, server_env(redis_url=settings.REDIS_URL)) as ports:
        yield ports


async def next_frame(ws, kind: str = "message") -> dict:
    """The next frame of a kind, leaving out the others (presence updates arrive as people
    come and go)."""
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        if frame["type"] == kind:
            return frame


def test_message_sent_through_one_process_reaches_a_client_of_the_other(
    published, alice, bob, two_servers
):
    room = published["pair"]
    cookies = {"alice": session_cookie(alice), "bob": session_cookie(bob)}
    client_id = str(uuid.uuid4())

    async def scenario():
        first, second = two_servers
        sender = await websockets.connect(
            f"ws://127.0.0.1:{first}/ws/rooms/{room.pk}/",
            origin=f"http://127.0.0.1:{first}",
            additional_headers={"Cookie": cookies["alice"]},
            open_timeout=60,  # the server may still be starting; the kernel holds the connection
        )
        reader = await websockets.connect(
            f"ws://127.0.0.1:{second}/ws/rooms/{room.pk}/",
            origin=f"http://127.0.0.1:{second}",
            additional_headers={"Cookie": cookies["bob"]},
            open_timeout=60,
        )
        await sender.send(json.dumps({"type": "message", "body": "건너편", "client_id": client_id}))
        received = await next_frame(reader)
        ack = await next_frame(sender)
        await sender.close()
        await reader.close()
        return ack, received

    ack, received = asyncio.run(scenario())

    assert received == ack
    assert (received["id"], received["body"], received["client_id"]) == (1, "건너편", client_id)


def test_presence_across_processes_shows_both_sides_and_a_departure(
    published, alice, bob, two_servers
):
    room = published["pair"]
    cookies = {"alice": session_cookie(alice), "bob": session_cookie(bob)}
    both = sorted([alice.pk, bob.pk])

    async def until(ws, ids):
        while True:
            frame = await next_frame(ws, "presence")
            if sorted(person["id"] for person in frame["present"]) == ids:
                return frame

    async def scenario():
        first, second = two_servers
        on_first = await websockets.connect(
            f"ws://127.0.0.1:{first}/ws/rooms/{room.pk}/",
            origin=f"http://127.0.0.1:{first}",
            additional_headers={"Cookie": cookies["alice"]},
            open_timeout=60,
        )
        on_second = await websockets.connect(
            f"ws://127.0.0.1:{second}/ws/rooms/{room.pk}/",
            origin=f"http://127.0.0.1:{second}",
            additional_headers={"Cookie": cookies["bob"]},
            open_timeout=60,
        )
        seen_by_alice = await until(on_first, both)
        seen_by_bob = await until(on_second, both)
        await on_second.close()
        after_bob_left = await until(on_first, [alice.pk])
        await on_first.close()
        return seen_by_alice, seen_by_bob, after_bob_left

    seen_by_alice, seen_by_bob, after_bob_left = asyncio.run(scenario())

    assert seen_by_alice == seen_by_bob
    assert after_bob_left["present"] == [{"id": alice.pk, "name": alice.display_name}]
