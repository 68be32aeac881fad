"""The chat pages (/chat/, /chat/<id>/) and the history API, for every persona."""

import uuid

import pytest

from messaging import services
from messaging.models import Message, Room
from tests import factories
from tests.helpers import login_redirect, sign_in

pytestmark = pytest.mark.django_db

NOT_FOUND = {"type": "error", "code": "not_found", "detail": "No such room."}
NOT_AUTHENTICATED = {"type": "error", "code": "not_authenticated", "detail": "Sign in first."}
BEFORE_ERROR = {
    "type": "error",
    "code": "bad_request",
    "detail": "“before” must be a whole number, 1 or more.",
}
LIMIT_ERROR = {
    "type": "error",
    "code": "bad_request",
    "detail": "“limit” must be a whole number from 1 to 100.",
}


def post(room, sender, body):
    return services.message_post(
        room=room, sender=sender, body=body, client_id=uuid.uuid4()
    ).message


def history(client, room, query=""):
    return client.get(f"/api/chat/rooms/{room.pk}/messages/{query}")


def event(message):
    """The socket's message event, spelled out: the API must send exactly this shape."""
    sender = message.sender
    return {
        "type": "message",
        "id": message.seq,
        "room": message.room_id,
        "sender": {"id": sender.pk, "name": sender.display_name},
        "body": message.body,
        "created": message.created_at.isoformat(),
        "client_id": str(message.client_id),
        "deleted": message.deleted_at is not None,
        "masked": bool(message.masked),
    }


@pytest.fixture
def five(published, alice):
    """Messages 1–5 in the pair room, alternating alice and her buddy."""
    room = published["pair"]
    buddy = published["buddy"].student
    return [post(room, alice if n % 2 else buddy, f"message {n}") for n in range(1, 6)]


# --- The chat page ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("mina", 404), ("carol", 200), ("bob", 200), ("oscar", 404)],
)
def test_room_page_opens_for_members_only(request, client, published, persona, status):
    sign_in(request, client, persona)

    response = client.get(f"/chat/{published['pair'].pk}/")

    assert response.status_code == status


def test_room_page_anonymous_is_sent_to_sign_in(client, published):
    path = f"/chat/{published['pair'].pk}/"

    response = client.get(path)

    assert response.status_code == 302
    assert response.url == login_redirect(path)


@pytest.mark.parametrize("room_id", ["999999", "99999999999999999999999"])
def test_room_page_of_a_missing_room_is_the_same_404(client, published, alice, room_id):
    client.force_login(alice)

    assert client.get(f"/chat/{room_id}/").status_code == 404


def test_room_page_coordinators_room_is_404_for_a_student(client, published, alice):
    room = Room.objects.get(kind="coordinators")
    client.force_login(alice)

    assert client.get(f"/chat/{room.pk}/").status_code == 404


def test_room_page_gives_the_script_its_configuration(client, published, alice):
    room = published["pair"]
    post(room, alice, "hello")
    services.read_marker_set(room=room, user=alice, seq=1)
    client.force_login(alice)

    response = client.get(f"/chat/{room.pk}/")

    assert response.context["chat_config"] == {
        "room": room.pk,
        "ws_url": f"ws://testserver/ws/rooms/{room.pk}/",
        "history_url": f"/api/chat/rooms/{room.pk}/messages/",
        "me": {"id": alice.pk, "name": "김앨리스 (Kim Alice)"},
        "coordinator": False,
        "closed": False,
        "can_post": True,
        "last_read": 1,
        "language": "en",
        "time_zone": "Asia/Seoul",
        "max_length": 2000,
        "page_size": 50,
    }
    html = response.content.decode()
    assert '<script id="chat-config" type="application/json">' in html
    assert '<script id="chat-strings" type="application/json">' in html
    assert 'type="module" src="/static/messaging/chat.js"' in html
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_room_page_coordinator_of_the_partner_city_moderates_in_their_time_zone(
    client, published, bob
):
    client.force_login(bob)

    response = client.get(f"/chat/{published['pair'].pk}/")

    config = response.context["chat_config"]
    assert (config["coordinator"], config["time_zone"]) == (True, "Asia/Shanghai")
    assert 'id="chat-delete-dialog"' in response.content.decode()


def test_room_page_student_gets_no_delete_dialog(client, published, alice):
    client.force_login(alice)

    response = client.get(f"/chat/{published['pair'].pk}/")

    assert 'id="chat-delete-dialog"' not in response.content.decode()


def test_room_page_closed_room_shows_why_and_disables_the_composer(client, published, alice, carol):
    room = services.room_close(room=published["pair"], by=carol)
    client.force_login(alice)

    response = client.get(f"/chat/{room.pk}/")

    html = response.content.decode()
    assert response.context["chat_config"]["closed"] is True
    assert (
        '<p id="chat-closed" class="notice notice-warn">'
        "This room is closed: you can read the messages but not write.</p>"
    ) in html
    assert 'id="chat-input" name="body" rows="2" autocomplete="off"' in html
    assert 'aria-describedby="chat-hint chat-counter chat-feedback" disabled>' in html


def test_room_page_escapes_a_hostile_room_name(client, program_ab, carol):
    room = Room.objects.create(
        program=program_ab, kind="group", name='</script><script>alert("x")</script>'
    )
    client.force_login(carol)

    response = client.get(f"/chat/{room.pk}/")

    html = response.content.decode()
    assert "<script>alert(" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_room_page_strings_are_the_users_sentences(client, published, alice):
    client.force_login(alice)

    response = client.get(f"/chat/{published['pair'].pk}/")

    strings = response.context["chat_strings"]
    assert strings["removed"] == "Message removed by a coordinator"
    assert strings["typing_one"] == "%(name)s is typing…"
    assert strings["too_long"] == "A message is at most 2000 characters."


def test_room_page_masked_notice_in_the_readers_language(client, published, alice):
    """The sender's contact_masked notice is in the sender's language; every reader's page
    carries the same sentence in the reader's own, for each message marked masked."""
    buddy = published["buddy"].student
    buddy.preferred_language = "ko"
    buddy.save(update_fields=["preferred_language"])
    client.force_login(buddy)

    response = client.get(f"/chat/{published['pair'].pk}/")

    assert response.context["chat_strings"]["contact_masked"] == (
        "연락처는 가려졌어요. 담당자가 채팅을 지켜보는 이 포털 안에서 연락해요."
    )


def test_history_api_marks_a_masked_message(client, published, alice):
    alice.date_of_birth = factories.birth_date_for(16)
    alice.save(update_fields=["date_of_birth"])
    masked = post(published["pair"], alice, "카톡 minji")
    plain = post(published["pair"], alice, "안녕!")
    client.force_login(published["buddy"].student)

    messages = history(client, published["pair"]).json()["messages"]

    assert [(m["body"], m["masked"]) for m in messages] == [("카톡 •••", True), ("안녕!", False)]
    assert [m["id"] for m in messages] == [masked.seq, plain.seq]


def test_room_page_refuses_post(client, published, alice):
    client.force_login(alice)

    assert client.post(f"/chat/{published['pair'].pk}/").status_code == 405


# --- The list of rooms --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "kinds"),
    [
        ("alice", ["pair", "program"]),
        ("mina", []),
        ("carol", ["coordinators", "pair", "program"]),
        ("bob", ["coordinators", "pair", "program"]),
        ("oscar", []),
    ],
)
def test_rooms_page_lists_the_users_rooms(request, client, published, persona, kinds):
    sign_in(request, client, persona)

    response = client.get("/chat/")

    assert response.status_code == 200
    assert [room.kind for room in response.context["rooms"]] == kinds
    html = response.content.decode()
    for room in response.context["rooms"]:
        assert f'href="/chat/{room.pk}/"' in html
    if not kinds:
        assert "You have no chat rooms yet." in html


def test_rooms_page_anonymous_is_sent_to_sign_in(client):
    response = client.get("/chat/")

    assert response.status_code == 302
    assert response.url == login_redirect("/chat/")


def test_rooms_page_counts_unread_after_the_read_marker(client, published, alice, five):
    services.read_marker_set(room=published["pair"], user=alice, seq=2)
    client.force_login(alice)

    response = client.get("/chat/")

    rows = [(room.kind, room.unread, room.last_message_at) for room in response.context["rooms"]]
    assert rows == [("pair", 3, five[-1].created_at), ("program", 0, None)]
    html = response.content.decode()
    assert '<span class="badge chat-unread">3 unread</span>' in html
    assert "No messages yet" in html


def test_rooms_page_coordinator_never_read_counts_every_message(client, published, carol, five):
    client.force_login(carol)

    response = client.get("/chat/")

    assert [(room.kind, room.unread) for room in response.context["rooms"]] == [
        ("coordinators", 0),
        ("pair", 5),
        ("program", 0),
    ]


@pytest.mark.parametrize("count", [1, 10])
def test_rooms_page_queries_are_the_same_for_1_and_10_rooms(
    client, django_assert_num_queries, program_ab, carol, count
):
    for n in range(count):
        room = Room.objects.create(program=program_ab, kind="group", name=f"Group {n}")
        post(room, carol, "hello")
        services.read_marker_set(room=room, user=carol, seq=1)
    client.force_login(carol)

    with django_assert_num_queries(6):
        response = client.get("/chat/")

    assert [(room.name, room.unread) for room in response.context["rooms"]] == [
        (f"Group {n}", 0) for n in range(count)
    ]


def test_navigation_links_to_chat_for_signed_in_users_only(client, alice):
    assert 'href="/chat/"' not in client.get("/").content.decode()

    client.force_login(alice)

    assert '<a href="/chat/">Chat</a>' in client.get("/").content.decode()


# --- The history API ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("mina", 404), ("carol", 200), ("bob", 200), ("oscar", 404)],
)
def test_history_api_answers_members_only(request, client, published, five, persona, status):
    sign_in(request, client, persona)

    response = history(client, published["pair"])

    assert response.status_code == status
    if status == 200:
        assert response.json() == {"messages": [event(m) for m in five], "has_more": False}
    else:
        assert response.json() == NOT_FOUND


def test_history_api_buddy_reads_the_pair(client, published, five):
    client.force_login(published["buddy"].student)

    response = history(client, published["pair"])

    assert response.json() == {"messages": [event(m) for m in five], "has_more": False}


def test_history_api_anonymous_gets_401_as_json(client, published):
    response = history(client, published["pair"])

    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED


@pytest.mark.parametrize("room_id", ["999999", "99999999999999999999999"])
def test_history_api_missing_room_is_the_same_404(client, published, alice, room_id):
    client.force_login(alice)

    response = client.get(f"/api/chat/rooms/{room_id}/messages/")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_history_api_student_cannot_read_the_coordinators_room(client, published, alice):
    client.force_login(alice)

    response = history(client, Room.objects.get(kind="coordinators"))

    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_history_api_message_is_the_socket_event(client, published, alice):
    message = post(published["pair"], alice, "안녕!")
    client.force_login(alice)

    response = history(client, published["pair"])

    assert response.json()["messages"] == [
        {
            "type": "message",
            "id": 1,
            "room": published["pair"].pk,
            "sender": {"id": alice.pk, "name": "김앨리스 (Kim Alice)"},
            "body": "안녕!",
            "created": message.created_at.isoformat(),
            "client_id": str(message.client_id),
            "deleted": False,
            "masked": False,
        }
    ]


def test_history_api_deleted_message_is_a_tombstone(client, published, alice, carol, five):
    services.message_delete(message=five[1], by=carol, reason="rude")
    client.force_login(alice)

    response = history(client, published["pair"], "?before=3")

    second = response.json()["messages"][1]
    assert (second["id"], second["body"], second["deleted"]) == (2, "", True)


@pytest.mark.parametrize(
    ("query", "ids", "has_more"),
    [
        ("", [1, 2, 3, 4, 5], False),
        ("?limit=2", [4, 5], True),
        ("?before=4&limit=2", [2, 3], True),
        ("?before=3&limit=2", [1, 2], False),
        ("?before=2&limit=2", [1], False),
        ("?before=1", [], False),
        ("?before=6", [1, 2, 3, 4, 5], False),
        ("?before=5&limit=100", [1, 2, 3, 4], False),
        ("?before=99999999999999999999999", [1, 2, 3, 4, 5], False),
        ("?limit=5", [1, 2, 3, 4, 5], False),
        ("?limit=4", [2, 3, 4, 5], True),
    ],
)
def test_history_api_pages_back_from_before(client, published, alice, five, query, ids, has_more):
    client.force_login(alice)

    response = history(client, published["pair"], query)

    assert response.status_code == 200
    body = response.json()
    assert ([m["id"] for m in body["messages"]], body["has_more"]) == (ids, has_more)


def test_history_api_default_page_is_the_latest_50(client, published, alice):
    for n in range(51):
        post(published["pair"], alice, f"m{n}")
    client.force_login(alice)

    body = history(client, published["pair"]).json()

    assert ([m["id"] for m in body["messages"]], body["has_more"]) == (list(range(2, 52)), True)


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("?before=abc", BEFORE_ERROR),
        ("?before=0", BEFORE_ERROR),
        ("?before=-1", BEFORE_ERROR),
        ("?before=1.5", BEFORE_ERROR),
        ("?before=", BEFORE_ERROR),
        ("?before=%C2%B2", BEFORE_ERROR),  # "²" is a digit to str.isdigit
        ("?limit=0", LIMIT_ERROR),
        ("?limit=101", LIMIT_ERROR),
        ("?limit=ten", LIMIT_ERROR),
        ("?limit=", LIMIT_ERROR),
        ("?before=3&limit=-5", LIMIT_ERROR),
    ],
)
def test_history_api_bad_parameters_get_400(client, published, alice, five, query, error):
    client.force_login(alice)

    response = history(client, published["pair"], query)

    assert response.status_code == 400
    assert response.json() == error


def test_history_api_bad_parameters_of_a_non_member_are_still_404(client, published, mina):
    client.force_login(mina)

    response = history(client, published["pair"], "?before=abc")

    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_history_api_refuses_post_and_writes_nothing(client, published, alice):
    client.force_login(alice)

    response = client.post(f"/api/chat/rooms/{published['pair'].pk}/messages/", {"body": "hi"})

    assert response.status_code == 405
    assert Message.objects.count() == 0


@pytest.mark.parametrize("count", [1, 10])
def test_history_api_queries_are_the_same_for_1_and_10_messages(
    client, django_assert_num_queries, published, alice, count
):
    buddy = published["buddy"].student
    for n in range(count):
        post(published["pair"], alice if n % 2 else buddy, f"m{n}")
    client.force_login(alice)

    # session, user, the access (one query: messaging.rules), the page, and the senders.
    with django_assert_num_queries(6):
        response = history(client, published["pair"])

    assert len(response.json()["messages"]) == count


@pytest.mark.parametrize(
    ("language", "everyone"),
    [
        ("en", "Everyone in the program"),
        ("ko", "프로그램 전체"),
        ("vi", "Mọi người trong chương trình"),
    ],
)
def test_program_room_is_named_in_the_readers_language(
    client, published, alice, program_ab, language, everyone
):
    """Found in a user trial: a stored "…: everyone" stayed English in every language."""
    alice.preferred_language = language
    alice.save()
    client.force_login(alice)
    room = Room.objects.get(program=program_ab, kind="program")

    rooms = client.get("/chat/").content.decode()
    page = client.get(f"/chat/{room.pk}/").content.decode()

    assert f">{everyone}</a>" in rooms
    assert ": everyone" not in rooms
    assert f"<h1>{everyone}</h1>" in page


def test_room_page_says_in_the_readers_language_that_a_message_was_erased(client, published, alice):
    """An erased writer's messages hold a marker (messaging.models.ERASED_BODY), which the
    chat shows as this sentence, not as "[erased]"."""
    buddy = published["buddy"].student
    buddy.preferred_language = "vi"
    buddy.save(update_fields=["preferred_language"])
    client.force_login(buddy)

    response = client.get(f"/chat/{published['pair'].pk}/")

    assert response.context["chat_strings"]["erased"] == (
        "Tin nhắn này đã được xóa theo yêu cầu của người viết."
    )
