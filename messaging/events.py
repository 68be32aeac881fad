"""The JSON events the chat sends, built in one place for the socket, the relay and the
history API alike (docs/chat-protocol.md)."""

from messaging.models import Message


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
