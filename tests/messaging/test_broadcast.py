"""room_broadcast: an event for a room's sockets, sent on the real Redis layer once the
transaction commits, and never an error for the request when the layer is down."""

import logging
import uuid
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.db import transaction
from django.utils import timezone

from messaging.broadcast import room_broadcast
from messaging.events import deleted_event, muted_event, room_event
from messaging.services import member_mute, message_post, room_close
from tests.messaging.helpers import listen
from tests.messaging.sockets import cookie_for, frames, run_chat, socket

pytestmark = pytest.mark.django_db


def test_room_broadcast_sends_the_event_to_the_rooms_group_after_commit(
    published, django_capture_on_commit_callbacks
):
    room = published["pair"]
    receive = listen(room.pk)

    with django_capture_on_commit_callbacks() as callbacks:
        room_broadcast(room.pk, {"type": "room", "room": room.pk, "closed": True})
    assert len(callbacks) == 1  # waiting for the commit
    callbacks[0]()  # the commit

    assert receive() == {
        "type": "room.event",
        "room": room.pk,
        "event": {"type": "room", "room": room.pk, "closed": True},
    }


def test_room_broadcast_in_a_rolled_back_transaction_sends_nothing(
    published, django_capture_on_commit_callbacks
):
    room = published["pair"]
    receive = listen(room.pk)

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            room_broadcast(room.pk, {"type": "room", "room": room.pk, "closed": True})
            raise RuntimeError("rolled back")
        room_broadcast(room.pk, {"type": "room", "room": room.pk, "closed": False})

    # The first event the group gets is the committed one.
    assert receive()["event"] == {"type": "room", "room": room.pk, "closed": False}


def test_room_broadcast_layer_failure_is_logged_not_raised(
    published, settings, caplog, django_capture_on_commit_callbacks
):
    room = published["pair"]
    # Nothing listens on port 1: every connection is refused at once.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1/0"}]},
        }
    }

    with (
        caplog.at_level(logging.WARNING, logger="messaging.broadcast"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        room_broadcast(room.pk, {"type": "room", "room": room.pk, "closed": True})

    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("messaging.broadcast", "WARNING", f"could not broadcast room to room {room.pk}")
    ]


def test_event_shapes_follow_the_protocol(published, alice, carol):
    room = published["pair"]
    message = message_post(room=room, sender=alice, body="hi", client_id=uuid.uuid4()).message
    until = timezone.now() + timedelta(hours=1)
    member_mute(room=room, user=alice, until=until, by=carol)
    closed = room_close(room=room, by=carol)

    assert deleted_event(message) == {"type": "deleted", "room": room.pk, "id": 1}
    assert room_event(closed) == {"type": "room", "room": room.pk, "closed": True}
    assert room_event(room_close(room=room, by=carol, closed=False)) == {
        "type": "room",
        "room": room.pk,
        "closed": False,
    }
    assert muted_event(room, alice, until) == {
        "type": "muted",
        "room": room.pk,
        "user": {"id": alice.pk, "name": "김앨리스 (Kim Alice)"},
        "until": until.isoformat(),
    }
    assert muted_event(room, alice, None)["until"] is None


@pytest.mark.django_db(transaction=True)
def test_room_broadcast_reaches_the_sockets_on_the_in_memory_layer(
    published, alice, carol, settings
):
    """`make run` serves on the in-memory layer, whose groups live on the layer object: the
    relay and the services that broadcast must share it, or no moderation step, closed room
    or change of members reaches an open socket (found on the embedded stack: a coordinator's
    delete stayed on everyone's screen)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    room = published["pair"]
    alice_cookie = cookie_for(alice)

    async def scenario():
        communicator = socket(room, alice_cookie)
        assert (await communicator.connect())[0]
        await database_sync_to_async(room_close)(room=room, by=carol)
        received = await frames(communicator, 1)
        await communicator.disconnect()
        return received

    assert run_chat(scenario()) == [{"type": "room", "room": room.pk, "closed": True}]
