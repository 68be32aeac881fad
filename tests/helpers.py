"""Helpers any test module may use: the personas and signing in, permission tables, flashed
messages, PDF text, session cookies and settings read in a fresh process.

Test modules import shared helpers from here (or from tests/exchange/helpers.py and
tests/messaging/helpers.py), never from another test module: tests/test_test_imports.py
checks it.
"""

import io
import os
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path
from urllib.parse import quote

import pypdf
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


PERSONAS = ["anonymous", "alice", "mina", "carol", "bob", "oscar"]


LOGIN_URL = "/accounts/login/"


def sign_in(request, client, persona: str):
    """Sign the test client in as the persona (a conftest fixture), or stay anonymous."""
    if persona == "anonymous":
        return None
    user = request.getfixturevalue(persona)
    client.force_login(user)
    return user


def login_redirect(path: str) -> str:
    return f"{LOGIN_URL}?next={quote(path)}"


def table(expected: dict[str, object]) -> list[tuple[str, object]]:
    assert sorted(expected) == sorted(PERSONAS)
    return list(expected.items())


def pdf_text(data: bytes) -> str:
    """All the text, NFC-normalised and without whitespace: where a line wraps is layout,
    not content, and pypdf may hand back decomposed Vietnamese marks."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    return "".join(unicodedata.normalize("NFC", text).split())


def squeeze(text: str) -> str:
    return "".join(text.split())


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


def run_with_env(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "exchange.settings",
        "VAR_DIR": str(ROOT / "var" / "test-settings"),
        **env,
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, check=False
    )


def pdftotext(data: bytes) -> str:
    """The PDF's text as poppler reads it, NFC and without whitespace (line breaks are
    layout)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        result = subprocess.run(
            ["pdftotext", "-layout", "-enc", "UTF-8", file.name, "-"],
            capture_output=True,
            check=True,
        )
    return "".join(unicodedata.normalize("NFC", result.stdout.decode()).split())
