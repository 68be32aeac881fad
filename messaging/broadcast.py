"""Tell a room's open sockets about something that changed outside them (a moderation step,
a change of who is in the room), through the same group the relays listen to. The services
that make the change call it; views and consumers never do.

The database already holds the truth when an event is sent: a socket that misses one is
brought back in line on its next resync, so a failing layer is logged and never raised into
the request that made the change.
"""

import asyncio
import logging
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from messaging.events import layer_envelope
from messaging.relay import room_group

logger = logging.getLogger(__name__)


def room_broadcast(room_id: int, event: dict) -> None:
    """Send `event` to every socket of the room once the current transaction commits."""

    def send() -> None:
        try:
            async_to_sync(get_channel_layer().group_send)(
                room_group(room_id), layer_envelope(room_id, event)
            )
        except Exception:
            logger.warning(
                "could not broadcast %s to room %s", event.get("type"), room_id, exc_info=True
            )

    def send_from_here() -> None:
        # Sync code called from a thread that runs an event loop (a shell or a test driving a
        # browser) can't block on that loop: the send gets a thread of its own.
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            send()
            return
        sender = threading.Thread(target=send, name="room-broadcast")
        sender.start()
        sender.join()

    transaction.on_commit(send_from_here)
