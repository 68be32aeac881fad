"""The JSON events the chat sends, built in one place for the socket, the relay, the services
that change a room and the history API alike (docs/chat-protocol.md). Nothing else writes an
event dict."""

from django.utils import timezone

from messaging.models import Message, Room


def message_event(message: Message) -> dict:
    sender = message.sender
    return {
        "type": "message",
        "id": message.seq,
        "room": message.room_id,
        "sender": {"id": sender.pk, "name": sender.display_name} if sender else None,
        "body": message.body,
        "created": message.created_at.isoformat(),
        "client_id": str(message.client_id),
        "deleted": message.deleted_at is not None,
        # Contact details were masked: every reader's page says, in their own language, that
        # contact stays in the portal (chat_strings["contact_masked"]).
        "masked": bool(message.masked),
    }


def presence_event(room_id: int, users: dict[int, str]) -> dict:
    return {
        "type": "presence",
        "room": room_id,
        "present": [
            {"id": user_id, "name": name}
            for user_id, name in sorted(users.items(), key=lambda item: (item[1], item[0]))
        ],
    }


def _person(user) -> dict:
    return {"id": user.pk, "name": user.display_name}


def typing_event(user) -> dict:
    return {"type": "typing", "user": _person(user)}


def read_event(user, seq: int) -> dict:
    return {"type": "read", "user": _person(user), "id": seq}


def deleted_event(message: Message) -> dict:
    return {"type": "deleted", "room": message.room_id, "id": message.seq}


def room_event(room: Room) -> dict:
    """Whether the room takes messages now (closed by a coordinator, or dissolved)."""
    closed = room.dissolved_at is not None or (
        room.closed_at is not None and room.closed_at <= timezone.now()
    )
    return {"type": "room", "room": room.pk, "closed": closed}


def muted_event(room: Room, user, until) -> dict:
    return {
        "type": "muted",
        "room": room.pk,
        "user": _person(user),
        "until": until.isoformat() if until else None,
    }


def access_changed_event(room_id: int) -> dict:
    """To the sockets of a room whose members or supervisors changed: each reads its own
    access again (messaging.rules) before the next frame. Never sent on to a client."""
    return {"type": "access_changed", "room": room_id}


def access_event(room_id: int, *, can_post: bool, notice: dict | None) -> dict:
    """To one socket whose access changed but which may still read: whether it may post,
    and the notice that says why not."""
    return {"type": "access", "room": room_id, "can_post": can_post, "notice": notice}


def error_event(code: str, detail: str, **extra) -> dict:
    return {"type": "error", "code": code, "detail": str(detail), **extra}


def notice_event(code: str, detail: str, **extra) -> dict:
    return {"type": "notice", "code": code, "detail": str(detail), **extra}


def reported_event(message: Message) -> dict:
    """To the reporter only: their report of the message is filed."""
    return {"type": "reported", "id": message.seq}


def layer_envelope(room_id: int, event: dict) -> dict:
    """How an event travels on the channel layer to every process listening to the room."""
    return {"type": "room.event", "room": room_id, "event": event}
