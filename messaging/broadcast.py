"""Tell a room's open sockets about something that changed outside them (a moderation step on
the coordinators' page), through the same group the relays listen to.

The database already holds the truth when an event is sent: a socket that misses one is
brought back in line on its next resync, so a failing layer is logged and never raised into
the request that made the change.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from accounts.models import User
from messaging.models import Message, Room
from messaging.relay import room_group
from messaging.services import room_is_open

logger = logging.getLogger(__name__)


def room_broadcast(room_id: int, event: dict) -> None:
    """Send `event` to every socket of the room once the current transaction commits."""

    def send() -> None:
        try:
            async_to_sync(get_channel_layer().group_send)(
                room_group(room_id), {"type": "room.event", "room": room_id, "event": event}
            )
        except Exception:
            logger.warning(
                "could not broadcast %s to room %s", event.get("type"), room_id, exc_info=True
            )

    transaction.on_commit(send)


def deleted_event(message: Message) -> dict:
    return {"type": "deleted", "room": message.room_id, "id": message.seq}


def room_event(room: Room) -> dict:
    return {"type": "room", "room": room.pk, "closed": not room_is_open(room)}


def muted_event(room: Room, user: User, until) -> dict:
    return {
        "type": "muted",
        "room": room.pk,
        "user": {"id": user.pk, "name": user.display_name},
        "until": until.isoformat() if until else None,
    }
