"""Chat under load with a real WebSocket client (the `websockets` library).

Starts two daphne processes on PostgreSQL and Redis, fills rooms with
`manage.py chat_bench_fixture`, connects every member (alternating between the two servers),
and has each send at a steady rate. Every delivered copy is timed from send to arrival.
Prints sent, expected and delivered copies, lost, duplicated and p50/p99 latency. Asserts nothing.

    python bench/chat_bench.py [--seconds 20]
"""

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/exchange_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
BENCH_LOG = open(os.environ.get("CHAT_BENCH_LOG", os.devnull), "ab")  # noqa: SIM115
# Beyond the goals: where this machine stops keeping up.
HARDER = [
    ("8 rooms x 25 clients, 2 msg/s each", 8, 25, 2.0),
    ("4 rooms x 25 clients, 4 msg/s each", 4, 25, 4.0),
    ("1 room x 200 clients, 0.5 msg/s each", 1, 200, 0.5),
]
DRAIN_QUIET = 3.0
DRAIN_MAX = 20.0
LOADS = [
    ("4 rooms x 25 clients, 2 msg/s each", 4, 25, 2.0),
    ("1 room x 100 clients, 1 msg/s each", 1, 100, 1.0),
]


def env(*, debug: bool = False) -> dict:
    """The fixture command insists on DEBUG (it hands out sessions); the servers run as in
    production, with DEBUG off. Both share one secret, so the sessions are valid."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "exchange.settings",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "DEBUG": "1" if debug else "0",
        "SECRET_KEY": "chat-bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "ERROR",
        "VAR_DIR": str(Path(tempfile.gettempdir()) / "chat-bench-var"),
    }


def manage(*args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env(debug=True),
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@contextlib.contextmanager
def servers(count: int):
    """`count` daphne processes, each handed a socket that already listens, so clients can
    connect at once (the kernel holds connections until the server takes them)."""
    listeners = []
    for _ in range(count):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1024)
        listener.set_inheritable(True)
        listeners.append(listener)
    origins = ",".join(f"http://127.0.0.1:{item.getsockname()[1]}" for item in listeners)
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "--fd",
                str(listener.fileno()),
                "exchange.asgi:application",
            ],
            cwd=ROOT,
            env={**env(), "ALLOWED_ORIGINS": origins},
            pass_fds=[listener.fileno()],
            stdout=subprocess.DEVNULL,
            stderr=BENCH_LOG,
        )
        for listener in listeners
    ]
    try:
        yield [listener.getsockname()[1] for listener in listeners]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)
        for listener in listeners:
            listener.close()


async def run_load(rooms: list[dict], ports: list[int], rate: float, seconds: float) -> dict:
    latencies: list[float] = []
    by_send_time: list[tuple[float, float]] = []
    seen: dict[tuple, int] = {}
    sent = 0
    errors: dict[str, int] = {}
    members = [(room, cookie) for room in rooms for cookie in room["cookies"]]

    async def client(index: int, room: dict, cookie: str):
        try:
            await session(index, room, cookie)
        except (OSError, websockets.exceptions.WebSocketException) as error:
            errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
            ready(index)

    async def session(index: int, room: dict, cookie: str):
        nonlocal sent
        port = ports[index % len(ports)]
        url = f"ws://127.0.0.1:{port}/ws/rooms/{room['room']}/"
        async with websockets.connect(
            url,
            origin=f"http://127.0.0.1:{port}",
            additional_headers={"Cookie": cookie},
            max_queue=None,
        ) as ws:

            async def reader():
                async for raw in ws:
                    frame = json.loads(raw)
                    if frame["type"] == "message":
                        body = json.loads(frame["body"])
                        key = (index, frame["room"], frame["id"])
                        seen[key] = seen.get(key, 0) + 1
                        latencies.append(time.time() - body["t"])
                        by_send_time.append((body["t"], latencies[-1]))
                    elif frame["type"] == "error":
                        errors[frame["code"]] = errors.get(frame["code"], 0) + 1

            task = asyncio.create_task(reader())
            ready(index)
            await start.wait()
            interval = 1 / rate
            next_at = time.monotonic() + (index % 10) * interval / 10
            until = time.monotonic() + seconds
            while time.monotonic() < until:
                await asyncio.sleep(max(0, next_at - time.monotonic()))
                next_at += interval
                await ws.send(
                    json.dumps(
                        {
                            "type": "message",
                            "client_id": str(uuid.uuid4()),
                            "body": json.dumps({"t": time.time()}),
                        }
                    )
                )
                sent += 1
            await drained.wait()
            task.cancel()

    start = asyncio.Event()
    drained = asyncio.Event()
    # Sending starts once every client has connected or failed to.
    settled: set[int] = set()
    all_settled = asyncio.Event()

    def ready(index: int) -> None:
        settled.add(index)
        if len(settled) == len(members):
            all_settled.set()

    tasks = [asyncio.create_task(client(i, room, c)) for i, (room, c) in enumerate(members)]
    await all_settled.wait()
    start.set()
    # Counting ends once nothing has arrived for DRAIN_QUIET seconds after the sending time
    # (at most DRAIN_MAX): what has not arrived by then is counted as lost.
    await asyncio.sleep(seconds)
    last_count, quiet_since, began = -1, time.monotonic(), time.monotonic()
    while time.monotonic() - began < DRAIN_MAX:
        await asyncio.sleep(0.25)
        count = len(latencies)
        if count != last_count:
            last_count, quiet_since = count, time.monotonic()
        elif time.monotonic() - quiet_since >= DRAIN_QUIET:
            break
    drained.set()
    await asyncio.gather(*tasks)
    per_room = {room["room"]: len(room["cookies"]) for room in rooms}
    expected = sent * next(iter(per_room.values()))
    delivered = sum(seen.values())
    duplicates = sum(n - 1 for n in seen.values() if n > 1)
    latencies.sort()
    windows: dict[int, list[float]] = {}
    if by_send_time:
        first = min(t for t, _latency in by_send_time)
        for t, latency in by_send_time:
            windows.setdefault(int((t - first) // 5), []).append(latency)
    return {
        "sent": sent,
        "expected": expected,
        "delivered": delivered - duplicates,
        "lost": expected - (delivered - duplicates),
        "duplicates": duplicates,
        "p50": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000
        if latencies
        else float("nan"),
        "max": latencies[-1] * 1000 if latencies else float("nan"),
        "errors": errors,
        # p99 of the copies of messages sent in each 5 s of the run, to tell a start-up
        # transient from a steady state.
        "p99_by_5s": [
            sorted(values)[max(0, int(len(values) * 0.99) - 1)] * 1000
            for _window, values in sorted(windows.items())
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--harder", action="store_true", help="also run the heavier loads, to find the ceiling"
    )
    args = parser.parse_args()
    manage("migrate", "--noinput", "-v", "0")
    print(f"Chat benchmark: 2 daphne processes, PostgreSQL, Redis; {args.seconds:.0f} s per load")
    with servers(2) as ports:
        for label, room_count, member_count, rate in LOADS + (HARDER if args.harder else []):
            port_hint = f"127.0.0.1:{ports[0]}"
            rooms = json.loads(
                manage(
                    "chat_bench_fixture",
                    "--rooms",
                    str(room_count),
                    "--members",
                    str(member_count),
                    "--host",
                    port_hint,
                )
            )
            result = asyncio.run(run_load(rooms, ports, rate, args.seconds))
            print(
                f"  {label:<36} sent {result['sent']:>6}  expected {result['expected']:>7}  "
                f"delivered {result['delivered']:>7}  lost {result['lost']:>5}  "
                f"dup {result['duplicates']:>3}  p50 {result['p50']:7.1f} ms  "
                f"p99 {result['p99']:7.1f} ms  max {result['max']:7.1f} ms  "
                f"errors {result['errors']}"
            )
            print(
                "  "
                + " " * 36
                + " p99 per 5 s of sending: "
                + ", ".join(f"{value:.0f}" for value in result["p99_by_5s"])
                + " ms"
            )
    print("Goals: nothing lost in either load; p99 <= 250 ms at 4 x 25 clients.")


if __name__ == "__main__":
    main()
