"""The chat socket through the whole ASGI stack (origin check, session auth, routing) on the
real Redis channel layer, with WebsocketCommunicator."""

import json
import uuid

import pytest

from messaging.models import Message
from tests.messaging.sockets import cookie_for, frames, quiet, run_chat, socket

pytestmark = pytest.mark.django_db(transaction=True)


def test_socket_anonymous_non_member_and_foreign_origin_are_refused(published, mina, alice):
    room = published["pair"]

    alice_cookie = cookie_for(alice)
    mina_cookie = cookie_for(mina)

    async def scenario():
        results = []
        for communicator in (
            socket(room),
            socket(room, mina_cookie),
            socket(room, alice_cookie, origin=(b"origin", b"https://evil.example")),
            socket(room, alice_cookie, origin=None),
        ):
            connected, _subprotocol = await communicator.connect()
            results.append(connected)
            await communicator.disconnect()
        return results

    assert run_chat(scenario()) == [False, False, False, False]


def test_socket_message_is_stored_then_delivered_to_both_with_the_senders_ack(
    published, alice, bob
):
    room = published["pair"]
    client_id = str(uuid.uuid4())

    alice_cookie = cookie_for(alice)
    bob_cookie = cookie_for(bob)

    async def scenario():
        one, two = socket(room, alice_cookie), socket(room, bob_cookie)
        assert (await one.connect())[0] and (await two.connect())[0]
        await one.send_to(
            text_data=json.dumps({"type": "message", "body": "안녕 👋", "client_id": client_id})
        )
        received = (await frames(one, 1))[0], (await frames(two, 1))[0]
        await one.disconnect()
        await two.disconnect()
        return received

    ack, delivered = run_chat(scenario())

    stored = Message.objects.get()
    assert ack == delivered
    assert ack == {
        "type": "message",
        "id": 1,
        "room": room.pk,
        "sender": {"id": alice.pk, "name": alice.display_name},
        "body": "안녕 👋",
        "created": stored.created_at.isoformat(),
        "client_id": client_id,
        "deleted": False,
        "masked": False,
    }


def test_socket_same_client_id_twice_stores_and_delivers_one_message(published, alice, bob):
    room = published["pair"]
    frame = json.dumps({"type": "message", "body": "once", "client_id": str(uuid.uuid4())})

    alice_cookie = cookie_for(alice)
    bob_cookie = cookie_for(bob)

    async def scenario():
        one, two = socket(room, alice_cookie), socket(room, bob_cookie)
        await one.connect()
        await two.connect()
        await one.send_to(text_data=frame)
        first = await frames(one, 1)
        await one.send_to(text_data=frame)
        await frames(two, 1)
        nothing_more = await quiet(two)
        own_nothing = await quiet(one)
        await one.disconnect()
        await two.disconnect()
        return first, nothing_more, own_nothing

    first, nothing_more, own_nothing = run_chat(scenario())

    assert Message.objects.count() == 1
    assert first[0]["id"] == 1
    assert (nothing_more, own_nothing) == (True, True)


def test_socket_after_replays_missed_messages_in_order_before_live_ones(published, alice, carol):
    from messaging.services import message_post

    room = published["pair"]
    for n in range(5):
        message_post(room=room, sender=carol, body=f"m{n}", client_id=uuid.uuid4())

    alice_cookie = cookie_for(alice)
    carol_cookie = cookie_for(carol)

    async def scenario():
        late = socket(room, alice_cookie, after=2)
        await late.connect()
        replayed = await frames(late, 3)
        live = socket(room, carol_cookie)
        await live.connect()
        await live.send_to(
            text_data=json.dumps(
                {"type": "message", "body": "live", "client_id": str(uuid.uuid4())}
            )
        )
        after_live = await frames(late, 1)
        await late.disconnect()
        await live.disconnect()
        return replayed + after_live

    received = run_chat(scenario())

    assert [(f["id"], f["body"]) for f in received] == [
        (3, "m2"),
        (4, "m3"),
        (5, "m4"),
        (6, "live"),
    ]


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "bad_frame"),
        (json.dumps(["a", "list"]), "bad_frame"),
        (json.dumps({"type": "shout"}), "unknown_type"),
        (json.dumps({"type": "message", "body": 5, "client_id": "x"}), "bad_frame"),
        (json.dumps({"type": "message", "body": "hi", "client_id": "not-a-uuid"}), "bad_client_id"),
        (
            json.dumps({"type": "message", "body": "x" * 2001, "client_id": str(uuid.uuid4())}),
            "too_long",
        ),
        (json.dumps({"type": "delete", "id": 1}), "forbidden"),
    ],
)
def test_socket_hostile_frame_gets_an_error_and_stores_nothing(published, alice, frame, code):
    room = published["pair"]

    alice_cookie = cookie_for(alice)

    async def scenario():
        communicator = socket(room, alice_cookie)
        await communicator.connect()
        await communicator.send_to(text_data=frame)
        reply = await frames(communicator, 1)
        await communicator.disconnect()
        return reply[0]

    reply = run_chat(scenario())

    assert (reply["type"], reply["code"]) == ("error", code)
    assert Message.objects.count() == 0


def test_socket_burst_is_answered_with_errors_then_closed(published, alice):
    room = published["pair"]

    alice_cookie = cookie_for(alice)

    async def scenario():
        communicator = socket(room, alice_cookie)
        await communicator.connect()
        for _ in range(30):
            await communicator.send_to(text_data=json.dumps({"type": "typing"}))
        codes = []
        while True:
            output = await communicator.receive_output(timeout=5)
            if output["type"] == "websocket.close":
                return codes, output["code"]
            frame = json.loads(output["text"])
            if frame["type"] == "error":
                codes.append(frame["code"])

    codes, close_code = run_chat(scenario())

    assert codes == ["rate_limited"] * 5
    assert close_code == 4429


def test_socket_minors_contact_details_are_masked_with_a_notice(published, alice, bob):
    from tests import factories

    alice.date_of_birth = factories.birth_date_for(15)
    alice.save()
    room = published["pair"]

    alice_cookie = cookie_for(alice)

    async def scenario():
        communicator = socket(room, alice_cookie)
        await communicator.connect()
        await communicator.send_to(
            text_data=json.dumps(
                {"type": "message", "body": "카톡 아이디 minji0312", "client_id": str(uuid.uuid4())}
            )
        )
        received = await frames(communicator, 2)
        await communicator.disconnect()
        return received

    notice, message = run_chat(scenario())

    assert (notice["type"], notice["code"]) == ("notice", "contact_masked")
    assert message["body"] == "카톡 아이디 •••"


def test_socket_coordinator_delete_sends_a_tombstone_to_everyone(published, alice, carol):
    room = published["pair"]

    alice_cookie = cookie_for(alice)
    carol_cookie = cookie_for(carol)

    async def scenario():
        student, coordinator = socket(room, alice_cookie), socket(room, carol_cookie)
        await student.connect()
        await coordinator.connect()
        await student.send_to(
            text_data=json.dumps(
                {"type": "message", "body": "oops", "client_id": str(uuid.uuid4())}
            )
        )
        await frames(student, 1)
        await frames(coordinator, 1)
        await coordinator.send_to(text_data=json.dumps({"type": "delete", "id": 1}))
        tombstones = (await frames(student, 1))[0], (await frames(coordinator, 1))[0]
        await student.disconnect()
        await coordinator.disconnect()
        return tombstones

    tombstones = run_chat(scenario())

    assert tombstones == ({"type": "deleted", "room": room.pk, "id": 1},) * 2
    assert Message.objects.get().body == ""


def test_socket_presence_lists_who_is_connected_and_follows_joins_and_leaves(
    published, alice, bob, carol
):
    room = published["pair"]
    cookies = [cookie_for(alice), cookie_for(bob)]

    def names(frame):
        return [person["name"] for person in frame["present"]]

    async def scenario():
        first, second = socket(room, cookies[0]), socket(room, cookies[1])
        await first.connect()
        (alone,) = await frames(first, 1, skip=())
        while names(alone) != [alice.display_name]:  # the empty list before the join shows
            (alone,) = await frames(first, 1, skip=())
        await second.connect()
        (together,) = await frames(first, 1, skip=())
        await second.disconnect()
        (left,) = await frames(first, 1, skip=())
        await first.disconnect()
        return alone, together, left

    alone, together, left = run_chat(scenario())

    assert alone == {
        "type": "presence",
        "room": room.pk,
        "present": [{"id": alice.pk, "name": alice.display_name}],
    }
    assert sorted(names(together)) == sorted([alice.display_name, bob.display_name])
    assert names(left) == [alice.display_name]
