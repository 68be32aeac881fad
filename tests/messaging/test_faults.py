"""The chat when its channel layer fails: Redis restarted in the middle of a chat, and Redis
unreachable. Real daphne processes on the test database, a real WebSocket client, and a Redis
server of this test's own (on a port of its own), so stopping it disturbs nothing else.
"""

import asyncio
import contextlib
import json
import socket
import subprocess
import time
import uuid

import pytest
import websockets

from messaging.models import Message
from tests.helpers import session_cookie
from tests.messaging.servers import daphne_servers, server_env

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, in memory only, that can be stopped and started."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis():
    redis = RedisServer()
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


@pytest.fixture
def servers_on(private_redis):
    """Two daphne processes whose channel layer is the private Redis."""
    with daphne_servers(2, server_env(redis_url=private_redis.url)) as ports:
        yield ports


class ChatClient:
    """What a browser does: remembers the last message number, reconnects with ?after= when
    the socket drops, and resends what was not acknowledged with the same client_id."""

    def __init__(self, port: int, room_id: int, cookie: str) -> None:
        self.port, self.room_id, self.cookie = port, room_id, cookie
        self.received: list[int] = []
        self.bodies: dict[int, str] = {}
        self.unacked: dict[str, str] = {}
        self.errors: list[str] = []
        self.joined = asyncio.Event()  # the server has joined the room (presence arrived)
        self.arrived = asyncio.Condition()  # notified on every message
        self.ws = None
        self.reader: asyncio.Task | None = None

    async def connect(self) -> None:
        after = self.received[-1] if self.received else None
        query = f"?after={after}" if after is not None else ""
        while True:
            try:
                self.ws = await websockets.connect(
                    f"ws://127.0.0.1:{self.port}/ws/rooms/{self.room_id}/{query}",
                    origin=f"http://127.0.0.1:{self.port}",
                    additional_headers={"Cookie": self.cookie},
                    open_timeout=60,
                )
                break
            except (OSError, websockets.exceptions.WebSocketException):
                await asyncio.sleep(0.2)
        self.joined.clear()
        self.reader = asyncio.create_task(self._read(self.ws))
        await asyncio.wait_for(self.joined.wait(), timeout=30)
        for client_id, body in list(self.unacked.items()):
            await self._send(client_id, body)

    async def _read(self, ws) -> None:
        with contextlib.suppress(websockets.exceptions.ConnectionClosed):
            async for raw in ws:
                frame = json.loads(raw)
                if frame["type"] == "message":
                    self.received.append(frame["id"])
                    self.bodies[frame["id"]] = frame["body"]
                    self.unacked.pop(frame["client_id"], None)
                    async with self.arrived:
                        self.arrived.notify_all()
                elif frame["type"] == "error":
                    self.errors.append(frame["code"])
                elif frame["type"] == "presence":
                    self.joined.set()

    async def _send(self, client_id: str, body: str) -> None:
        await self.ws.send(json.dumps({"type": "message", "body": body, "client_id": client_id}))

    async def say(self, body: str) -> None:
        client_id = str(uuid.uuid4())
        self.unacked[client_id] = body
        await self._send(client_id, body)

    async def drop(self) -> None:
        await self.ws.close()
        await self.reader

    async def until(self, count: int, timeout: float = 30) -> None:
        """Wait for `count` messages; on time-out the test's assertions say what is missing."""
        with contextlib.suppress(TimeoutError):
            async with self.arrived:
                await asyncio.wait_for(
                    self.arrived.wait_for(lambda: len(self.received) >= count), timeout
                )

    async def close(self) -> None:
        await self.ws.close()
        if self.reader is not None:
            await self.reader


def test_redis_restarted_mid_chat_loses_and_repeats_nothing(
    published, alice, bob, private_redis, servers_on
):
    room = published["pair"]
    cookies = session_cookie(alice), session_cookie(bob)

    async def scenario():
        one = ChatClient(servers_on[0], room.pk, cookies[0])
        two = ChatClient(servers_on[1], room.pk, cookies[1])
        await one.connect()
        await two.connect()
        for n in range(3):
            await one.say(f"before {n}")
            await two.say(f"before reply {n}")
        await one.until(6)
        await two.until(6)

        private_redis.stop()
        for n in range(3):
            await one.say(f"during {n}")  # saved; live delivery is down
        await one.until(9)
        await two.drop()  # and the other side loses its connection meanwhile
        private_redis.start()

        await two.connect()  # resumes with ?after=6
        for n in range(3):
            await two.say(f"after {n}")
        await one.until(12)
        await two.until(12)
        await one.close()
        await two.close()
        return one, two

    one, two = asyncio.run(scenario())

    stored = list(Message.objects.filter(room=room).order_by("seq").values_list("seq", "body"))
    assert [seq for seq, _body in stored] == list(range(1, 13))
    assert one.received == list(range(1, 13))
    assert two.received == list(range(1, 13))
    assert [one.bodies[seq] for seq in range(1, 13)] == [body for _seq, body in stored]
    assert (one.unacked, two.unacked) == ({}, {})
    assert one.errors == ["layer_unavailable"] * 3


def test_layer_unreachable_sender_gets_an_error_and_everything_acknowledged_is_kept(
    published, alice, bob, private_redis, servers_on
):
    room = published["pair"]
    cookies = session_cookie(alice), session_cookie(bob)

    async def scenario():
        sender = ChatClient(servers_on[0], room.pk, cookies[0])
        await sender.connect()
        private_redis.stop()
        for n in range(4):
            await sender.say(f"while down {n}")
        await sender.until(4)
        await sender.close()
        # Someone opening the room while the layer is still down is told so, and reads
        # everything the sender was told was sent.
        reader = ChatClient(servers_on[1], room.pk, cookies[1])
        reader.received = [0]  # resume from the start: ?after=0
        await reader.connect()
        await reader.until(5)
        await reader.close()
        return sender, reader

    sender, reader = asyncio.run(scenario())

    acknowledged = sender.received
    assert acknowledged == [1, 2, 3, 4]
    assert sender.errors == ["layer_unavailable"] * 4
    assert list(
        Message.objects.filter(room=room).order_by("seq").values_list("seq", flat=True)
    ) == [
        1,
        2,
        3,
        4,
    ]
    assert reader.received == [0, 1, 2, 3, 4]
    assert reader.errors == ["layer_unavailable"]
    assert [reader.bodies[seq] for seq in acknowledged] == [f"while down {n}" for n in range(4)]
