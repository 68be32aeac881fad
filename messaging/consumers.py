"""The chat WebSocket: /ws/rooms/<room_id>/[?after=<id>]. The protocol is docs/chat-protocol.md.

The consumer checks the user at the handshake and membership on every frame it receives. It
saves a message before anyone hears of it, and sends its client each message exactly once, in
order: one task writes to the socket, skips what it already sent, and fills any gap from the
database (a message can arrive through the layer before an earlier one, or not at all while
the layer is down).
"""

import asyncio
import json
import logging
import re
import time
import zoneinfo
from contextlib import contextmanager

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.rules import lacks_required_second_factor
from core import ratelimit
from core.models import City
from exchange.models import Program
from messaging import services
from messaging.events import (
    access_event,
    error_event,
    message_event,
    notice_event,
    read_event,
    reported_event,
    typing_event,
)
from messaging.models import Message, Room
from messaging.relay import get_relay
from messaging.rules import COORDINATOR, PARTICIPANT, RoomAccess, room_access
from messaging.selectors import room_history, room_notice, supervision_notice

__all__ = ["RoomConsumer", "message_event"]

logger = logging.getLogger(__name__)

RESYNC = object()
CATCH_UP_BATCH = 200
# Each connection may send a burst of BURST frames, then RATE a second; STRIKES frames over
# that and the connection is closed.
BURST = 10
RATE = 3.0
STRIKES = 5
# Every frame a client sends is authorised against the database (messaging.rules, one query;
# posting checks again inside the numbering statement). What the socket sends out is
# authorised again when the chat is told that access changed (an access_changed event from
# accounts' and the exchange's announcements) and, in case a change came by a path that
# announces nothing, at least this often.
ACCESS_RECHECK = 10.0
# A participant of an online program is recorded as present this often (services.attendance_mark
# counts the time between beats, so a gap longer than 90 s means they left).
PRESENCE_HEARTBEAT = 60


# Frames are read only within these bounds, checked before the JSON parser sees them: a message
# of MESSAGE_MAX characters, each escaped as \uXXXX, fits; a client's frames are one object deep.
MAX_FRAME_CHARS = 16 * 1024
MAX_FRAME_DEPTH = 4
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def _nested_too_deep(text: str) -> bool:
    """Deeper than MAX_FRAME_DEPTH arrays or objects, counted outside strings, without parsing."""
    depth = 0
    for bracket in _BRACKETS.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_FRAME_DEPTH:
            return True
    return False


class TokenBucket:
    def __init__(self) -> None:
        self.tokens = float(BURST)
        self.at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(BURST, self.tokens + (now - self.at) * RATE)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def _time_zone_of(user) -> zoneinfo.ZoneInfo:
    """The person's home city's time zone, read when the socket opens; the site's otherwise."""
    zone = City.objects.filter(pk=user.home_city_id).values_list("time_zone", flat=True).first()
    return zoneinfo.ZoneInfo(zone) if zone else timezone.get_default_timezone()


class RoomConsumer(AsyncWebsocketConsumer):
    # No channel of its own: the process's relay is the only listener on the layer, so a
    # thousand sockets don't mean a thousand blocking reads on Redis.
    channel_layer_alias = "no-layer-per-consumer"

    room: Room
    last_sent: int
    time_zone: zoneinfo.ZoneInfo

    @contextmanager
    def _as_reader(self):
        """What the socket writes is in the person's language and their city's clock (a mute
        "until 18:00" is 18:00 in Zibo for a Zibo student, as on the pages)."""
        language = self.scope["user"].preferred_language
        with translation.override(language), timezone.override(self.time_zone):
            yield

    async def connect(self):
        user = self.scope["user"]
        self.joined = False
        if not user.is_authenticated or await database_sync_to_async(lacks_required_second_factor)(
            user
        ):
            # Before accept: the handshake is refused (HTTP 403). A coordinator without a
            # second factor is sent to set one up by every page; the socket refuses them too.
            await self.close()
            return
        try:
            room_id = int(self.scope["url_route"]["kwargs"]["room_id"])
        except (KeyError, ValueError):
            await self.close()
            return
        self.time_zone = await database_sync_to_async(_time_zone_of)(user)
        access = await database_sync_to_async(room_access)(user=user, room_id=room_id)
        if (
            access is None
            or access.role is None
            or (access.dissolved and access.role != COORDINATOR)
        ):
            await self.close()
            return
        if not access.can_read:  # a minor in a room short of two adults
            await self.accept()
            with self._as_reader():
                notice = await database_sync_to_async(supervision_notice)(room=access.room)
            await self._send(error_event("unsupervised", notice))
            await self.close(code=4403)
            return
        self.room, self.access = access.room, access
        self.access_checked = time.monotonic()
        self.user_id, self.user_name = user.pk, user.display_name
        after = self._after()
        if after == -1:
            await self.accept()
            await self._error("bad_after", _("after must be a whole number, 0 or more."))
            await self.close(code=4400)
            return
        # Everything the socket needs is ready before the handshake completes, so the first
        # frame a client sends is answered at once (a burst of connections queues here).
        self.queue: asyncio.Queue = asyncio.Queue()
        self.bucket = TokenBucket()
        self.strikes = 0
        relay = get_relay()
        await relay.join(self.room.pk, self)
        self.joined = True
        self.attending = None
        if after is None:
            self.last_sent = await database_sync_to_async(self._current_seq)()
            relay.ready(self.room.pk, self.last_sent)
        else:
            self.last_sent = after
            self.queue.put_nowait(RESYNC)
        if access.role == PARTICIPANT and self.room.program.kind == Program.Kind.ONLINE:
            await self._attend_once()
            self.attending = asyncio.create_task(self._attend())
        await self.accept()
        self.writer = asyncio.create_task(self._write())
        if not relay.connected:
            await self._error(
                "layer_unavailable",
                _(
                    "Live delivery is down: you see what is saved, and new messages arrive "
                    "when it is back."
                ),
            )

    async def _attend_once(self) -> None:
        try:
            await database_sync_to_async(services.attendance_mark)(
                room_id=self.room.pk, user_id=self.user_id, at=timezone.now()
            )
        except Exception:  # the chat goes on; the next beat tries again
            logger.warning("attendance not recorded for room %s", self.room.pk, exc_info=True)

    async def _attend(self) -> None:
        """Live sessions: a participant's presence is their attendance, counted from the
        moment they connect and every PRESENCE_HEARTBEAT while they stay."""
        while True:
            await asyncio.sleep(PRESENCE_HEARTBEAT)
            await self._attend_once()

    def _after(self) -> int | None:
        query = self.scope.get("query_string", b"").decode("latin-1")
        for part in query.split("&"):
            key, _sep, value = part.partition("=")
            if key == "after":
                return int(value) if value.isdigit() else -1
        return None

    def _current_seq(self) -> int:
        return Room.objects.values_list("last_seq", flat=True).get(pk=self.room.pk)

    async def _check_access(self) -> RoomAccess | None:
        """The person's access as the database says now. Tells the client when whether it may
        post changed; None (and the socket closed) when it may no longer read."""
        # Also called from the writer, outside `receive`: the person's language all the same.
        with self._as_reader():
            return await self._read_access()

    async def _read_access(self) -> RoomAccess | None:
        access = await database_sync_to_async(room_access)(
            user=self.scope["user"], room_id=self.room.pk
        )
        self.access_checked = time.monotonic()
        if (
            access is None
            or not access.can_read
            or (access.dissolved and access.role != COORDINATOR)
        ):
            await self._gone(access)
            return None
        if access.can_post != self.access.can_post:
            notice = await database_sync_to_async(room_notice)(access)
            await self._send(access_event(self.room.pk, can_post=access.can_post, notice=notice))
        self.access = access
        return access

    async def disconnect(self, code):
        if not getattr(self, "joined", False):
            return
        await get_relay().leave(self.room.pk, self)
        for task in (getattr(self, "writer", None), self.attending):
            if task is not None:
                task.cancel()

    # --- From the relay -------------------------------------------------------------------

    def relay_event(self, event: dict) -> None:
        self.queue.put_nowait(event)

    def relay_resync(self) -> None:
        self.queue.put_nowait(RESYNC)

    async def _write(self) -> None:
        while True:
            item = await self.queue.get()
            if item is not RESYNC and (
                item["type"] == "access_changed"
                or time.monotonic() - self.access_checked > ACCESS_RECHECK
            ):
                if await self._check_access() is None:
                    return
                if item["type"] == "access_changed":
                    continue
            if item is RESYNC:
                await self._catch_up()
            elif item["type"] == "message":
                if item["id"] > self.last_sent + 1:
                    await self._catch_up(until=item["id"] - 1)
                if item["id"] == self.last_sent + 1:
                    await self._send(item)
                    self.last_sent = item["id"]
            else:
                await self._send(item)

    async def _catch_up(self, until: int | None = None) -> None:
        """Send what this socket missed from the database: up to `until`, or everything (and
        then tell the relay where the room stands)."""
        while until is None or self.last_sent < until:
            batch = await database_sync_to_async(room_history)(
                room_id=self.room.pk, after=self.last_sent, until=until, limit=CATCH_UP_BATCH
            )
            for message in batch:
                await self._send(message_event(message))
                self.last_sent = message.seq
            if len(batch) < CATCH_UP_BATCH:
                break
        if until is None:
            get_relay().ready(self.room.pk, self.last_sent)

    async def _send(self, event: dict) -> None:
        await self.send(text_data=json.dumps(event, ensure_ascii=False))

    async def _error(self, code: str, detail: str, **extra) -> None:
        await self._send(error_event(code, detail, **extra))

    # --- From the client ------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if not self.joined:  # refused at connect; the close is on its way
            return
        with self._as_reader():
            await self._receive(text_data)

    async def _receive(self, text_data) -> None:
        if not self.bucket.take():
            self.strikes += 1
            await self._error("rate_limited", _("Slow down: you are sending too fast."))
            if self.strikes >= STRIKES:
                await self.close(code=4429)
            return
        if text_data is not None and len(text_data) > MAX_FRAME_CHARS:
            await self._error(
                "too_large",
                _("This frame is too large: the limit is %(limit)s characters.")
                % {"limit": MAX_FRAME_CHARS},
            )
            return
        try:
            frame = (
                json.loads(text_data)
                if text_data is not None and not _nested_too_deep(text_data)
                else None
            )
        except ValueError:  # not JSON
            frame = None
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self._error("bad_frame", _("Send a JSON object with a “type”."))
            return
        if frame["type"] == "message":
            # A message is authorised by the statement that numbers it (messaging.services
            # SEQ_SQL reads the sender's access in the same transaction as the insert).
            access = self.access
        else:
            access = await self._check_access()
            if access is None:
                return
        role = access.role
        handler = {
            "message": self._on_message,
            "typing": self._on_typing,
            "read": self._on_read,
            "report": self._on_report,
            "delete": self._on_delete,
        }.get(frame["type"])
        if handler is None:
            await self._error("unknown_type", _("Unknown frame type."))
            return
        await handler(frame, role)

    async def _on_message(self, frame: dict, role: str) -> None:
        body, client_id = frame.get("body"), frame.get("client_id")
        if not isinstance(body, str) or not isinstance(client_id, str):
            await self._error(
                "bad_frame",
                _("A message needs a text “body” and a “client_id”."),
                client_id=client_id,
            )
            return
        try:
            posted, event = await database_sync_to_async(self._post)(body, client_id)
        except ValidationError as error:
            if error.code == "not_member":  # a member when the socket opened: not any more
                await self._gone(None)
                return
            if error.code in ("unsupervised", "dissolved"):  # still reads, may not post
                await self._check_access()
            await self._error(
                error.code or "invalid", " ".join(error.messages), client_id=client_id
            )
            return
        if posted.message.masked:
            await self._send(
                notice_event(
                    "contact_masked",
                    _(
                        "Contact details were hidden: stay in touch here in the portal, "
                        "where your coordinators look after the chat."
                    ),
                    client_id=client_id,
                )
            )
        if posted.created:
            try:
                await get_relay().publish(self.room.pk, event)
                return
            except Exception:
                await self._error(
                    "layer_unavailable",
                    _("Saved, but live delivery is down; the others will get it when it is back."),
                    client_id=client_id,
                )
        # Already stored (a repeated client_id, or live delivery down): acknowledge to the
        # sender only. The writer skips it if it was sent before.
        self.queue.put_nowait(event)

    async def _gone(self, access: RoomAccess | None) -> None:
        if access is not None and access.role is not None and not access.supervised:
            notice = await database_sync_to_async(supervision_notice)(room=self.room)
            await self._error("unsupervised", notice)
        else:
            await self._error("not_member", _("You are no longer a member of this room."))
        await self.close(code=4403)

    def _post(self, body: str, client_id: str) -> tuple[services.Posted, dict]:
        user = self.scope["user"]
        # Per person, across every socket of theirs on every process (core.ratelimit); the
        # token bucket above is per socket and covers every kind of frame.
        if not ratelimit.hit(
            f"chat-post:{user.pk}",
            limit=settings.CHAT_POSTS_PER_PERSON,
            period=settings.CHAT_POSTS_PERIOD,
        ):
            raise ValidationError(
                _("Slow down: you are sending too fast. Wait a few seconds."),
                code="rate_limited",
            )
        posted = services.message_post(
            room=self.room, sender=self.scope["user"], body=body, client_id=client_id
        )
        return posted, message_event(posted.message)

    async def _on_typing(self, frame: dict, role: str) -> None:
        user = self.scope["user"]
        if not self.access.can_post:
            return
        await self._publish(typing_event(user))

    async def _on_read(self, frame: dict, role: str) -> None:
        seq = frame.get("id")
        if not isinstance(seq, int) or seq < 0:
            await self._error("bad_frame", _("A read marker needs a message “id”."))
            return
        user = self.scope["user"]
        state = await database_sync_to_async(services.read_marker_set)(
            room=self.room, user=user, seq=seq
        )
        await self._publish(read_event(user, state.last_read_seq))

    async def _message(self, frame: dict) -> Message | None:
        seq = frame.get("id")
        if not isinstance(seq, int):
            return None
        return await database_sync_to_async(
            Message.objects.select_related("room", "sender").filter(room=self.room, seq=seq).first
        )()

    async def _on_report(self, frame: dict, role: str) -> None:
        message = await self._message(frame)
        reason = frame.get("reason")
        if message is None or not isinstance(reason, str):
            await self._error("bad_frame", _("A report needs a message “id” and a “reason”."))
            return
        try:
            await database_sync_to_async(services.report_create)(
                message=message, reporter=self.scope["user"], reason=reason
            )
        except ValidationError as error:
            await self._error(error.code or "invalid", " ".join(error.messages))
            return
        await self._send(reported_event(message))

    async def _on_delete(self, frame: dict, role: str) -> None:
        if role != COORDINATOR:
            await self._error("forbidden", _("Only the program’s coordinators moderate."))
            return
        message = await self._message(frame)
        if message is None:
            await self._error("bad_frame", _("No such message in this room."))
            return
        try:
            # The service tells every socket of the room once the deletion is committed.
            await database_sync_to_async(services.message_delete)(
                message=message, by=self.scope["user"], reason=str(frame.get("reason", ""))[:500]
            )
        except ValidationError as error:
            await self._error(error.code or "invalid", " ".join(error.messages))

    async def _publish(self, event: dict) -> None:
        try:
            await get_relay().publish(self.room.pk, event)
        except Exception:
            await self._error("layer_unavailable", _("Live delivery is down; try again soon."))
