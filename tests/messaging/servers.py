"""Real ASGI servers for the chat tests: daphne processes on the test database, each handed
a socket that already listens, so clients connect at once (the kernel holds connections until
the server takes them) and a killed server can be started again on the same port."""

import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def listening_socket() -> socket.socket:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    listener.set_inheritable(True)
    return listener


def server_env(*, redis_url: str, settings_module: str = "exchange.settings") -> dict[str, str]:
    """The environment of a server on the test database (production settings by default)."""
    database = settings.DATABASES["default"]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        ),
        "REDIS_URL": redis_url,
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
    }


def suite_server_env() -> dict[str, str]:
    """The environment of a server with the suite's own settings (tests.settings: static files
    served, plain HTTP not redirected) on this run's stack.

    On the embedded stack it is this process's environment without DATABASE_URL or REDIS_URL,
    so the server configures itself as `make run` does, on the SQLite file that is the test
    database (tests/settings.py points VAR_DIR at its folder). Its in-memory channel layer is
    its own: only the sockets of that one process reach each other.
    """
    if settings.EXCHANGE_TEST_STACK != "embedded":
        return server_env(redis_url=settings.REDIS_URL, settings_module="tests.settings")
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER"}
    }
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
    }


def start_daphne(listener: socket.socket, env: dict[str, str]) -> subprocess.Popen:
    fd = listener.fileno()
    return subprocess.Popen(
        [sys.executable, "-m", "daphne", "--fd", str(fd), "exchange.asgi:application"],
        cwd=ROOT,
        env=env,
        pass_fds=[fd],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@contextlib.contextmanager
def daphne_servers(count: int, env: dict[str, str]) -> Iterator[list[int]]:
    """`count` daphne processes; yields their ports and stops them afterwards."""
    with contextlib.ExitStack() as stack:
        listeners = [stack.enter_context(listening_socket()) for _ in range(count)]
        ports = [listener.getsockname()[1] for listener in listeners]
        env = {**env, "ALLOWED_ORIGINS": ",".join(f"http://127.0.0.1:{p}" for p in ports)}
        processes = [start_daphne(listener, env) for listener in listeners]
        try:
            yield ports
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=10)
