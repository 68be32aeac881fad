"""Live sessions of online programs: scheduling, the posting gate, the coordinators' page and
what each participant sees, in every city's own time."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from exchange.models import LiveSession, Program
from exchange.selectors import sessions as timetable
from exchange.services import programs as program_services
from exchange.services import sessions as session_services
from exchange.services.programs import ProgramData
from messaging import services
from messaging.models import Message, Room
from messaging.rules import COORDINATOR, PARTICIPANT
from tests import factories
from tests.helpers import login_redirect, sign_in, table
from tests.messaging.online import (
    LONG_AGO,
    ha_long,
    milpitas,
    online_program,
    participant,
    schedule,
    utc,
)

pytestmark = pytest.mark.django_db

# Session, user, the user's home city (the time zone middleware), the program with its cities
# (2), the coordinator's cities, their time zone, the session list, and the grid's sessions,
# participants and attendance.
QUERIES_SESSIONS_PAGE = 12


@pytest.fixture
def online(city_a, city_b, carol, bob):
    return online_program({city_a: 5, city_b: 5}, by=carol)


@pytest.fixture
def alice_online(online, city_a, alice):
    return participant(online, city_a, "", student=alice)


def sessions_url(program) -> str:
    return f"/coordinate/programs/{program.pk}/sessions/"


# --- scheduling --------------------------------------------------------------------------


def test_session_create_stores_utc(online, carol):
    session = schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11), "Week 3")

    session.refresh_from_db()
    assert (session.title, session.starts_at, session.ends_at, session.created_by) == (
        "Week 3",
        utc(2030, 11, 4, 10),
        utc(2030, 11, 4, 11),
        carol,
    )


def test_session_create_for_a_mutual_visit_is_refused_with_the_reason(program_ab, carol):
    with pytest.raises(ValidationError) as error:
        schedule(program_ab, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11))

    assert error.value.code == "not_online"
    assert error.value.messages == [
        f"Live sessions are for online exchanges. “{program_ab.title}” is a mutual visit: its "
        "participants meet in person, so it has no chat sessions to schedule."
    ]
    assert LiveSession.objects.count() == 0


def test_session_create_ending_before_it_starts_is_refused(online, carol):
    with pytest.raises(ValidationError) as error:
        schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 10))

    assert error.value.message_dict == {"ends_at": ["A session must end after it starts."]}
    assert LiveSession.objects.count() == 0


def test_session_create_longer_than_six_hours_is_refused(online, carol):
    schedule(online, carol, utc(2030, 11, 4, 0), utc(2030, 11, 4, 6), "Six hours")

    with pytest.raises(ValidationError) as error:
        schedule(online, carol, utc(2030, 11, 5, 0), utc(2030, 11, 5, 6, 1))

    assert error.value.message_dict == {"ends_at": ["A session lasts at most 6 hours."]}
    assert list(LiveSession.objects.values_list("title", flat=True)) == ["Six hours"]


def test_session_create_without_a_title_is_refused(online, carol):
    with pytest.raises(ValidationError) as error:
        schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11), "  ")

    assert error.value.message_dict == {"title": ["Give the session a title."]}


def test_session_create_in_the_past_is_refused(online, carol):
    with pytest.raises(ValidationError) as error:
        session_services.session_create(
            program=online,
            title="Late",
            starts_at=utc(2030, 11, 4, 10),
            ends_at=utc(2030, 11, 4, 11),
            by=carol,
            now=utc(2030, 11, 4, 10),
        )

    assert error.value.message_dict == {"starts_at": ["A session must start in the future."]}
    assert LiveSession.objects.count() == 0


def test_session_program_window_is_the_widest_over_the_cities_time_zones(city_a, carol):
    # Gwangju's first day starts at 15:00 UTC the day before; Milpitas's last day ends at
    # 08:00 UTC the day after (PST).
    program = online_program({city_a: 5, milpitas(): 5}, by=carol)

    first = schedule(program, carol, utc(2030, 10, 20, 15), utc(2030, 10, 20, 16), "First")
    last = schedule(program, carol, utc(2030, 11, 16, 7), utc(2030, 11, 16, 8), "Last")

    assert [first.title, last.title] == ["First", "Last"]
    for starts_at, ends_at in [
        (utc(2030, 10, 20, 14), utc(2030, 10, 20, 15, 30)),
        (utc(2030, 11, 16, 7, 30), utc(2030, 11, 16, 8, 30)),
    ]:
        with pytest.raises(ValidationError) as error:
            schedule(program, carol, starts_at, ends_at)
        assert error.value.message_dict == {
            "__all__": ["Sessions take place during the program, from 2030-10-21 to 2030-11-15."]
        }
    assert LiveSession.objects.count() == 2


def test_session_create_overlapping_another_is_refused_naming_it_in_local_time(online, carol):
    schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11), "Week 3")

    with pytest.raises(ValidationError) as error:
        schedule(online, carol, utc(2030, 11, 4, 10, 30), utc(2030, 11, 4, 12), "Clash")

    assert error.value.message_dict == {
        "__all__": [
            "This overlaps “Week 3”, from 2030-11-04 19:00 (UTC+09:00) "
            "to 2030-11-04 20:00 (UTC+09:00)."
        ]
    }
    assert LiveSession.objects.count() == 1


def test_session_create_right_after_another_is_accepted(online, carol):
    schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11), "Week 3")

    schedule(online, carol, utc(2030, 11, 4, 11), utc(2030, 11, 4, 12), "Week 3, part 2")

    assert LiveSession.objects.count() == 2


def test_session_create_by_a_coordinator_of_another_city_is_refused(online, oscar):
    with pytest.raises(ValidationError) as error:
        schedule(online, oscar, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11))

    assert error.value.code == "forbidden"
    assert LiveSession.objects.count() == 0


def test_session_update_moves_a_session_that_has_not_started(online, bob):
    session = schedule(online, bob, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11), "Week 3")

    session_services.session_update(
        session=session,
        title="Week 3 (moved)",
        starts_at=utc(2030, 11, 5, 10),
        ends_at=utc(2030, 11, 5, 12),
        by=bob,
        now=utc(2030, 11, 4, 9),
    )

    session.refresh_from_db()
    assert (session.title, session.starts_at, session.ends_at) == (
        "Week 3 (moved)",
        utc(2030, 11, 5, 10),
        utc(2030, 11, 5, 12),
    )


def test_session_update_refuses_moving_a_started_session_but_renames_it(online, carol):
    session = schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11), "Week 3")

    with pytest.raises(ValidationError) as error:
        session_services.session_update(
            session=session,
            title="Week 3",
            starts_at=utc(2030, 11, 4, 10),
            ends_at=utc(2030, 11, 4, 12),
            by=carol,
            now=utc(2030, 11, 4, 10),
        )
    session_services.session_update(
        session=session,
        title="Week 3: music",
        starts_at=utc(2030, 11, 4, 10),
        ends_at=utc(2030, 11, 4, 11),
        by=carol,
        now=utc(2030, 11, 4, 10, 30),
    )

    assert error.value.code == "started"
    assert error.value.messages == [
        "“Week 3” has already started: it can’t be moved or deleted any more."
    ]
    session.refresh_from_db()
    assert (session.title, session.ends_at) == ("Week 3: music", utc(2030, 11, 4, 11))


def test_session_update_overlapping_another_is_refused(online, carol):
    schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11), "Week 3")
    later = schedule(online, carol, utc(2030, 11, 11, 10), utc(2030, 11, 11, 11), "Week 4")

    with pytest.raises(ValidationError) as error:
        session_services.session_update(
            session=later,
            title="Week 4",
            starts_at=utc(2030, 11, 4, 9),
            ends_at=utc(2030, 11, 4, 10, 30),
            by=carol,
            now=LONG_AGO,
        )

    assert error.value.message_dict == {
        "__all__": [
            "This overlaps “Week 3”, from 2030-11-04 19:00 (UTC+09:00) "
            "to 2030-11-04 20:00 (UTC+09:00)."
        ]
    }
    later.refresh_from_db()
    assert later.starts_at == utc(2030, 11, 11, 10)


def test_session_delete_before_it_starts(online, carol):
    session = schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11))

    session_services.session_delete(session=session, by=carol, now=utc(2030, 11, 4, 9, 59))

    assert LiveSession.objects.count() == 0


def test_session_delete_once_started_is_refused(online, carol):
    session = schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11), "Week 3")

    with pytest.raises(ValidationError) as error:
        session_services.session_delete(session=session, by=carol, now=utc(2030, 11, 4, 10))

    assert error.value.code == "started"
    assert LiveSession.objects.count() == 1


def test_program_update_to_a_mutual_visit_with_sessions_is_refused(online, carol, city_a, city_b):
    schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11))
    data = ProgramData(
        kind="visit",
        title=online.title,
        description=online.description,
        themes=list(online.themes.all()),
        quotas={city_a: 5, city_b: 5},
        applications_open=online.applications_open,
        applications_close=online.applications_close,
        starts_on=online.starts_on,
        ends_on=online.ends_on,
        min_age=online.min_age,
        max_age=online.max_age,
        working_languages=list(online.working_languages.all()),
    )

    with pytest.raises(ValidationError) as error:
        program_services.program_update(program=online, data=data, by=carol)

    assert error.value.message_dict == {
        "kind": [
            "This program has live sessions scheduled: delete them before making it a mutual visit."
        ]
    }
    assert Program.objects.get(pk=online.pk).kind == "online"


# --- selectors ---------------------------------------------------------------------------


def test_live_session_and_upcoming_sessions_at_a_given_moment(online, carol):
    one = schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11), "One")
    two = schedule(online, carol, utc(2030, 11, 5, 10), utc(2030, 11, 5, 11), "Two")
    three = schedule(online, carol, utc(2030, 11, 6, 10), utc(2030, 11, 6, 11), "Three")

    assert timetable.live_session(online.pk, utc(2030, 11, 4, 9, 59)) is None
    assert timetable.live_session(online.pk, utc(2030, 11, 4, 10)) == one
    assert timetable.live_session(online.pk, utc(2030, 11, 4, 11)) is None
    assert timetable.upcoming_sessions(online, utc(2030, 11, 4, 10, 30), 5) == [
        one,
        two,
        three,
    ]
    assert timetable.upcoming_sessions(online, utc(2030, 11, 4, 11), 1) == [two]
    assert timetable.upcoming_sessions(online, utc(2030, 11, 6, 11), 5) == []


# --- the posting gate --------------------------------------------------------------------


@pytest.fixture
def program_room(online):
    return services.rooms_sync(program=online)[0]


def test_session_gate_names_the_next_start_in_the_senders_city_time(
    online, carol, city_b, alice, alice_online, program_room, django_assert_num_queries
):
    schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11), "Week 3")
    lan = factories.StudentFactory(email="lan@example.org", home_city=ha_long())
    xiaoyu = participant(online, city_b, "xiaoyu@example.org").student

    messages = {}
    for student in (alice, lan, xiaoyu):
        with django_assert_num_queries(1), pytest.raises(ValidationError) as error:
            services.session_gate(
                room=program_room, role=PARTICIPANT, now=utc(2030, 11, 4, 9), sender=student
            )
        assert error.value.code == "session_not_live"
        messages[student.email] = error.value.messages

    start = "The chat is open during live sessions only. The next one starts "
    assert messages == {
        "alice@example.org": [start + "2030-11-04 19:00 (UTC+09:00)."],
        "lan@example.org": [start + "2030-11-04 17:00 (UTC+07:00)."],
        "xiaoyu@example.org": [start + "2030-11-04 18:00 (UTC+08:00)."],
    }


def test_session_gate_with_no_session_scheduled_says_so(alice, program_room):
    with pytest.raises(ValidationError) as error:
        services.session_gate(
            room=program_room, role=PARTICIPANT, now=utc(2030, 11, 4, 9), sender=alice
        )

    assert error.value.messages == [
        "The chat is open during live sessions only, and none is scheduled."
    ]


def test_session_gate_lets_participants_post_while_a_session_is_live(
    online, carol, alice, program_room, django_assert_num_queries
):
    schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11))

    with django_assert_num_queries(1):
        services.session_gate(
            room=program_room, role=PARTICIPANT, now=utc(2030, 11, 4, 10), sender=alice
        )
    # The room object remembers the live session until it ends (a socket holds its room
    # object, so a live session costs one query per connection, not per message).
    with django_assert_num_queries(0):
        services.session_gate(
            room=program_room, role=PARTICIPANT, now=utc(2030, 11, 4, 10, 59), sender=alice
        )
    with pytest.raises(ValidationError):
        services.session_gate(
            room=program_room, role=PARTICIPANT, now=utc(2030, 11, 4, 11), sender=alice
        )


@pytest.mark.parametrize("kind", ["pair", "group"])
def test_session_gate_applies_to_pair_and_group_rooms(online, alice, kind):
    room = Room.objects.create(program=online, kind=kind, name="Team")

    with pytest.raises(ValidationError) as error:
        services.session_gate(room=room, role=PARTICIPANT, now=utc(2030, 11, 4, 9), sender=alice)

    assert error.value.code == "session_not_live"


def test_session_gate_never_stops_coordinators_nor_the_coordinators_room(
    online, carol, program_room, django_assert_num_queries
):
    coordinators_room = Room.objects.get(program=online, kind="coordinators")

    with django_assert_num_queries(0):
        services.session_gate(
            room=program_room, role=COORDINATOR, now=utc(2030, 11, 4, 9), sender=carol
        )
        services.session_gate(
            room=coordinators_room, role=PARTICIPANT, now=utc(2030, 11, 4, 9), sender=carol
        )


def test_session_gate_leaves_mutual_visits_alone(published, alice):
    services.session_gate(
        room=published["pair"], role=PARTICIPANT, now=utc(2030, 11, 4, 9), sender=alice
    )


def _online_now(city_a, city_b, carol, **fields):
    """An online program running today, for message_post, which reads the clock."""
    today = timezone.localdate()
    return online_program(
        {city_a: 5, city_b: 5},
        by=carol,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
        **fields,
    )


def test_message_post_outside_a_session_is_refused_and_stores_nothing(
    city_a, city_b, carol, alice, bob
):
    program = _online_now(city_a, city_b, carol)
    participant(program, city_a, "", student=alice)
    room = services.rooms_sync(program=program)[0]

    with pytest.raises(ValidationError) as error:
        services.message_post(room=room, sender=alice, body="안녕", client_id=uuid.uuid4())

    assert error.value.code == "session_not_live"
    assert Message.objects.count() == 0
    assert Room.objects.get(pk=room.pk).last_seq == 0


def test_message_post_during_a_session_and_by_coordinators_any_time(
    city_a, city_b, carol, alice, bob
):
    program = _online_now(city_a, city_b, carol)
    participant(program, city_a, "", student=alice)
    room = services.rooms_sync(program=program)[0]
    services.message_post(room=room, sender=carol, body="Welcome!", client_id=uuid.uuid4())
    now = timezone.now()
    # Created directly: a session that is live now can't be scheduled (it starts in the past).
    LiveSession.objects.create(
        program=program,
        title="Now",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
    )

    services.message_post(room=room, sender=alice, body="안녕", client_id=uuid.uuid4())

    assert list(Message.objects.values_list("seq", "sender__email", "body")) == [
        (1, "carol@example.org", "Welcome!"),
        (2, "alice@example.org", "안녕"),
    ]


# --- the coordinators' page --------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 200, "oscar": 403}),
)
def test_sessions_page_opens_for_the_programs_coordinators_only(
    request, client, online, persona, status
):
    sign_in(request, client, persona)

    response = client.get(sessions_url(online))

    assert response.status_code == status
    if persona == "anonymous":
        assert response["Location"] == login_redirect(sessions_url(online))


@pytest.mark.parametrize(
    ("persona", "status", "created"),
    [
        ("anonymous", 302, 0),
        ("alice", 403, 0),
        ("mina", 403, 0),
        ("carol", 302, 1),
        ("bob", 302, 1),
        ("oscar", 403, 0),
    ],
)
def test_sessions_page_post_adds_a_session_for_the_programs_coordinators_only(
    request, client, online, persona, status, created
):
    sign_in(request, client, persona)

    response = client.post(
        sessions_url(online),
        {"title": "Week 3", "starts_at": "2030-11-04T19:00", "ends_at": "2030-11-04T20:00"},
    )

    assert response.status_code == status
    assert LiveSession.objects.count() == created


@pytest.mark.parametrize(
    ("persona", "starts_at"),
    [
        # Gwangju 19:00 (UTC+9) and Zibo 18:00 (UTC+8) are the same moment.
        ("carol", "2030-11-04T19:00"),
        ("bob", "2030-11-04T18:00"),
    ],
)
def test_sessions_page_reads_times_in_the_coordinators_city_time_zone(
    request, client, online, persona, starts_at
):
    sign_in(request, client, persona)

    client.post(
        sessions_url(online),
        {"title": "Week 3", "starts_at": starts_at, "ends_at": starts_at[:11] + "23:00"},
    )

    session = LiveSession.objects.get()
    assert session.starts_at == utc(2030, 11, 4, 10)


def test_sessions_page_milpitas_coordinator_across_the_dst_change(client, city_a):
    city = milpitas()
    coordinator = factories.CoordinatorFactory(email="maria@example.org", cities=[city])
    program = online_program({city_a: 5, city: 5}, by=coordinator)
    client.force_login(coordinator)

    for day in ("2030-11-01", "2030-11-08"):
        client.post(
            sessions_url(program),
            {"title": day, "starts_at": f"{day}T16:00", "ends_at": f"{day}T17:00"},
        )
    response = client.get(sessions_url(program))

    # 16:00 is UTC-7 before the change (PDT) and UTC-8 after it (PST).
    assert list(LiveSession.objects.values_list("starts_at", flat=True)) == [
        utc(2030, 11, 1, 23),
        utc(2030, 11, 9, 0),
    ]
    html = response.content.decode()
    assert '<time datetime="2030-11-01T16:00:00-07:00">' in html
    assert '<time datetime="2030-11-08T16:00:00-08:00">' in html
    assert "(UTC-07:00)" in html
    assert "(UTC-08:00)" in html


def test_sessions_page_shows_the_services_refusal_beside_the_form(client, online, carol):
    schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11), "Week 3")
    client.force_login(carol)

    response = client.post(
        sessions_url(online),
        {"title": "Clash", "starts_at": "2030-11-04T19:30", "ends_at": "2030-11-04T21:00"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": [
            "This overlaps “Week 3”, from 2030-11-04 19:00 (UTC+09:00) "
            "to 2030-11-04 20:00 (UTC+09:00)."
        ]
    }
    assert LiveSession.objects.count() == 1


def test_sessions_page_for_a_mutual_visit_explains_and_refuses(client, program_ab, carol):
    client.force_login(carol)

    page = client.get(sessions_url(program_ab))
    response = client.post(
        sessions_url(program_ab),
        {"title": "Week 3", "starts_at": "2030-11-04T19:00", "ends_at": "2030-11-04T20:00"},
    )

    assert "Live sessions are for online exchanges." in page.content.decode()
    assert response.context["form"].errors == {
        "__all__": [
            f"Live sessions are for online exchanges. “{program_ab.title}” is a mutual visit: "
            "its participants meet in person, so it has no chat sessions to schedule."
        ]
    }
    assert LiveSession.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "status", "shown"),
    [
        ("anonymous", 302, None),
        ("alice", 403, None),
        ("mina", 403, None),
        # In each coordinator's city time: Gwangju UTC+9, Zibo UTC+8.
        ("carol", 200, 'value="2030-11-04T19:00"'),
        ("bob", 200, 'value="2030-11-04T18:00"'),
        ("oscar", 403, None),
    ],
)
def test_session_edit_page_for_the_programs_coordinators_only(
    request, client, online, carol, persona, status, shown
):
    session = schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11), "Week 3")
    sign_in(request, client, persona)

    response = client.get(f"{sessions_url(online)}{session.pk}/")

    assert response.status_code == status
    if shown:
        assert shown in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status", "title"),
    [
        ("anonymous", 302, "Week 3"),
        ("alice", 403, "Week 3"),
        ("mina", 403, "Week 3"),
        ("carol", 302, "Week 3: music"),
        ("bob", 302, "Week 3: music"),
        ("oscar", 403, "Week 3"),
    ],
)
def test_session_edit_post_for_the_programs_coordinators_only(
    request, client, online, carol, persona, status, title
):
    session = schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11), "Week 3")
    user = sign_in(request, client, persona)
    local = "2030-11-04T18:00" if user and user.email == "bob@example.org" else "2030-11-04T19:00"

    response = client.post(
        f"{sessions_url(online)}{session.pk}/",
        {"title": "Week 3: music", "starts_at": local, "ends_at": local[:11] + "20:30"},
    )

    assert response.status_code == status
    session.refresh_from_db()
    assert session.title == title


def test_session_edit_of_another_programs_session_is_404(client, online, carol, city_a, city_b):
    other = online_program({city_a: 5, city_b: 5}, by=carol, title="Other")
    session = schedule(other, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11))
    client.force_login(carol)

    response = client.get(f"{sessions_url(online)}{session.pk}/")

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("persona", "status", "left"),
    [
        ("anonymous", 302, 1),
        ("alice", 403, 1),
        ("mina", 403, 1),
        ("carol", 302, 0),
        ("bob", 302, 0),
        ("oscar", 403, 1),
    ],
)
def test_session_delete_post_for_the_programs_coordinators_only(
    request, client, online, carol, persona, status, left
):
    session = schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11))
    sign_in(request, client, persona)

    response = client.post(f"{sessions_url(online)}{session.pk}/delete/")

    assert response.status_code == status
    assert LiveSession.objects.count() == left


def test_sessions_page_get_delete_is_not_allowed(client, online, carol):
    session = schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11))
    client.force_login(carol)

    response = client.get(f"{sessions_url(online)}{session.pk}/delete/")

    assert response.status_code == 405
    assert LiveSession.objects.count() == 1


@pytest.mark.parametrize("n", [1, 3])
def test_sessions_page_queries_do_not_grow(
    client, online, carol, city_a, n, django_assert_num_queries
):
    for i in range(n):
        application = participant(online, city_a, f"p{i}@example.org")
        LiveSession.objects.create(
            program=online,
            title=f"Held {i}",
            starts_at=utc(2020, 1, 1 + i, 10),
            ends_at=utc(2020, 1, 1 + i, 11),
        ).attendances.create(application=application, seconds_present=1800)
    client.force_login(carol)
    client.get(sessions_url(online))  # warms the session

    with django_assert_num_queries(QUERIES_SESSIONS_PAGE):
        response = client.get(sessions_url(online))

    assert len(response.context["grid"].rows) == n
    assert len(response.context["grid"].sessions) == n


def test_program_pages_link_to_sessions_for_online_programs_only(client, online, program_ab, carol):
    client.force_login(carol)

    online_page = client.get(f"/programs/{online.pk}/").content.decode()
    visit_page = client.get(f"/programs/{program_ab.pk}/").content.decode()
    dashboard = client.get("/coordinate/").content.decode()

    assert f'href="{sessions_url(online)}"' in online_page
    assert "/sessions/" not in visit_page
    assert f'href="{sessions_url(online)}"' in dashboard
    assert f'href="{sessions_url(program_ab)}"' not in dashboard


# --- what participants see ---------------------------------------------------------------


def test_participants_see_the_same_session_in_their_own_city_time(client, city_a, carol):
    city = ha_long()
    program = online_program({city_a: 5, city: 5}, by=carol)
    schedule(program, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11), "Week 3")
    minji = participant(program, city_a, "minji@example.org")
    lan = participant(program, city, "lan@example.org")

    pages = {}
    for application in (minji, lan):
        client.force_login(application.student)
        pages[application.student.email] = client.get(
            f"/me/applications/{application.pk}/"
        ).content.decode()

    assert '<time datetime="2030-11-04T19:00:00+09:00">' in pages["minji@example.org"]
    assert '<time datetime="2030-11-04T20:00:00+09:00">' in pages["minji@example.org"]
    assert "(UTC+09:00)" in pages["minji@example.org"]
    assert '<time datetime="2030-11-04T17:00:00+07:00">' in pages["lan@example.org"]
    assert "(UTC+07:00)" in pages["lan@example.org"]
    assert "You attended 0 of 0 sessions so far." in pages["lan@example.org"]


def test_participant_in_milpitas_sees_the_dst_change(client, city_a, carol):
    city = milpitas()
    program = online_program({city_a: 5, city: 5}, by=carol)
    schedule(program, carol, utc(2030, 10, 28, 10), utc(2030, 10, 28, 11), "Before")
    schedule(program, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11), "After")
    emily = participant(program, city, "emily@example.org")
    client.force_login(emily.student)

    page = client.get(f"/me/applications/{emily.pk}/").content.decode()

    assert '<time datetime="2030-10-28T03:00:00-07:00">' in page
    assert '<time datetime="2030-11-04T02:00:00-08:00">' in page
    assert "(UTC-07:00)" in page
    assert "(UTC-08:00)" in page


def test_participant_schedule_counts_attended_sessions(online, carol, alice_online):
    held = LiveSession.objects.create(
        program=online, title="Held", starts_at=utc(2030, 10, 21, 10), ends_at=utc(2030, 10, 21, 11)
    )
    LiveSession.objects.create(
        program=online,
        title="Missed",
        starts_at=utc(2030, 10, 22, 10),
        ends_at=utc(2030, 10, 22, 11),
    )
    upcoming = schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11), "Next")
    held.attendances.create(application=alice_online, seconds_present=1800)

    schedule_ = timetable.participant_schedule(
        application=alice_online, now=utc(2030, 11, 1), limit=5
    )

    assert schedule_.time_zone == "Asia/Seoul"
    assert schedule_.upcoming == [upcoming]
    assert (schedule_.progress.attended, schedule_.progress.held, schedule_.progress.needed) == (
        1,
        2,
        2,
    )


@pytest.mark.parametrize("state", ["submitted", "accepted", "withdrawn"])
def test_participant_schedule_is_only_for_participants(online, city_a, carol, state):
    schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11))
    application = participant(online, city_a, "x@example.org", state=state)

    assert timetable.participant_schedule(application=application, now=utc(2030, 11, 1)) is None


def test_participant_schedule_is_none_for_a_mutual_visit(published):
    assert (
        timetable.participant_schedule(application=published["alice"], now=utc(2030, 11, 1)) is None
    )


# --- the program's attendance requirement ------------------------------------------------


def _program_form(program, city_a, city_b, **changes) -> dict:
    data = {
        "kind": program.kind,
        "title": program.title,
        "description": program.description,
        "themes": [theme.pk for theme in program.themes.all()],
        "applications_open": "2029-01-01T09:00",
        "applications_close": "2029-02-01T09:00",
        "starts_on": program.starts_on.isoformat(),
        "ends_on": program.ends_on.isoformat(),
        "min_age": program.min_age,
        "max_age": program.max_age,
        "working_languages": [language.pk for language in program.working_languages.all()],
        f"quota_{city_a.pk}": 5,
        f"quota_{city_b.pk}": 5,
    }
    return {**data, **changes}


def test_program_edit_sets_the_attendance_requirement(client, online, carol, city_a, city_b):
    client.force_login(carol)

    form = client.get(f"/programs/{online.pk}/edit/").context["form"]
    response = client.post(
        f"/programs/{online.pk}/edit/",
        _program_form(online, city_a, city_b, attendance_required_percent=60),
    )

    assert form["attendance_required_percent"].value() == 75
    assert response.status_code == 302
    assert Program.objects.get(pk=online.pk).attendance_required_percent == 60


def test_program_edit_without_the_requirement_keeps_it(client, online, carol, city_a, city_b):
    Program.objects.filter(pk=online.pk).update(attendance_required_percent=50)
    client.force_login(carol)

    response = client.post(f"/programs/{online.pk}/edit/", _program_form(online, city_a, city_b))

    assert response.status_code == 302
    assert Program.objects.get(pk=online.pk).attendance_required_percent == 50


def test_program_edit_with_a_requirement_over_100_is_refused(client, online, carol, city_a, city_b):
    client.force_login(carol)

    response = client.post(
        f"/programs/{online.pk}/edit/",
        _program_form(online, city_a, city_b, attendance_required_percent=101),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "attendance_required_percent": ["Ensure this value is less than or equal to 100."]
    }
    assert Program.objects.get(pk=online.pk).attendance_required_percent == 75


def test_session_gate_without_a_home_city_uses_the_current_time_zone(online, carol, program_room):
    schedule(online, carol, utc(2030, 11, 4, 10), utc(2030, 11, 4, 11))
    stranger = factories.UserFactory(email="nohome@example.org")

    with timezone.override("Asia/Ho_Chi_Minh"), pytest.raises(ValidationError) as error:
        services.session_gate(
            room=program_room, role=PARTICIPANT, now=utc(2030, 11, 4, 9), sender=stranger
        )

    assert error.value.messages == [
        "The chat is open during live sessions only. The next one starts "
        "2030-11-04 17:00 (UTC+07:00)."
    ]
