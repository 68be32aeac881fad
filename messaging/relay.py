"""One listener per process for each room, instead of one per browser.

Joining every consumer to a room's group makes the channel layer copy each message once per
reader through Redis, and the readers' queues overflow under load. Here each process joins a
room's group once, through a single relay channel, and hands every event to its own local
consumers. The layer carries one copy per process; fan-out to sockets happens in memory.

Order: messages of a room are numbered without gaps, but two processes publish them
independently, so number 8 can arrive before number 7. The relay puts each room's messages
back in order before its consumers see them. A number that has not arrived after GAP_WAIT is
read from the database, once for the whole process (it is always there: a message is
published only after it is committed, and numbers are committed in order).

Presence: each relay tells the room who is connected through it whenever that changes (at
most every PRESENCE_DEBOUNCE) and every PRESENCE_HEARTBEAT; a process that stops saying so
for PRESENCE_STALE seconds is forgotten. Consumers receive the merged list.

If the layer fails (Redis restarted, unreachable), the relay keeps retrying; once it is back it
joins its groups again (a restarted Redis has forgotten them) and asks every local consumer to
resync from the database, so nothing posted in between is lost.
"""

import asyncio
import contextlib
import logging
import weakref
from collections import defaultdict

from channels import DEFAULT_CHANNEL_LAYER
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, channel_layers, get_channel_layer

from messaging.events import layer_envelope, message_event, presence_event
from messaging.selectors import room_history

logger = logging.getLogger(__name__)

# Joined again this often, well inside the layer's group expiry.
REJOIN_SECONDS = 3600
RETRY_SECONDS = (0.2, 0.5, 1, 2, 5)
# How long a missing message number may be late before it is read from the database.
GAP_WAIT = 0.3
PRESENCE_DEBOUNCE = 0.2
PRESENCE_HEARTBEAT = 30
PRESENCE_STALE = 75


def room_group(room_id: int) -> str:
    return f"room.{room_id}"


class RoomRelay:
    def __init__(self, layer) -> None:
        self.layer = layer
        self.channel: str | None = None
        self.listeners: dict[int, set] = defaultdict(set)
        self._task: asyncio.Task | None = None
        self._heartbeat: asyncio.Task | None = None
        self._lock = asyncio.Lock()
        # Ordering, per room: the next number to hand out (None until a consumer has told
        # where the room stood when it joined), and numbers that came early.
        self.expected: dict[int, int | None] = {}
        self.held: dict[int, dict[int, dict]] = defaultdict(dict)
        self._gap_tasks: dict[int, asyncio.Task] = {}
        # Presence, per room: who other processes say is there, and the last list shown.
        self.remote: dict[int, dict[str, tuple[dict[int, str], float]]] = defaultdict(dict)
        self.shown: dict[int, dict[int, str]] = {}
        self._presence_tasks: dict[int, asyncio.Task] = {}
        # False from a failed layer operation until the relay has joined its groups again.
        self.connected = True
        self._recovery: asyncio.Task | None = None

    # --- Consumers ------------------------------------------------------------------------

    async def join(self, room_id: int, listener) -> None:
        """Start handing the room's events to `listener`; it then calls `ready`."""
        async with self._lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel("relay.")
                self._task = asyncio.create_task(self._run(), name="room-relay")
                self._heartbeat = asyncio.create_task(self._beat(), name="room-presence")
            first = not self.listeners[room_id]
            self.listeners[room_id].add(listener)
            if first:
                self.expected[room_id] = None
                try:
                    await self.layer.group_add(room_group(room_id), self.channel)
                except Exception:
                    # The layer is down: the socket still works from the database, and the
                    # relay joins the room's group once the layer is back (see _run).
                    logger.warning("relay could not join room %s", room_id, exc_info=True)
                    self._mark_down()
        present = self._present(room_id)
        if self.shown.get(room_id) == present:  # the same person again: only the newcomer
            listener.relay_event(presence_event(room_id, present))
        self._presence_changed(room_id, ask=len(self.listeners[room_id]) == 1)

    def ready(self, room_id: int, last_seq: int) -> None:
        """The room stood at `last_seq` after the listener joined: messages from there on
        come through the relay, in order."""
        if room_id in self.expected and self.expected[room_id] is None:
            self.expected[room_id] = last_seq + 1
            held = self.held[room_id]
            for seq in [seq for seq in held if seq <= last_seq]:
                del held[seq]
            self._flush(room_id)

    async def leave(self, room_id: int, listener) -> None:
        async with self._lock:
            members = self.listeners.get(room_id)
            if not members:
                return
            members.discard(listener)
            if members:
                self._presence_changed(room_id)
                return
            del self.listeners[room_id]
            self._forget(room_id)
            try:
                await self._publish_presence(room_id)
                await self.layer.group_discard(room_group(room_id), self.channel)
            except Exception:  # the layer is down; the group expires on its own
                logger.warning("relay could not leave room %s", room_id, exc_info=True)

    def _forget(self, room_id: int) -> None:
        self.expected.pop(room_id, None)
        self.held.pop(room_id, None)
        self.remote.pop(room_id, None)
        self.shown.pop(room_id, None)
        for tasks in (self._gap_tasks, self._presence_tasks):
            task = tasks.pop(room_id, None)
            if task is not None:
                task.cancel()

    async def publish(self, room_id: int, event: dict) -> None:
        """Send an event to every process listening to the room. Raises if the layer is down."""
        try:
            await self.layer.group_send(room_group(room_id), layer_envelope(room_id, event))
        except Exception:
            self._mark_down()
            raise

    # --- Messages in order ----------------------------------------------------------------

    def _deliver(self, room_id: int, event: dict) -> None:
        for listener in list(self.listeners.get(room_id, ())):
            listener.relay_event(event)

    def _on_message(self, room_id: int, event: dict) -> None:
        if room_id not in self.expected:
            return  # not listening
        expected = self.expected[room_id]
        if expected is not None and event["id"] < expected:
            return  # handed out already
        self.held[room_id][event["id"]] = event
        self._flush(room_id)

    def _flush(self, room_id: int) -> None:
        expected, held = self.expected.get(room_id), self.held[room_id]
        if expected is None:
            return
        while expected in held:
            self._deliver(room_id, held.pop(expected))
            expected += 1
        self.expected[room_id] = expected
        if held and room_id not in self._gap_tasks:
            self._gap_tasks[room_id] = asyncio.create_task(self._fill_gap(room_id))

    async def _fill_gap(self, room_id: int) -> None:
        try:
            await asyncio.sleep(GAP_WAIT)
            while self.held.get(room_id) and self.expected.get(room_id) is not None:
                first, last = self.expected[room_id], min(self.held[room_id]) - 1
                try:
                    messages = await database_sync_to_async(room_history)(
                        room_id=room_id, after=first - 1, until=last, limit=last - first + 1
                    )
                except Exception:
                    logger.warning("relay could not read room %s", room_id, exc_info=True)
                    await asyncio.sleep(GAP_WAIT)
                    continue
                held = self.held.get(room_id)
                if held is None:
                    return
                for message in messages:
                    held.setdefault(message.seq, message_event(message))
                if self.expected.get(room_id) == first and first not in held:
                    # Not in the database either: never committed. Move on.
                    logger.warning("room %s: messages %s-%s missing", room_id, first, last)
                    self.expected[room_id] = min(held)
                self._gap_tasks.pop(room_id, None)
                self._flush(room_id)
                return
        finally:
            if self._gap_tasks.get(room_id) is asyncio.current_task():
                del self._gap_tasks[room_id]

    # --- Presence -------------------------------------------------------------------------

    def _local(self, room_id: int) -> dict[int, str]:
        return {
            listener.user_id: listener.user_name
            for listener in self.listeners.get(room_id, ())
            if getattr(listener, "user_id", None) is not None
        }

    def _present(self, room_id: int) -> dict[int, str]:
        users = self._local(room_id)
        for remote_users, _at in self.remote.get(room_id, {}).values():
            users.update(remote_users)
        return users

    def _show_presence(self, room_id: int) -> None:
        present = self._present(room_id)
        if self.shown.get(room_id) != present and room_id in self.listeners:
            self.shown[room_id] = present
            self._deliver(room_id, presence_event(room_id, present))

    def _presence_changed(self, room_id: int, *, ask: bool = False) -> None:
        """Show the change here, and tell the other processes soon (changes coalesce)."""
        self._show_presence(room_id)
        task = self._presence_tasks.get(room_id)
        if task is None or task.done():
            self._presence_tasks[room_id] = asyncio.create_task(
                self._presence_soon(room_id, ask=ask)
            )

    async def _presence_soon(self, room_id: int, *, ask: bool) -> None:
        await asyncio.sleep(PRESENCE_DEBOUNCE)
        try:
            await self._publish_presence(room_id, ask=ask)
        except Exception:
            logger.warning("relay could not send presence for room %s", room_id, exc_info=True)

    async def _publish_presence(self, room_id: int, *, ask: bool = False) -> None:
        await self.layer.group_send(
            room_group(room_id),
            {
                "type": "room.presence",
                "room": room_id,
                "process": self.channel,
                "users": {str(k): v for k, v in self._local(room_id).items()},
                "ask": ask,
            },
        )

    def _on_presence(self, message: dict) -> None:
        room_id = message["room"]
        if message["process"] == self.channel or room_id not in self.listeners:
            return
        users = {int(k): v for k, v in message["users"].items()}
        remote = self.remote[room_id]
        if users:
            remote[message["process"]] = (users, asyncio.get_running_loop().time())
        else:
            remote.pop(message["process"], None)
        if message.get("ask"):
            self._presence_changed(room_id)
        else:
            self._show_presence(room_id)

    async def _beat(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(PRESENCE_HEARTBEAT)
            for room_id in list(self.listeners):
                remote = self.remote.get(room_id, {})
                for process, (_users, at) in list(remote.items()):
                    if loop.time() - at > PRESENCE_STALE:
                        del remote[process]
                self._show_presence(room_id)
                try:
                    await self._publish_presence(room_id)
                except Exception:
                    logger.warning("relay could not send presence", exc_info=True)
                    break

    async def close(self) -> None:
        """Stop listening: background work first, then the layer's receive."""
        others = [
            self._heartbeat,
            self._recovery,
            *self._gap_tasks.values(),
            *self._presence_tasks.values(),
        ]
        for task in others:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=1)
        if hasattr(self.layer, "close_pools"):
            # Also ends a read that redis-py kept going after losing the cancellation (it can
            # when the cancellation meets its read timeout).
            await self.layer.close_pools()
        if self._task is not None and not self._task.done():
            await asyncio.wait({self._task}, timeout=5)
        self._task = self._heartbeat = None

    # --- The layer ------------------------------------------------------------------------

    async def _rejoin(self) -> None:
        for room_id in list(self.listeners):
            await self.layer.group_add(room_group(room_id), self.channel)

    def _dispatch(self, message: dict) -> None:
        if message.get("type") == "room.presence":
            self._on_presence(message)
            return
        room_id, event = message.get("room"), message.get("event")
        if not isinstance(event, dict):
            return
        if event.get("type") == "message":
            self._on_message(room_id, event)
        else:
            self._deliver(room_id, event)

    def _resync_all(self) -> None:
        """After an outage: every consumer reads what it missed from the database, and the
        relay starts each room's order again from where the next consumer finds it."""
        for room_id, listeners in list(self.listeners.items()):
            self.expected[room_id] = None
            self.held[room_id].clear()
            for listener in list(listeners):
                listener.relay_resync()

    def _mark_down(self) -> None:
        """The layer failed: recover in the background (once)."""
        self.connected = False
        if self._recovery is None or self._recovery.done():
            self._recovery = asyncio.create_task(self._recover(), name="room-relay-recovery")

    async def _recover(self) -> None:
        """Join every group again (a restarted Redis has forgotten them), then have every
        socket read what it missed from the database."""
        failures = 0
        while True:
            await asyncio.sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
            try:
                await self._rejoin()
            except Exception:
                failures += 1
                continue
            self.connected = True
            self._resync_all()
            logger.warning("relay is back on the channel layer")
            return

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        rejoin_at = loop.time() + REJOIN_SECONDS
        failures = 0
        while True:
            try:
                if self.connected and loop.time() >= rejoin_at:
                    await self._rejoin()
                    rejoin_at = loop.time() + REJOIN_SECONDS
                message = await self.layer.receive(self.channel)
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception:
                if asyncio.current_task().cancelling():
                    # channels-redis can turn a cancellation into another error (it releases
                    # a lock it never got); stopping must still stop.
                    raise asyncio.CancelledError from None
                delay = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                failures += 1
                self._mark_down()
                logger.warning("relay lost the channel layer; retrying in %ss", delay)
                await asyncio.sleep(delay)
                continue
            self._dispatch(message)


_relays: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, RoomRelay]" = (
    weakref.WeakKeyDictionary()
)


async def close_relay() -> None:
    """Stop the running loop's relay, if it started (server shutdown, tests)."""
    relay = _relays.pop(asyncio.get_running_loop(), None)
    if relay is not None:
        await relay.close()


def get_relay() -> RoomRelay:
    """The relay of the running event loop (one per ASGI server process).

    Each relay has a channel layer object of its own: channels-redis keeps the state of a
    blocking receive on the layer object and refuses a second event loop while it thinks the
    first still receives, which a test running several loops one after another would hit.
    The in-memory layer (`make run`) is the exception: its groups live on the layer object, so
    the relay must listen on the process's own one, the one room_broadcast sends through.
    """
    loop = asyncio.get_running_loop()
    relay = _relays.get(loop)
    if relay is None:
        layer = get_channel_layer()
        if not isinstance(layer, InMemoryChannelLayer):
            layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
        relay = _relays[loop] = RoomRelay(layer)
    return relay
