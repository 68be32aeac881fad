"""Hard inputs are normal inputs: a NUL byte, a lone surrogate, JSON nested thousands deep
or a message of nothing but zero-width characters get an error frame, store nothing, and the
connection stays open for the next message (found from outside: each closed it with 1011)."""

import json
import uuid

import pytest

from messaging.models import Message
from tests.messaging.sockets import cookie_for, frames, run_chat, socket

pytestmark = pytest.mark.django_db(transaction=True)


def message(body: str) -> str:
    return json.dumps({"type": "message", "body": body, "client_id": str(uuid.uuid4())})


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (message("hi\x00there"), "bad_characters"),
        (message("bad \ud800"), "bad_characters"),  # json.dumps sends it escaped
        ("[" * 5000 + "]" * 5000, "bad_frame"),
        ('{"type": "message", "body": ' + "[" * 5000 + "]" * 5000 + "}", "bad_frame"),
        (message("\u200b\u200b\u2060"), "empty"),
        (message("bell \x07 and escape \x1b[31m"), "bad_characters"),
        (message("C1 control \x85 here"), "bad_characters"),
        # Depth is counted before parsing: five levels is more than a client ever sends.
        ('{"type": "read", "id": [[[[1]]]]}', "bad_frame"),
        # Size is checked before parsing too: 16 KiB is the most a frame may hold.
        (message("x" * 17_000), "too_large"),
        ('{"type": "message", "pad": "' + " " * 16_400 + '"}', "too_large"),
    ],
)
def test_a_hard_frame_gets_an_error_and_the_socket_stays_open(published, alice, text, code):
    room = published["pair"]
    cookie = cookie_for(alice)

    async def scenario():
        communicator = socket(room, cookie)
        assert (await communicator.connect())[0]
        await communicator.send_to(text_data=text)
        error = (await frames(communicator, 1))[0]
        await communicator.send_to(text_data=message("안녕"))
        after = (await frames(communicator, 1))[0]
        await communicator.disconnect()
        return error, after

    error, after = run_chat(scenario())

    assert (error["type"], error["code"]) == ("error", code)
    assert (after["type"], after["body"]) == ("message", "안녕")
    assert list(Message.objects.filter(room=room).values_list("body", flat=True)) == ["안녕"]


def test_brackets_inside_a_message_are_text_not_nesting(published, alice):
    room = published["pair"]
    cookie = cookie_for(alice)
    body = '[[[[[[ {{{{{{ ]]]] \\" [[[[[ ok'

    async def scenario():
        communicator = socket(room, cookie)
        assert (await communicator.connect())[0]
        await communicator.send_to(text_data=message(body))
        reply = (await frames(communicator, 1))[0]
        await communicator.disconnect()
        return reply

    reply = run_chat(scenario())

    assert (reply["type"], reply["body"]) == ("message", body)


def test_a_binary_frame_gets_an_error_and_the_socket_stays_open(published, alice):
    room = published["pair"]
    cookie = cookie_for(alice)

    async def scenario():
        communicator = socket(room, cookie)
        assert (await communicator.connect())[0]
        await communicator.send_to(bytes_data=b"\x00\xff")
        error = (await frames(communicator, 1))[0]
        await communicator.send_to(text_data=message("still here"))
        after = (await frames(communicator, 1))[0]
        await communicator.disconnect()
        return error, after

    error, after = run_chat(scenario())

    assert (error["type"], error["code"]) == ("error", "bad_frame")
    assert after["body"] == "still here"
