"""Rights end on the next frame: a socket's every frame is authorised against the database as
it is now (messaging.rules), never against what was true when the socket opened.

Found from outside: a coordinator removed from a team kept posting and deleting through a
socket that was open before; the user object on the socket had the city ids cached on it.
"""

import json
import uuid

import pytest
from channels.db import database_sync_to_async

from accounts.models import CoordinatorMembership
from accounts.services import coordinator_remove
from exchange.models import Application
from exchange.services.applications import application_withdraw
from messaging.models import Message, RoomState
from messaging.rules import COORDINATOR, room_access
from messaging.services import message_post
from tests import factories
from tests.messaging.sockets import cookie_for, run_chat, socket

pytestmark = pytest.mark.django_db(transaction=True)

GONE = {"type": "error", "code": "not_member", "detail": "You are no longer a member of this room."}


async def until_closed(communicator, *, timeout: float = 5) -> tuple[list[dict], int | None]:
    """Every frame up to the close (presence left out), and the close code."""
    received = []
    while True:
        output = await communicator.receive_output(timeout=timeout)
        if output["type"] == "websocket.close":
            await communicator.disconnect()  # as a browser does: the consumer ends
            return received, output.get("code")
        frame = json.loads(output["text"])
        if frame["type"] != "presence":
            received.append(frame)


def _message(body: str) -> str:
    return json.dumps({"type": "message", "body": body, "client_id": str(uuid.uuid4())})


@pytest.mark.parametrize("frame", ["message", "delete", "typing", "read"])
def test_a_coordinator_removed_from_the_team_loses_the_open_socket_on_the_next_frame(
    published, alice, carol, bob, frame
):
    room = published["pair"]
    first = message_post(room=room, sender=alice, body="hello", client_id=uuid.uuid4()).message
    cookie = cookie_for(carol)
    frames = {
        "message": _message("still here?"),
        "delete": json.dumps({"type": "delete", "id": first.seq, "reason": "test"}),
        "typing": json.dumps({"type": "typing"}),
        "read": json.dumps({"type": "read", "id": first.seq}),
    }

    async def scenario():
        communicator = socket(room, cookie)
        assert (await communicator.connect())[0]
        # Straight in the database, as the admin would: no service call, no announcement
        # reaches this socket before its next frame.
        await database_sync_to_async(CoordinatorMembership.objects.filter(user=carol).delete)()
        await communicator.send_to(text_data=frames[frame])
        return await until_closed(communicator)

    received, code = run_chat(scenario())

    assert [f for f in received if f["type"] in ("error", "message", "deleted", "typing")] == [GONE]
    assert code == 4403
    assert Message.objects.filter(room=room).count() == 1
    assert Message.objects.get(pk=first.pk).deleted_at is None
    assert not RoomState.objects.filter(room=room, user=carol).exists()


def test_removal_through_the_service_closes_an_idle_socket_without_any_frame(
    published, carol, city_a
):
    """The team change is announced (accounts.signals) and the chat tells the room's
    sockets; the removed coordinator's socket reads its access again and closes."""
    room = published["pair"]
    cookie = cookie_for(carol)

    async def scenario():
        communicator = socket(room, cookie)
        assert (await communicator.connect())[0]
        await database_sync_to_async(coordinator_remove)(user=carol, city=city_a)
        return await until_closed(communicator)

    received, code = run_chat(scenario())

    assert received == [
        {
            "type": "error",
            "code": "not_member",
            "detail": "You are no longer a member of this room.",
        }
    ]
    assert code == 4403


def test_a_withdrawn_student_cannot_post_on_the_next_frame(published, alice, bob):
    room = published["pair"]
    cookie = cookie_for(alice)
    mine = Application.objects.get(pk=published["alice"].pk)

    async def scenario():
        communicator = socket(room, cookie)
        assert (await communicator.connect())[0]
        await database_sync_to_async(application_withdraw)(application=mine, by=alice, reason="")
        # The withdrawal is announced: the socket closes, and a frame sent meanwhile is
        # refused as well.
        await communicator.send_to(text_data=_message("bye?"))
        return await until_closed(communicator)

    received, code = run_chat(scenario())

    assert received == [
        {
            "type": "error",
            "code": "not_member",
            "detail": "You are no longer a member of this room.",
        }
    ]
    assert code == 4403
    assert Message.objects.filter(room=room).count() == 0


def test_the_remaining_coordinator_still_posts_and_a_new_one_is_in_at_once(
    published, carol, bob, city_a
):
    room = published["pair"]
    newcomer = factories.CoordinatorFactory(email="dana@example.org", cities=[])

    assert room_access(user=newcomer, room_id=room.pk).role is None
    CoordinatorMembership.objects.create(user=newcomer, city=city_a)
    assert room_access(user=newcomer, room_id=room.pk).role == COORDINATOR

    posted = message_post(room=room, sender=bob, body="I am still here", client_id=uuid.uuid4())
    assert posted.created


def test_removed_coordinator_gets_no_page_and_no_history(client, published, carol, city_a):
    room = published["pair"]
    client.force_login(carol)
    assert client.get(f"/chat/{room.pk}/").status_code == 200

    coordinator_remove(user=carol, city=city_a)

    assert client.get(f"/chat/{room.pk}/").status_code == 404
    response = client.get(f"/api/chat/rooms/{room.pk}/messages/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert client.get(f"/coordinate/programs/{room.program_id}/moderation/").status_code == 403


def test_a_deactivated_account_loses_the_room_on_the_next_frame(published, carol):
    room = published["pair"]
    cookie = cookie_for(carol)

    async def scenario():
        communicator = socket(room, cookie)
        assert (await communicator.connect())[0]
        await database_sync_to_async(type(carol).objects.filter(pk=carol.pk).update)(
            is_active=False
        )
        await communicator.send_to(text_data=_message("still me?"))
        return await until_closed(communicator)

    received, code = run_chat(scenario())

    assert (received, code) == ([GONE], 4403)
    assert Message.objects.filter(room=room).count() == 0
    assert room_access(user=carol, room_id=room.pk).role is None


def test_the_closing_error_is_in_the_persons_language(published, carol, city_a):
    room = published["pair"]
    type(carol).objects.filter(pk=carol.pk).update(preferred_language="ko")
    cookie = cookie_for(carol)

    async def scenario():
        communicator = socket(room, cookie)
        assert (await communicator.connect())[0]
        await database_sync_to_async(coordinator_remove)(user=carol, city=city_a)
        return await until_closed(communicator)

    received, code = run_chat(scenario())

    assert received == [
        {"type": "error", "code": "not_member", "detail": "이제 이 채팅방의 참여자가 아니에요."}
    ]
    assert code == 4403
