"""The chat's invariants, tried the way the outside audit broke them.

- Two adults or none: no room lets a minor read or post while fewer than two adults (the
  coordinators of the program's cities, counted once) supervise it; students can read but not
  post there, and a notice says why and who can fix it.
- Rooms follow the published matching exactly: publishing again keeps the room and history of
  every unchanged pair, opens rooms for new ones and dissolves the rest; twice changes nothing.
"""

import uuid

import pytest
from django.core.exceptions import ValidationError

from accounts.models import CoordinatorMembership
from exchange.services import matching as matching_services
from messaging.models import Message, Room
from messaging.rules import COORDINATOR, PARTICIPANT, readable_rooms, room_access
from messaging.services import message_post, rooms_sync
from tests import factories
from tests.messaging.conftest import confirmed

pytestmark = pytest.mark.django_db


def post(room, sender, body="hello"):
    return message_post(room=room, sender=sender, body=body, client_id=uuid.uuid4())


@pytest.fixture
def three_cities(city_a):
    """Gwangju (Gyeonggi) with Andong and Buyeo, where only Gwangju has a coordinator."""
    andong = factories.CityFactory(slug="andong", name_en="Andong", name_local="안동")
    buyeo = factories.CityFactory(slug="buyeo", name_en="Buyeo", name_local="부여")
    return city_a, andong, buyeo


@pytest.fixture
def lone_room(three_cities, carol):
    gwangju, andong, buyeo = three_cities
    program = factories.ProgramFactory(
        cities={gwangju: 5, andong: 5, buyeo: 5}, created_by=carol, status="running"
    )
    minji = factories.StudentFactory(
        email="minji@example.org",
        native_name="김민지",
        latin_name="Kim Minji",
        age=16,
        home_city=gwangju,
        consent="given",
    )
    factories.ApplicationFactory(program=program, student=minji, state="confirmed")
    room = next(r for r in rooms_sync(program=program) if r.kind == Room.Kind.PROGRAM)
    return {"program": program, "room": room, "minji": minji}


def test_a_minor_with_one_adult_can_neither_read_nor_post(client, lone_room, carol):
    room, minji = lone_room["room"], lone_room["minji"]

    access = room_access(user=minji, room_id=room.pk)
    assert (access.role, access.adults, access.can_read, access.can_post) == (
        PARTICIPANT,
        1,
        False,
        False,
    )
    with pytest.raises(ValidationError) as refused:
        post(room, minji)
    assert refused.value.code == "not_member"
    assert Message.objects.count() == 0
    assert Room.objects.get(pk=room.pk).last_seq == 0
    assert list(readable_rooms(user=minji)) == []

    client.force_login(minji)
    page = client.get(f"/chat/{room.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-code="unsupervised"' in html
    assert "chat.js" not in html
    history = client.get(f"/api/chat/rooms/{room.pk}/messages/")
    assert (history.status_code, history.json()["code"]) == (403, "unsupervised")


def test_the_notice_says_why_and_names_who_can_fix_it(client, lone_room, three_cities, carol):
    client.force_login(lone_room["minji"])
    cities = ", ".join(str(city) for city in sorted(three_cities, key=lambda c: c.name_en))

    html = client.get(f"/chat/{lone_room['room'].pk}/").content.decode()

    assert (
        "Fewer than two adults supervise this room, so students can read but not post here, "
        "and students under 18 can’t open it. "
        f"{carol.display_name} can ask a second coordinator from {cities} to join the "
        "program’s team."
    ) in html


def test_an_adult_student_reads_but_does_not_post_and_the_coordinator_still_may(
    lone_room, three_cities, carol
):
    room = lone_room["room"]
    adult = factories.StudentFactory(email="jun@example.org", age=18, home_city=three_cities[1])
    factories.ApplicationFactory(program=lone_room["program"], student=adult, state="confirmed")

    access = room_access(user=adult, room_id=room.pk)
    assert (access.can_read, access.can_post, access.why_read_only) == (True, False, "unsupervised")
    with pytest.raises(ValidationError) as refused:
        post(room, adult)
    assert refused.value.code == "unsupervised"
    assert post(room, carol).created
    assert [r.pk for r in readable_rooms(user=adult)] == [room.pk]


def test_a_second_adult_opens_the_room_and_leaving_closes_it_again(lone_room, three_cities):
    room, minji = lone_room["room"], lone_room["minji"]
    second = factories.CoordinatorFactory(email="andong@example.org", cities=[three_cities[1]])

    assert room_access(user=minji, room_id=room.pk).can_post is True
    assert post(room, minji).created

    CoordinatorMembership.objects.filter(user=second).delete()

    assert room_access(user=minji, room_id=room.pk).can_read is False


def test_one_coordinator_of_two_cities_counts_once(lone_room, three_cities, carol):
    CoordinatorMembership.objects.create(user=carol, city=three_cities[1])
    CoordinatorMembership.objects.create(user=carol, city=three_cities[2])

    access = room_access(user=lone_room["minji"], room_id=lone_room["room"].pk)

    assert (access.adults, access.can_read) == (1, False)


def test_a_coordinator_of_a_city_outside_the_program_is_no_supervisor(lone_room, city_c, oscar):
    access = room_access(user=lone_room["minji"], room_id=lone_room["room"].pk)

    assert (access.adults, access.can_read) == (1, False)
    assert room_access(user=oscar, room_id=lone_room["room"].pk).role is None


# --- Rooms follow the published matching --------------------------------------------------


def _republish(program, carol, bob, city_a, city_b):
    matching_services.matching_reopen(program=program, by=carol)
    matching_services.matching_run(program=program, by=carol)
    matching_services.matching_approve(program=program, city_ids={city_a.pk}, by=carol)
    matching_services.matching_approve(program=program, city_ids={city_b.pk}, by=bob)
    matching_services.matching_publish(program=program, by=carol)


def test_publishing_again_keeps_the_room_and_history_of_an_unchanged_pair(
    published, program_ab, carol, bob, alice, city_a, city_b
):
    pair = published["pair"]
    post(pair, alice, "first hello")

    _republish(program_ab, carol, bob, city_a, city_b)
    _republish(program_ab, carol, bob, city_a, city_b)

    rooms = Room.objects.filter(program=program_ab, kind=Room.Kind.PAIR)
    assert [(r.pk, r.dissolved_at) for r in rooms] == [(pair.pk, None)]
    assert list(Message.objects.filter(room=pair).values_list("body", flat=True)) == ["first hello"]
    assert Room.objects.get(pk=pair.pk).match_group.matching.status == "published"


def test_rooms_sync_twice_changes_nothing(published, program_ab):
    before = list(Room.objects.filter(program=program_ab).values_list("pk", "dissolved_at"))

    rooms_sync(program=program_ab)
    rooms_sync(program=program_ab)

    assert list(Room.objects.filter(program=program_ab).values_list("pk", "dissolved_at")) == (
        before
    )


def test_a_split_pair_is_dissolved_read_only_and_the_new_pairs_get_rooms(
    client, published, program_ab, carol, bob, alice, city_a, city_b
):
    old_pair = published["pair"]
    post(old_pair, alice, "before the change")
    second_a = confirmed(program_ab, city_a, "dana@example.org", age=16)
    second_b = confirmed(program_ab, city_b, "lan@example.org", age=16)
    _republish(program_ab, carol, bob, city_a, city_b)
    rooms = {
        frozenset(r.applications.values_list("pk", flat=True)): r
        for r in Room.objects.filter(program=program_ab, kind=Room.Kind.PAIR)
    }
    assert set(rooms) == {
        frozenset({published["alice"].pk, published["buddy"].pk}),
        frozenset({second_a.pk, second_b.pk}),
    }
    # Swap partners by hand and publish: both old pairs are gone.
    matching_services.matching_reopen(program=program_ab, by=carol)
    matching_services.matching_swap(
        program=program_ab, first_id=published["buddy"].pk, second_id=second_b.pk, by=carol
    )
    matching_services.matching_approve(program=program_ab, city_ids={city_a.pk}, by=carol)
    matching_services.matching_approve(program=program_ab, city_ids={city_b.pk}, by=bob)
    matching_services.matching_publish(program=program_ab, by=carol)

    old_pair.refresh_from_db()
    assert old_pair.dissolved_at is not None
    live = Room.objects.filter(program=program_ab, kind=Room.Kind.PAIR, dissolved_at=None)
    assert {frozenset(r.applications.values_list("pk", flat=True)) for r in live} == {
        frozenset({published["alice"].pk, second_b.pk}),
        frozenset({second_a.pk, published["buddy"].pk}),
    }
    assert room_access(user=alice, room_id=old_pair.pk).can_read is False
    assert old_pair not in list(readable_rooms(user=alice))
    coordinator = room_access(user=carol, room_id=old_pair.pk)
    assert (coordinator.role, coordinator.can_read, coordinator.can_post) == (
        COORDINATOR,
        True,
        False,
    )
    with pytest.raises(ValidationError) as refused:
        post(old_pair, carol, "anyone?")
    assert refused.value.code == "dissolved"
    client.force_login(alice)
    assert client.get(f"/chat/{old_pair.pk}/").status_code == 404
    client.force_login(carol)
    page = client.get(f"/chat/{old_pair.pk}/").content.decode()
    assert 'data-code="dissolved"' in page
