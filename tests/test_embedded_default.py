"""What `make run` does, on the embedded defaults (SQLite, in-memory layer, eager Celery), in a
process of its own: the migrations, the demo, and the chat's numbering statement, which is
raw SQL and must hold on SQLite as on PostgreSQL.

Found from outside: an alias in the statement's RETURNING clause, which SQLite rejects, made
`seed_demo` roll back everything and the portal serve no one.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHAT_ON_SQLITE = """
import django, json, uuid
django.setup()
from django.core.exceptions import ValidationError
from accounts.models import CoordinatorMembership, User
from messaging.models import Room
from messaging.rules import room_access
from messaging.services import member_mute, message_post
from django.utils import timezone
from datetime import timedelta

room = Room.objects.filter(kind="pair", dissolved_at=None).order_by("pk").first()
student = room.applications.order_by("pk").first().student
coordinator = User.objects.filter(
    coordinator_memberships__city__program_cities__program=room.program
).order_by("pk").first()
out = {"access": room_access(user=student, room_id=room.pk).can_post}
posted = message_post(room=room, sender=student, body="010-1234-5678", client_id=uuid.uuid4())
out["seq"] = posted.message.seq == room.last_seq + 1
out["masked"] = posted.message.body
member_mute(room=room, user=student, until=timezone.now() + timedelta(hours=1), by=coordinator)
try:
    message_post(room=room, sender=student, body="hi", client_id=uuid.uuid4())
except ValidationError as error:
    out["muted"] = error.code
print(json.dumps(out))
"""

CERTIFICATE_ADDRESSES = """
import django, json
django.setup()
import pypdfium2
from exchange.models import Certificate
found = {"8000": 0, "8020": 0}
for certificate in Certificate.objects.exclude(pdf=""):
    with certificate.pdf.open("rb") as handle:
        pdf = pypdfium2.PdfDocument(handle.read())
    text = "".join(page.get_textpage().get_text_range() for page in pdf)
    for port in found:
        found[port] += f"127.0.0.1:{port}/verify/" in text
print(json.dumps(found))
"""


def run(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "exchange.settings",
        "VAR_DIR": str(tmp_path),
        **extra,
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_make_run_migrates_seeds_and_chats_on_sqlite(tmp_path):
    migrated = run(tmp_path, "manage.py", "migrate", "--noinput", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    seeded = run(tmp_path, "manage.py", "seed_demo")
    assert seeded.returncode == 0, seeded.stderr
    assert "Demo loaded: 19 cities" in seeded.stdout
    # Found in a user trial: kombu's "No hostname was supplied" began the output, and the
    # demo's own history left 81 files in var/mail/ to hunt through for one's own email.
    assert seeded.stderr == ""
    assert list((tmp_path / "mail").glob("*")) == []

    chatted = run(tmp_path, "-c", CHAT_ON_SQLITE)

    assert chatted.returncode == 0, chatted.stderr
    assert json.loads(chatted.stdout.strip().splitlines()[-1]) == {
        "access": True,
        "seq": True,
        "masked": "•••",
        "muted": "muted",
    }

    first = run(tmp_path, "-c", CERTIFICATE_ADDRESSES)
    assert json.loads(first.stdout.strip().splitlines()[-1]) == {"8000": 30, "8020": 0}
    # Served on another port, the demo's certificates are drawn again for it: their QR code
    # and printed address open this server's verify page, not port 8000's.
    reseeded = run(tmp_path, "manage.py", "seed_demo", SITE_URL="http://127.0.0.1:8020")
    assert reseeded.returncode == 0, reseeded.stderr
    addresses = run(tmp_path, "-c", CERTIFICATE_ADDRESSES)
    assert addresses.returncode == 0, addresses.stderr
    assert json.loads(addresses.stdout.strip().splitlines()[-1]) == {"8000": 0, "8020": 30}
