"""The masking corpus (contacts.txt, ordinary.txt) and the check that a contact is gone; read
by tests/messaging/test_masking_corpus.py and bench/masking_bench.py."""

import re
from pathlib import Path

from messaging.masking import MASK, normalise

HERE = Path(__file__).parent
ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})")


def _unescape(text: str) -> str:
    return ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def _lines(name: str) -> list[str]:
    lines = []
    for raw in (HERE / name).read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            lines.append(raw)
    return lines


def contacts() -> list[tuple[str, tuple[str, ...]]]:
    """(message, secrets) for each obfuscated contact."""
    corpus = []
    for line in _lines("contacts.txt"):
        message, secrets = line.rsplit(" => ", 1)
        corpus.append((_unescape(message), tuple(s.strip() for s in secrets.split("|"))))
    return corpus


def ordinary(site_url: str) -> list[str]:
    """Ordinary messages; {SITE_URL} stands for the portal's own address."""
    return [_unescape(line).replace("{SITE_URL}", site_url) for line in _lines("ordinary.txt")]


# What is left of a masked message must not reveal the contact. Read through the same
# normalisation as detection (digits spelled out, look-alikes, invisible characters), it holds
# no run of seven or more digits (separators between them allowed), no address (local part @
# domain), and none of the line's secrets once spaces and punctuation are taken out.
DIGIT_RUN = re.compile(r"\d(?:[\s\-.()+_]*\d){6,}")
ADDRESS = re.compile(r"[A-Za-z0-9._%+\-]+\s*@\s*[A-Za-z0-9\-]+")
NOT_LETTERS = re.compile(r"[\W_]+")


def _compact(text: str) -> str:
    return NOT_LETTERS.sub("", text).casefold()


def what_reveals(masked: str, secrets: tuple[str, ...]) -> list[str]:
    """Why masked still gives the contact away; empty when it doesn't."""
    reasons = []
    if MASK not in masked:
        reasons.append("no mask")
    read = normalise(masked)
    reasons += [f"digits {m.group()!r}" for m in DIGIT_RUN.finditer(read)]
    reasons += [f"address {m.group()!r}" for m in ADDRESS.finditer(read)]
    compact = _compact(read)
    reasons += [f"secret {secret!r}" for secret in secrets if _compact(secret) in compact]
    return reasons
