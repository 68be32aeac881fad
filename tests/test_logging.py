"""An expected refusal is one line in the log, not a traceback (found from outside: every 403
wrote a full traceback). Real errors keep theirs."""

import io
import logging

import pytest

from core.logs import ExpectedRefusalsOnOneLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def console() -> io.StringIO:
    """What the settings' console handler writes, caught on its way out."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, ExpectedRefusalsOnOneLine) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_forbidden_page_and_a_missing_one_log_one_line_each(client, alice, bob, console):
    client.force_login(alice)
    # A student opening the coordinators' desk, and a coordinator a program that doesn't exist.
    forbidden = client.get("/coordinate/")
    client.force_login(bob)
    missing = client.get("/programs/999999/")

    assert (forbidden.status_code, missing.status_code) == (403, 404)
    assert console.getvalue().splitlines() == [
        "Forbidden (Permission denied): /coordinate/",
        "Not Found: /programs/999999/",
    ]


def test_a_real_error_keeps_its_traceback(console):
    logger = logging.getLogger("django.request")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.error("Internal Server Error: /x", exc_info=True, extra={"status_code": 500})

    assert "Traceback (most recent call last)" in console.getvalue()
    assert "RuntimeError: boom" in console.getvalue()
