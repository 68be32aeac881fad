"""Chat without the wire: rooms follow the matching, messages are numbered and stored once,
contact details are masked where a minor reads (tests/messaging/test_masking_audience.py),
and coordinators moderate with an audit trail."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from messaging import services
from messaging.models import Message, ModerationAction, Room
from messaging.rules import readable_rooms, room_role
from messaging.selectors import room_history, room_history_page
from tests import factories

pytestmark = pytest.mark.django_db


def test_rooms_sync_on_publish_makes_program_coordinator_and_pair_rooms(published, program_ab):
    kinds = sorted(Room.objects.filter(program=program_ab).values_list("kind", flat=True))

    assert kinds == ["coordinators", "pair", "program"]
    assert sorted(a.pk for a in published["pair"].applications.all()) == sorted(
        [published["alice"].pk, published["buddy"].pk]
    )


@pytest.mark.parametrize(
    ("persona", "pair", "program", "coordinators"),
    [
        ("alice", "participant", "participant", None),
        ("mina", None, None, None),
        ("carol", "coordinator", "coordinator", "coordinator"),
        ("bob", "coordinator", "coordinator", "coordinator"),
        ("oscar", None, None, None),
    ],
)
def test_room_role_by_persona(request, published, program_ab, persona, pair, program, coordinators):
    user = request.getfixturevalue(persona)
    rooms = {room.kind: room for room in Room.objects.filter(program=program_ab)}

    roles = [room_role(user=user, room=rooms[kind]) for kind in ("pair", "program", "coordinators")]

    assert roles == [pair, program, coordinators]


def test_rooms_for_user_lists_exactly_the_rooms_a_user_may_open(published, alice, bob, oscar):
    assert sorted(r.kind for r in readable_rooms(user=alice)) == ["pair", "program"]
    assert sorted(r.kind for r in readable_rooms(user=bob)) == ["coordinators", "pair", "program"]
    assert list(readable_rooms(user=oscar)) == []


def test_room_role_withdrawn_participant_loses_access_at_once(published):
    from exchange.services.applications import application_withdraw

    alice = published["alice"].student
    application_withdraw(application=published["alice"], by=alice)

    assert room_role(user=alice, room=published["pair"]) is None


@pytest.mark.parametrize(
    ("persona", "kind", "allowed"),
    [
        ("alice", "pair", True),
        ("alice", "program", True),
        ("alice", "coordinators", False),
        ("mina", "pair", False),
        ("mina", "program", False),
        ("carol", "pair", True),
        ("bob", "coordinators", True),
        ("oscar", "pair", False),
        ("oscar", "coordinators", False),
    ],
)
def test_message_post_lets_exactly_the_rooms_members_post(
    request, published, program_ab, persona, kind, allowed
):
    user = request.getfixturevalue(persona)
    room = Room.objects.get(program=program_ab, kind=kind)

    if allowed:
        posted = services.message_post(room=room, sender=user, body="hi", client_id=uuid.uuid4())
        assert (posted.created, posted.message.seq) == (True, 1)
    else:
        with pytest.raises(ValidationError) as error:
            services.message_post(room=room, sender=user, body="hi", client_id=uuid.uuid4())
        assert error.value.code == "not_member"
        assert Message.objects.count() == 0
    room.refresh_from_db()
    assert room.last_seq == (1 if allowed else 0)


def test_message_post_refuses_a_withdrawn_participant_without_using_a_number(published, carol):
    from exchange.services.applications import application_withdraw

    room = published["pair"]
    alice = published["alice"].student
    services.message_post(room=room, sender=alice, body="before", client_id=uuid.uuid4())
    application_withdraw(application=published["alice"], by=alice)

    with pytest.raises(ValidationError) as error:
        services.message_post(room=room, sender=alice, body="after", client_id=uuid.uuid4())
    posted = services.message_post(room=room, sender=carol, body="next", client_id=uuid.uuid4())

    assert error.value.code == "not_member"
    assert posted.message.seq == 2
    assert list(Message.objects.order_by("seq").values_list("body", flat=True)) == [
        "before",
        "next",
    ]


def test_message_post_numbers_messages_from_one_without_gaps(published, alice, carol):
    room = published["pair"]

    first = services.message_post(room=room, sender=alice, body="안녕!", client_id=uuid.uuid4())
    second = services.message_post(room=room, sender=carol, body="Welcome", client_id=uuid.uuid4())

    assert (first.message.seq, second.message.seq) == (1, 2)
    assert Room.objects.get(pk=room.pk).last_seq == 2


def test_message_post_same_client_id_stores_one_message(published, alice):
    room, client_id = published["pair"], uuid.uuid4()

    first = services.message_post(room=room, sender=alice, body="hi", client_id=client_id)
    again = services.message_post(room=room, sender=alice, body="hi", client_id=client_id)

    assert (first.created, again.created) == (True, False)
    assert again.message.pk == first.message.pk
    assert Message.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_message_post_concurrent_senders_get_distinct_numbers(published, alice, carol):
    room = published["pair"]
    barrier = threading.Barrier(2)
    seqs: list[int] = []

    def post(sender) -> None:
        barrier.wait()
        try:
            for n in range(10):
                posted = services.message_post(
                    room=room, sender=sender, body=f"{n}", client_id=uuid.uuid4()
                )
                seqs.append(posted.message.seq)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(u,)) for u in (alice, carol)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(seqs) == list(range(1, 21))


def test_message_post_masks_a_minors_contact_details(published, alice):
    alice.date_of_birth = factories.birth_date_for(15)
    alice.save()

    posted = services.message_post(
        room=published["pair"],
        sender=alice,
        body="내 번호는 010-1234-5678 이야",
        client_id=uuid.uuid4(),
    )

    assert posted.message.body == "내 번호는 ••• 이야"
    assert posted.message.masked == ["phone"]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("   ", "Write something first."),
        ("x" * 2001, "A message is at most 2000 characters."),
    ],
)
def test_message_post_bad_body_is_refused_and_nothing_stored(published, alice, body, error):
    with pytest.raises(ValidationError) as excinfo:
        services.message_post(
            room=published["pair"], sender=alice, body=body, client_id=uuid.uuid4()
        )

    assert excinfo.value.messages == [error]
    assert Message.objects.count() == 0
    assert Room.objects.get(pk=published["pair"].pk).last_seq == 0


def test_message_post_by_non_member_is_refused(published, mina, oscar):
    for outsider in (mina, oscar):
        with pytest.raises(ValidationError) as excinfo:
            services.message_post(
                room=published["pair"], sender=outsider, body="hi", client_id=uuid.uuid4()
            )
        assert excinfo.value.messages == ["You are not a member of this room."]


def test_message_delete_leaves_a_tombstone_and_an_audit_entry(published, alice, bob):
    posted = services.message_post(
        room=published["pair"], sender=alice, body="something rude", client_id=uuid.uuid4()
    )

    services.message_delete(message=posted.message, by=bob, reason="rude")

    message = Message.objects.get()
    assert (message.body, message.deleted_by) == ("", bob)
    action = ModerationAction.objects.get()
    assert (action.action, action.actor, action.target, action.detail) == (
        "delete",
        bob,
        alice,
        "something rude\n---\nrude",
    )


def test_message_delete_by_a_participant_is_refused(published, alice):
    posted = services.message_post(
        room=published["pair"], sender=alice, body="hi", client_id=uuid.uuid4()
    )

    with pytest.raises(ValidationError) as excinfo:
        services.message_delete(message=posted.message, by=alice)

    assert excinfo.value.messages == ["Only the program’s coordinators moderate."]
    assert Message.objects.get().deleted_at is None


def test_member_mute_stops_posting_until_unmuted(published, alice, carol):
    room = published["pair"]
    services.member_mute(room=room, user=alice, until=timezone.now() + timedelta(hours=1), by=carol)

    with pytest.raises(ValidationError) as excinfo:
        services.message_post(room=room, sender=alice, body="hi", client_id=uuid.uuid4())
    services.member_mute(room=room, user=alice, until=None, by=carol)
    posted = services.message_post(room=room, sender=alice, body="hi", client_id=uuid.uuid4())

    assert excinfo.value.code == "muted"
    assert posted.created is True
    assert list(ModerationAction.objects.order_by("id").values_list("action", flat=True)) == [
        "mute",
        "unmute",
    ]


def test_room_close_refuses_new_messages(published, alice, carol):
    services.room_close(room=published["pair"], by=carol)

    with pytest.raises(ValidationError) as excinfo:
        services.message_post(
            room=published["pair"], sender=alice, body="hi", client_id=uuid.uuid4()
        )

    assert excinfo.value.messages == ["This room is closed."]


def test_report_create_goes_to_the_moderation_queue_once(published, alice, carol):
    posted = services.message_post(
        room=published["pair"], sender=carol, body="hello", client_id=uuid.uuid4()
    )

    report = services.report_create(message=posted.message, reporter=alice, reason="spam")
    with pytest.raises(ValidationError) as excinfo:
        services.report_create(message=posted.message, reporter=alice, reason="spam")

    assert (report.reason, report.resolved_at) == ("spam", None)
    assert excinfo.value.messages == ["You already reported this message."]


def test_room_history_resumes_after_a_number_up_to_another_and_pages_back(published, alice):
    room = published["pair"]
    for n in range(5):
        services.message_post(room=room, sender=alice, body=f"m{n}", client_id=uuid.uuid4())

    assert [m.body for m in room_history(room_id=room.pk, after=3)] == ["m3", "m4"]
    assert [m.body for m in room_history(room_id=room.pk, after=1, until=3)] == ["m1", "m2"]
    assert [m.body for m in room_history(room_id=room.pk, after=0, limit=2)] == ["m0", "m1"]
    assert room_history_page(room=room, before=4, limit=2) == (
        list(Message.objects.filter(room=room, seq__in=[2, 3]).order_by("seq")),
        True,
    )
