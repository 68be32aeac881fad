"""Two ASGI server processes on the same Redis: a message sent through one reaches a client
connected to the other. Real daphne processes, a real WebSocket client, the real database."""

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import websockets
from django.conf import settings
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(log.read().decode())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)  # polling for the server to listen, not timing anything
    raise TimeoutError(f"daphne did not listen on {port}")


@pytest.fixture
def two_servers():
    """Two daphne processes on the test database and the test Redis."""
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "exchange.settings",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    ports = [free_port(), free_port()]
    with contextlib.ExitStack() as stack:
        # Files, not pipes: a server that logs a lot must never block on a full pipe.
        logs = [stack.enter_context(tempfile.TemporaryFile()) for _ in ports]
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "daphne",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "exchange.asgi:application",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
            for port, log in zip(ports, logs, strict=True)
        ]
        try:
            deadline = time.monotonic() + 30
            for port, process, log in zip(ports, processes, logs, strict=True):
                wait_for_port(port, process, log, deadline)
            yield ports
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=10)


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


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
        )
        reader = await websockets.connect(
            f"ws://127.0.0.1:{second}/ws/rooms/{room.pk}/",
            origin=f"http://127.0.0.1:{second}",
            additional_headers={"Cookie": cookies["bob"]},
        )
        await sender.send(json.dumps({"type": "message", "body": "건너편", "client_id": client_id}))
        received = json.loads(await asyncio.wait_for(reader.recv(), timeout=10))
        ack = json.loads(await asyncio.wait_for(sender.recv(), timeout=10))
        await sender.close()
        await reader.close()
        return ack, received

    ack, received = asyncio.run(scenario())

    assert received == ack
    assert (received["id"], received["body"], received["client_id"]) == (1, "건너편", client_id)
