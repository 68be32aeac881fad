"""Running a chat scenario in a fresh event loop, as the socket tests do.

The process's relay (messaging/relay.py) listens on the channel layer from a task of the loop
that started it; it is closed before the loop ends, as a server does when it stops.
"""

import asyncio
import json

from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from exchange.asgi import application
from messaging.models import Room
from messaging.relay import close_relay


def run_chat(coroutine):
    async def and_close():
        try:
            return await coroutine
        finally:
            await close_relay()

    return asyncio.run(and_close())


async def next_frame(communicator, *, skip=("presence",), timeout: float = 5) -> dict:
    """The next frame a WebsocketCommunicator receives, leaving out presence updates (they
    arrive whenever someone comes or goes, and are tested on their own)."""
    while True:
        frame = json.loads(await communicator.receive_from(timeout=timeout))
        if frame["type"] not in skip:
            return frame


ORIGIN = (b"origin", b"http://testserver")


def cookie_for(user) -> bytes:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


def socket(room: Room, cookie: bytes | None = None, *, after: int | None = None, origin=ORIGIN):
    """A communicator for `room`, signed in with `cookie` (made outside the event loop)."""
    path = f"/ws/rooms/{room.pk}/" + (f"?after={after}" if after is not None else "")
    headers = [origin] if origin else []
    if cookie is not None:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, path, headers=headers)


async def frames(communicator, count: int, *, skip=("presence",)) -> list[dict]:
    """The next `count` frames, leaving out presence updates (tested on their own)."""
    received = []
    while len(received) < count:
        frame = json.loads(await communicator.receive_from(timeout=5))
        if frame["type"] not in skip:
            received.append(frame)
    return received


async def quiet(communicator, timeout: float = 0.5) -> bool:
    """True when nothing but presence updates arrives within `timeout`."""
    while not await communicator.receive_nothing(timeout=timeout):
        frame = json.loads(await communicator.receive_from())
        if frame["type"] != "presence":
            return False
    return True
