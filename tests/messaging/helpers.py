"""Helpers the messaging tests share: a listener on a room's group, posting a message and the
moderation page's address."""

import asyncio
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from messaging import services
from messaging.models import Message, Room
from messaging.relay import room_group


def listen(room_id: int):
    """A channel in the room's group, as a relay would be; returns `receive(count=1)`, which
    waits for the next `count` events sent to it."""
    layer = get_channel_layer()
    channel = f"test.listen.{uuid.uuid4().hex}"
    async_to_sync(layer.group_add)(room_group(room_id), channel)

    async def take(count: int) -> list[dict]:
        events = [await layer.receive(channel) for _ in range(count)]
        # channels-redis keeps a backup of each event it hands out until a task of its own
        # clears it; that task must finish before this loop closes, or the next receive gets
        # the same event again.
        current = asyncio.current_task()
        await asyncio.gather(*(task for task in asyncio.all_tasks() if task is not current))
        return events

    def receive(count: int = 1):
        events = async_to_sync(take)(count)
        return events[0] if count == 1 else events

    return receive


def post(room: Room, sender, body: str) -> Message:
    return services.message_post(
        room=room, sender=sender, body=body, client_id=uuid.uuid4()
    ).message


def page_url(program) -> str:
    return f"/coordinate/programs/{program.pk}/moderation/"
