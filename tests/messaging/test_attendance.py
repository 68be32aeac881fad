"""Attendance of live sessions: counted from the chat sockets, corrected by coordinators."""

import json
import uuid
from datetime import timedelta

import pytest
from channels.testing import WebsocketCommunicator
from django.core.exceptions import ValidationError
from django.utils import timezone

from exchange.asgi import application
from exchange.models import Attendance, AuditEntry, LiveSession
from exchange.selectors.sessions import attendance_grid
from exchange.services import sessions as session_services
from messaging import services
from messaging.models import Room
from tests.helpers import login_redirect, sign_in
from tests.messaging.online import attending, online_program, participant, schedule, utc
from tests.messaging.sockets import ORIGIN, cookie_for, next_frame, run_chat

pytestmark = pytest.mark.django_db

START = utc(2030, 11, 4, 10)
END = utc(2030, 11, 4, 11)


def at(seconds: int):
    return START + timedelta(seconds=seconds)


@pytest.fixture
def online(city_a, city_b, carol, bob):
    return online_program({city_a: 5, city_b: 5}, by=carol)


@pytest.fixture
def session(online, carol):
    return schedule(online, carol, START, END, "Week 3")


@pytest.fixture
def rooms(online):
    program_room, coordinators_room = services.rooms_sync(program=online)
    return {"program": program_room, "coordinators": coordinators_room}


@pytest.fixture
def alice_online(online, city_a, alice):
    return participant(online, city_a, "", student=alice)


@pytest.fixture
def buddy(online, city_b):
    return participant(online, city_b, "xiaoyu@example.org")


@pytest.fixture
def group_room(online, alice_online, buddy):
    room = Room.objects.create(program=online, kind="group", name="Team 1")
    room.applications.set([alice_online, buddy])
    return room


def mark(room, user, seconds: int) -> bool:
    return services.attendance_mark(room_id=room.pk, user_id=user.pk, at=at(seconds))


def row(application) -> tuple:
    attendance = Attendance.objects.get(application=application)
    return attendance.first_seen_at, attendance.last_seen_at, attendance.seconds_present


# --- counting ----------------------------------------------------------------------------


def test_attendance_mark_on_connect_records_the_first_moment(session, rooms, alice, alice_online):
    assert mark(rooms["program"], alice, 30) is True

    assert row(alice_online) == (at(30), at(30), 0)


def test_attendance_mark_heartbeats_add_the_time_in_between(session, rooms, alice, alice_online):
    for seconds in (0, 60, 120, 180):
        mark(rooms["program"], alice, seconds)

    assert row(alice_online) == (at(0), at(180), 180)


def test_attendance_mark_after_a_gap_does_not_count_the_gap(session, rooms, alice, alice_online):
    for seconds in (0, 60, 151, 211):
        mark(rooms["program"], alice, seconds)

    # 0→60 counts, 60→151 is 91 s of silence (they left), 151→211 counts.
    assert row(alice_online) == (at(0), at(211), 120)


def test_attendance_mark_exactly_90_seconds_later_still_counts(session, rooms, alice, alice_online):
    mark(rooms["program"], alice, 0)
    mark(rooms["program"], alice, 90)

    assert row(alice_online) == (at(0), at(90), 90)


def test_attendance_mark_two_sockets_of_one_person_count_time_once(
    session, rooms, group_room, alice, alice_online
):
    # One socket in the program room heartbeats on the minute, one in the group room on the
    # half minute; a late call from the first arrives after the second moved on.
    for room, seconds in [
        (rooms["program"], 0),
        (group_room, 30),
        (rooms["program"], 60),
        (group_room, 90),
        (rooms["program"], 75),
        (rooms["program"], 120),
    ]:
        assert mark(room, alice, seconds) is True

    assert row(alice_online) == (at(0), at(120), 120)


def test_attendance_mark_outside_a_session_records_nothing(session, rooms, alice, alice_online):
    assert mark(rooms["program"], alice, -1) is False
    assert mark(rooms["program"], alice, 3600) is False

    assert Attendance.objects.count() == 0


def test_attendance_mark_counts_until_the_session_ends(session, rooms, alice, alice_online):
    mark(rooms["program"], alice, 3540)
    mark(rooms["program"], alice, 3599)

    assert row(alice_online) == (at(3540), at(3599), 59)


def test_attendance_mark_a_coordinator_is_not_counted(session, rooms, carol, bob):
    assert mark(rooms["program"], carol, 0) is False
    assert mark(rooms["coordinators"], bob, 0) is False

    assert Attendance.objects.count() == 0


def test_attendance_mark_not_a_participant_is_not_counted(
    session, rooms, online, city_a, mina, oscar
):
    participant(online, city_a, "", student=mina, state="accepted")

    assert mark(rooms["program"], mina, 0) is False
    assert mark(rooms["program"], oscar, 0) is False
    assert Attendance.objects.count() == 0


def test_attendance_mark_in_a_group_room_needs_membership(
    session, online, city_a, alice, alice_online, buddy
):
    other = Room.objects.create(program=online, kind="group", name="Team 2")
    other.applications.set([buddy])

    assert mark(other, alice, 0) is False
    assert Attendance.objects.count() == 0


def test_attendance_mark_in_own_group_room_counts(session, group_room, alice, alice_online):
    assert mark(group_room, alice, 0) is True

    assert row(alice_online) == (at(0), at(0), 0)


def test_attendance_mark_in_a_mutual_visit_records_nothing(published, alice):
    room = Room.objects.get(program=published["alice"].program, kind="program")

    assert services.attendance_mark(room_id=room.pk, user_id=alice.pk, at=START) is False


def test_attendance_mark_unknown_room_records_nothing(session, alice):
    assert services.attendance_mark(room_id=999999, user_id=alice.pk, at=START) is False


def test_attendance_mark_costs_two_queries(
    session, rooms, alice, alice_online, django_assert_num_queries
):
    with django_assert_num_queries(2):
        mark(rooms["program"], alice, 0)  # read, insert
    with django_assert_num_queries(2):
        mark(rooms["program"], alice, 60)  # read, update
    with django_assert_num_queries(1):
        mark(rooms["program"], alice, 30)  # read: already counted
    with django_assert_num_queries(1):
        mark(rooms["program"], alice, 3600)  # read: no live session


# --- attended or not ---------------------------------------------------------------------


def test_attended_from_half_the_session(session, rooms, alice, alice_online):
    attendance = Attendance.objects.create(
        session=session, application=alice_online, seconds_present=1799
    )
    assert attendance.counts(session) is False

    attendance.seconds_present = 1800
    assert attendance.counts(session) is True


def test_attendance_set_overrides_what_was_counted_and_is_audited(session, alice_online, carol):
    Attendance.objects.create(session=session, application=alice_online, seconds_present=120)

    session_services.attendance_set(
        session=session, application=alice_online, attended=True, by=carol, now=END
    )

    attendance = Attendance.objects.get()
    assert (attendance.attended, attendance.marked_by, attendance.marked_at) == (True, carol, END)
    assert attending(alice_online) == [session.pk]
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.program_id, entry.city_id, entry.application) == (
        carol,
        "attendance-set",
        session.program_id,
        alice_online.city_id,
        alice_online,
    )
    assert entry.detail == "Week 3 (2030-11-04 10:00 UTC): attended"


def test_attendance_set_absent_and_back_to_the_count(session, alice_online, carol):
    Attendance.objects.create(session=session, application=alice_online, seconds_present=3000)

    session_services.attendance_set(
        session=session, application=alice_online, attended=False, by=carol, now=END
    )
    absent = attending(alice_online)
    session_services.attendance_set(
        session=session, application=alice_online, attended=None, by=carol, now=END
    )

    assert absent == []
    assert attending(alice_online) == [session.pk]
    assert list(AuditEntry.objects.order_by("id").values_list("detail", flat=True)) == [
        "Week 3 (2030-11-04 10:00 UTC): absent",
        "Week 3 (2030-11-04 10:00 UTC): as counted",
    ]


def test_attendance_set_for_someone_never_seen_then_they_connect(
    session, rooms, alice, alice_online, carol
):
    session_services.attendance_set(
        session=session, application=alice_online, attended=True, by=carol, now=START
    )

    mark(rooms["program"], alice, 60)

    attendance = Attendance.objects.get()
    assert (attendance.first_seen_at, attendance.last_seen_at, attendance.attended) == (
        at(60),
        at(60),
        True,
    )


def test_attendance_set_by_a_partner_city_coordinator_is_refused(session, alice_online, bob):
    with pytest.raises(ValidationError) as error:
        session_services.attendance_set(
            session=session, application=alice_online, attended=True, by=bob, now=END
        )

    assert error.value.code == "forbidden"
    assert error.value.messages == [
        "Only coordinators of the participant’s city correct their attendance."
    ]
    assert (Attendance.objects.count(), AuditEntry.objects.count()) == (0, 0)


def test_attendance_set_before_the_session_starts_is_refused(session, alice_online, carol):
    with pytest.raises(ValidationError) as error:
        session_services.attendance_set(
            session=session, application=alice_online, attended=True, by=carol, now=at(-1)
        )

    assert error.value.messages == ["“Week 3” hasn’t started yet."]
    assert Attendance.objects.count() == 0


def test_attendance_set_for_another_programs_participant_is_refused(session, published, carol):
    with pytest.raises(ValidationError) as error:
        session_services.attendance_set(
            session=session, application=published["alice"], attended=True, by=carol, now=END
        )

    assert error.value.code == "not_participant"
    assert Attendance.objects.count() == 0


def test_attendance_grid_marks_every_participant_and_session(
    online, carol, alice_online, buddy, django_assert_num_queries
):
    held = LiveSession.objects.create(
        program=online, title="Held", starts_at=utc(2030, 10, 28, 10), ends_at=utc(2030, 10, 28, 11)
    )
    live = schedule(online, carol, START, END, "Live")
    schedule(online, carol, utc(2030, 11, 11, 10), utc(2030, 11, 11, 11), "Later")
    held.attendances.create(application=alice_online, seconds_present=2400)
    held.attendances.create(application=buddy, seconds_present=2400, attended=False)
    live.attendances.create(application=alice_online, seconds_present=60)

    with django_assert_num_queries(3):
        grid = attendance_grid(program=online, now=at(600))

    assert grid.sessions == [held, live]
    assert [
        (
            r.application,
            [(c.status, c.attendance.seconds_present if c.attendance else None) for c in r.cells],
            str(r.progress),
        )
        for r in grid.rows
    ] == [
        (alice_online, [("attended", 2400), ("live", 60)], "attended 1 of 1 session; 1 needed"),
        (buddy, [("absent", 2400), ("live", None)], "attended 0 of 1 session; 1 needed"),
    ]


# --- the coordinators' correction buttons ------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status", "attended"),
    [
        ("anonymous", 302, None),
        ("alice", 403, None),
        ("mina", 403, None),
        ("carol", 302, True),
        # Bob coordinates the partner city: he sees the grid, but Alice is Gwangju's.
        ("bob", 403, None),
        ("oscar", 403, None),
    ],
)
def test_attendance_correct_post_for_the_participants_city_only(
    request, client, online, alice_online, persona, status, attended
):
    # Held (created directly: scheduling refuses the past); the page reads the clock.
    held = LiveSession.objects.create(
        program=online, title="Week 1", starts_at=utc(2020, 1, 6, 10), ends_at=utc(2020, 1, 6, 11)
    )
    sign_in(request, client, persona)
    url = f"/coordinate/programs/{online.pk}/sessions/{held.pk}/attendance/{alice_online.pk}/"

    response = client.post(url, {"attended": "yes"})

    assert response.status_code == status
    if persona == "anonymous":
        assert response["Location"] == login_redirect(url)
    found = Attendance.objects.filter(application=alice_online).first()
    assert (found.attended if found else None) == attended


def test_attendance_correct_post_with_a_bad_value_changes_nothing(
    client, online, session, alice_online, carol
):
    client.force_login(carol)
    url = f"/coordinate/programs/{online.pk}/sessions/{session.pk}/attendance/{alice_online.pk}/"

    response = client.post(url, {"attended": "maybe"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Choose attended, absent or as counted."
    ]
    assert Attendance.objects.count() == 0


def test_attendance_correct_before_the_session_shows_why(
    client, online, session, alice_online, carol
):
    client.force_login(carol)
    url = f"/coordinate/programs/{online.pk}/sessions/{session.pk}/attendance/{alice_online.pk}/"

    response = client.post(url, {"attended": "yes"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["“Week 3” hasn’t started yet."]
    assert Attendance.objects.count() == 0


# --- through the socket ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_socket_connect_during_a_live_session_marks_attendance(city_a, city_b, carol, alice, bob):
    today = timezone.localdate()
    program = online_program(
        {city_a: 5, city_b: 5},
        by=carol,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
    )
    mine = participant(program, city_a, "", student=alice)
    room = services.rooms_sync(program=program)[0]
    now = timezone.now()
    LiveSession.objects.create(
        program=program,
        title="Now",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
    )
    cookie = cookie_for(alice)

    async def scenario():
        communicator = WebsocketCommunicator(
            application, f"/ws/rooms/{room.pk}/", headers=[ORIGIN, (b"cookie", cookie)]
        )
        connected, _subprotocol = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert run_chat(scenario()) is True
    attendance = Attendance.objects.get(application=mine)
    assert attendance.seconds_present == 0
    assert attendance.first_seen_at == attendance.last_seen_at


@pytest.mark.django_db(transaction=True)
def test_socket_post_outside_a_session_gets_session_not_live(city_a, city_b, carol, alice, bob):
    today = timezone.localdate()
    program = online_program(
        {city_a: 5, city_b: 5},
        by=carol,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
    )
    participant(program, city_a, "", student=alice)
    room = services.rooms_sync(program=program)[0]
    cookie = cookie_for(alice)
    client_id = str(uuid.uuid4())

    async def scenario():
        communicator = WebsocketCommunicator(
            application, f"/ws/rooms/{room.pk}/", headers=[ORIGIN, (b"cookie", cookie)]
        )
        await communicator.connect()
        await communicator.send_to(
            text_data=json.dumps({"type": "message", "body": "안녕", "client_id": client_id})
        )
        frame = await next_frame(communicator)
        await communicator.disconnect()
        return frame

    assert run_chat(scenario()) == {
        "type": "error",
        "code": "session_not_live",
        "detail": "The chat is open during live sessions only, and none is scheduled.",
        "client_id": client_id,
    }
