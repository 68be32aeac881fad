"""One listener per process for each room, instead of one per browser.

Joining every consumer to a room's group makes the channel layer copy each message once per
reader through Redis, and the readers' queues overflow under load. Here each process joins a
room's group once, through a single relay channel, and hands every event to its own local
consumers. The layer carries one copy per process; fan-out to sockets happens in memory.

If the layer fails (Redis restarted, unreachable), the relay keeps retrying; once it is back it
joins its groups again (a restarted Redis has forgotten them) and asks every local consumer to
resync from the database, so nothing posted in between is lost.
"""

import asyncio
import logging
import weakref
from collections import defaultdict

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

# Joined again this often, well inside the layer's group expiry.
REJOIN_SECONDS = 3600
RETRY_SECONDS = (0.2, 0.5, 1, 2, 5)


def room_group(room_id: int) -> str:
    return f"room.{room_id}"


class RoomRelay:
    def __init__(self, layer) -> None:
        self.layer = layer
        self.channel: str | None = None
        self.listeners: dict[int, set] = defaultdict(set)
        self._task: asyncio.Task | None = None
        self._lock = asyncio.Lock()

    async def join(self, room_id: int, listener) -> None:
        async with self._lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel("relay.")
                self._task = asyncio.create_task(self._run(), name="room-relay")
            if not self.listeners[room_id]:
                await self.layer.group_add(room_group(room_id), self.channel)
            self.listeners[room_id].add(listener)

    async def leave(self, room_id: int, listener) -> None:
        async with self._lock:
            members = self.listeners.get(room_id)
            if not members:
                return
            members.discard(listener)
            if not members:
                del self.listeners[room_id]
                try:
                    await self.layer.group_discard(room_group(room_id), self.channel)
                except Exception:  # the layer is down; the group expires on its own
                    logger.warning("relay could not leave room %s", room_id, exc_info=True)

    async def publish(self, room_id: int, event: dict) -> None:
        """Send an event to every process listening to the room. Raises if the layer is down."""
        await self.layer.group_send(
            room_group(room_id), {"type": "room.event", "room": room_id, "event": event}
        )

    async def _rejoin(self) -> None:
        for room_id in list(self.listeners):
            await self.layer.group_add(room_group(room_id), self.channel)

    def _dispatch(self, message: dict) -> None:
        for listener in list(self.listeners.get(message.get("room"), ())):
            listener.relay_event(message["event"])

    def _resync_all(self) -> None:
        for listeners in list(self.listeners.values()):
            for listener in list(listeners):
                listener.relay_resync()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        rejoin_at = loop.time() + REJOIN_SECONDS
        failures = 0
        while True:
            try:
                if failures:
                    await self._rejoin()
                    failures = 0
                    self._resync_all()
                if loop.time() >= rejoin_at:
                    await self._rejoin()
                    rejoin_at = loop.time() + REJOIN_SECONDS
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                delay = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                failures += 1
                logger.warning("relay lost the channel layer; retrying in %ss", delay)
                await asyncio.sleep(delay)
                continue
            self._dispatch(message)


_relays: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, RoomRelay]" = (
    weakref.WeakKeyDictionary()
)


def get_relay() -> RoomRelay:
    """The relay of the running event loop (one per ASGI server process)."""
    loop = asyncio.get_running_loop()
    relay = _relays.get(loop)
    if relay is None:
        relay = _relays[loop] = RoomRelay(get_channel_layer())
    return relay
