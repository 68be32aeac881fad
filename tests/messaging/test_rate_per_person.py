"""The chat's rate limit is per person: all of someone's sockets, on every server process,
share one count (core.ratelimit in the cache, Redis here as in production).

Found from outside: one user with 30 sockets stored 300 messages in 2.2 s, and every
reconnect restored the burst. The per-socket token bucket stays for every kind of frame.
"""

import asyncio
import json
import uuid

import pytest
import websockets
from django.conf import settings

from messaging.models import Message
from tests.helpers import session_cookie
from tests.messaging.servers import daphne_servers, server_env
from tests.messaging.sockets import cookie_for, frames, run_chat, socket

pytestmark = pytest.mark.django_db(transaction=True)

SLOW_DOWN = "Slow down: you are sending too fast. Wait a few seconds."


def message(body: str, client_id: str | None = None) -> str:
    return json.dumps(
        {"type": "message", "body": body, "client_id": client_id or str(uuid.uuid4())}
    )


async def send_and_answer(communicator, body: str) -> dict:
    """Send a message and wait for this socket's answer to it (its own message back, or an
    error), passing over the messages the person's other sockets sent."""
    client_id = str(uuid.uuid4())
    await communicator.send_to(text_data=message(body, client_id))
    while True:
        frame = (await frames(communicator, 1))[0]
        if frame.get("client_id") == client_id:
            return frame


@pytest.fixture
def limit(settings):
    # An hour-long window, so the test never straddles two windows of the sliding count.
    settings.CHAT_POSTS_PER_PERSON = 12
    settings.CHAT_POSTS_PERIOD = 3600
    return 12


def test_three_sockets_of_one_person_share_one_limit(published, alice, limit):
    room = published["pair"]
    cookie = cookie_for(alice)

    async def scenario():
        sockets = [socket(room, cookie) for _ in range(3)]
        for communicator in sockets:
            assert (await communicator.connect())[0]
        answers = []
        for round_ in range(6):  # 6 per socket: inside each socket's own burst of 10
            for number, communicator in enumerate(sockets):
                answers.append(await send_and_answer(communicator, f"{round_}-{number}"))
        for communicator in sockets:
            await communicator.disconnect()
        return answers

    answers = run_chat(scenario())

    kinds = [(answer["type"], answer.get("code")) for answer in answers]
    assert kinds == [("message", None)] * limit + [("error", "rate_limited")] * (18 - limit)
    assert {answer["detail"] for answer in answers[limit:]} == {SLOW_DOWN}
    assert Message.objects.filter(room=room).count() == limit


def test_reconnecting_does_not_restore_the_allowance(published, alice, limit):
    room = published["pair"]
    cookie = cookie_for(alice)

    async def burst(count: int) -> list[str]:
        communicator = socket(room, cookie)
        assert (await communicator.connect())[0]
        kinds = []
        for number in range(count):
            kinds.append((await send_and_answer(communicator, f"m{number}"))["type"])
        await communicator.disconnect()
        return kinds

    async def scenario():
        return [await burst(8), await burst(8)]

    first, second = run_chat(scenario())

    assert first == ["message"] * 8
    assert second == ["message"] * (limit - 8) + ["error"] * (16 - limit)


def test_one_persons_limit_leaves_another_person_free(published, alice, bob, settings):
    settings.CHAT_POSTS_PER_PERSON, settings.CHAT_POSTS_PERIOD = 6, 3600
    limit = 6
    room = published["pair"]
    cookies = {"alice": cookie_for(alice), "bob": cookie_for(bob)}

    async def scenario():
        first, second = socket(room, cookies["alice"]), socket(room, cookies["bob"])
        assert (await first.connect())[0] and (await second.connect())[0]
        for number in range(limit + 2):
            await send_and_answer(first, f"a{number}")
        await second.send_to(text_data=message("bob here"))
        seen = []
        while not seen or seen[-1] != "bob here":  # alice's messages reach bob first
            frame = (await frames(second, 1))[0]
            seen.append(frame.get("body") or frame["code"])
        await first.disconnect()
        await second.disconnect()
        return seen

    seen = run_chat(scenario())

    assert seen == [f"a{number}" for number in range(limit)] + ["bob here"]
    assert Message.objects.filter(room=room, sender=bob).count() == 1


def test_two_server_processes_count_one_persons_messages_together(published, alice):
    """Two daphne processes on the same Redis: 10 messages through each, 12 stored."""
    room = published["pair"]
    cookie = session_cookie(alice)
    env = {
        **server_env(redis_url=settings.REDIS_URL),
        "CHAT_POSTS_PER_PERSON": "12",
        "CHAT_POSTS_PERIOD": "3600",
    }

    async def answers(ws, count: int, tag: str) -> list[str]:
        kinds = []
        for number in range(count):
            await ws.send(message(f"{tag}{number}"))
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
                if frame["type"] in ("message", "error") and (
                    frame["type"] == "error" or frame["body"] == f"{tag}{number}"
                ):
                    kinds.append(frame["type"])
                    break
        return kinds

    async def scenario(ports):
        connections = [
            await websockets.connect(
                f"ws://127.0.0.1:{port}/ws/rooms/{room.pk}/",
                origin=f"http://127.0.0.1:{port}",
                additional_headers={"Cookie": cookie},
                open_timeout=60,
            )
            for port in ports
        ]
        first = await answers(connections[0], 6, "a")
        second = await answers(connections[1], 10, "b")
        for ws in connections:
            await ws.close()
        return first, second

    with daphne_servers(2, env) as ports:
        first, second = asyncio.run(scenario(ports))

    assert first == ["message"] * 6
    assert second == ["message"] * 6 + ["error"] * 4
    assert Message.objects.filter(room=room, sender=alice).count() == 12
