"""manage.py chat_bench_fixture: rooms of verified members, printed as JSON, never in production."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from messaging.models import Room
from messaging.rules import room_access, room_role
from messaging.services import session_gate

pytestmark = pytest.mark.django_db


def test_chat_bench_fixture_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError) as excinfo:
        call_command("chat_bench_fixture", "--rooms", "1", "--members", "2")

    assert str(excinfo.value) == "Refusing to run with DEBUG off: this creates signed-in sessions."
    assert Room.objects.count() == 0


def test_chat_bench_fixture_prints_rooms_with_member_sessions(settings):
    settings.DEBUG = True
    out = StringIO()

    call_command(
        "chat_bench_fixture", "--rooms", "2", "--members", "3", "--host", "h:1", stdout=out
    )

    rows = json.loads(out.getvalue())
    assert [sorted(row) for row in rows] == [["cookies", "room", "ws_url"]] * 2
    assert [row["ws_url"] for row in rows] == [f"ws://h:1/ws/rooms/{row['room']}/" for row in rows]
    assert [len(row["cookies"]) for row in rows] == [3, 3]
    room = Room.objects.get(pk=rows[0]["room"])
    assert [room_role(user=a.student, room=room) for a in room.applications.all()] == [
        "participant"
    ] * 3
    # Two coordinators supervise it, and its online program has a session on, so members may
    # post at once.
    assert [
        room_access(user=a.student, room_id=room.pk).can_post for a in room.applications.all()
    ] == [True] * 3
    assert session_gate(room=room, role="participant", now=timezone.now()) is None
