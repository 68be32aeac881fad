"""Masking by audience: contact details are masked whenever someone who can read the room is a
minor, whoever sends them, except in coordinators' own messages; every masked message files an
automatic report that shows coordinators, and only them, what was written."""

import json
import uuid
from datetime import date, timedelta

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import GuardianConsent, age_on, latest_birth_date
from exchange.asgi import application
from exchange.models import Application, AuditEntry
from exchange.services import applications as services_app
from messaging import services
from messaging.models import Message, Report, Room
from messaging.rules import room_has_minor_reader
from tests import factories
from tests.messaging.conftest import confirmed
from tests.messaging.sockets import next_frame, run_chat

BODY = "내 번호는 010-1234-5678, 카톡 아이디 minji0312"
MASKED = "내 번호는 •••, 카톡 아이디 •••"
ORIGINALS = ("010-1234-5678", "minji0312")


def set_age(user, age: int | None) -> None:
    user.date_of_birth = None if age is None else factories.birth_date_for(age)
    user.save(update_fields=["date_of_birth"])


def post(room: Room, sender, body: str = BODY) -> services.Posted:
    return services.message_post(room=room, sender=sender, body=body, client_id=uuid.uuid4())


@pytest.fixture
def pair(published, alice):
    """alice is 18 and her buddy 13 (with a guardian's consent); carol (A) and bob (B)
    coordinate the program."""
    set_age(alice, 18)
    buddy = published["buddy"].student
    set_age(buddy, 13)
    GuardianConsent.objects.create(
        student=buddy,
        guardian_email="guardian.xiaoyu@example.org",
        guardian_name="Guardian",
        relationship="mother",
        consented_at=timezone.now(),
    )
    return {"room": published["pair"], "alice": alice, "buddy": buddy}


def moderation_page(client: Client, room: Room):
    return client.get(f"/coordinate/programs/{room.program_id}/moderation/")


# --- Who counts as a minor reader -------------------------------------------------------


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)))
def test_latest_birth_date_splits_the_adults_from_the_younger_as_age_on_counts(day):
    latest = latest_birth_date(18, day)

    assert age_on(latest, day) == 18
    assert age_on(latest + timedelta(days=1), day) == 17


def test_latest_birth_date_on_29_february_is_the_28th_of_a_common_year():
    assert latest_birth_date(18, date(2028, 2, 29)) == date(2010, 2, 28)


@pytest.mark.django_db
def test_room_has_minor_reader_turning_18_today_is_an_adult(published, alice):
    buddy = published["buddy"].student
    today = timezone.localdate()
    set_age(buddy, 30)
    alice.date_of_birth = latest_birth_date(18, today)
    alice.save(update_fields=["date_of_birth"])

    assert room_has_minor_reader(room=published["pair"], on=today) is False
    assert room_has_minor_reader(room=published["pair"], on=today - timedelta(days=1)) is True


@pytest.mark.django_db
def test_room_has_minor_reader_a_participant_without_a_birth_date_counts(published, alice):
    set_age(published["buddy"].student, 30)
    set_age(alice, None)

    assert room_has_minor_reader(room=published["pair"], on=timezone.localdate()) is True


@pytest.mark.django_db
def test_room_has_minor_reader_a_withdrawn_minor_reads_no_more(pair):
    Application.objects.filter(student=pair["buddy"]).update(state="withdrawn")

    assert room_has_minor_reader(room=pair["room"], on=timezone.localdate()) is False


@pytest.mark.django_db
def test_room_has_minor_reader_program_room_counts_everyone_taking_part(
    published, program_ab, city_a, alice
):
    set_age(alice, 18)
    set_age(published["buddy"].student, 18)
    confirmed(program_ab, city_a, "young@example.org", age=13)
    today = timezone.localdate()

    assert room_has_minor_reader(room=Room.objects.get(kind="program"), on=today) is True
    assert room_has_minor_reader(room=published["pair"], on=today) is False
    assert room_has_minor_reader(room=Room.objects.get(kind="coordinators"), on=today) is False


@pytest.mark.django_db
def test_room_has_minor_reader_a_coordinator_counts_only_by_a_birth_date(published, alice, carol):
    set_age(alice, 18)
    set_age(published["buddy"].student, 18)
    room, today = Room.objects.get(kind="coordinators"), timezone.localdate()

    set_age(carol, None)
    assert room_has_minor_reader(room=room, on=today) is False
    set_age(carol, 17)
    assert room_has_minor_reader(room=room, on=today) is True
    assert room_has_minor_reader(room=published["pair"], on=today) is True


# --- Posting ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_message_post_adult_sender_with_a_minor_reader_is_masked_reported_and_audited(
    pair, city_a, city_b
):
    posted = post(pair["room"], pair["alice"])

    message = Message.objects.get()
    assert (message.body, message.masked) == (MASKED, ["messenger", "phone"])
    assert posted.message == message
    report = Report.objects.get()
    assert (
        report.message,
        report.reporter,
        report.automatic,
        report.original_body,
        report.reason,
        report.resolved_at,
    ) == (message, None, True, BODY, "messenger, phone", None)
    entries = AuditEntry.objects.filter(action="contact-masked").order_by("city__name_en")
    assert [
        (e.action, e.actor, e.program_id, e.city, e.application, e.detail) for e in entries
    ] == [
        (
            "contact-masked",
            pair["alice"],
            pair["room"].program_id,
            city,
            Application.objects.get(student=pair["alice"]),
            f"room {pair['room'].pk}, message 1: messenger, phone",
        )
        for city in (city_a, city_b)
    ]


@pytest.mark.django_db
def test_message_post_minor_sender_is_masked_and_reported(published, alice):
    set_age(alice, 15)
    set_age(published["buddy"].student, 18)

    post(published["pair"], alice)

    assert list(Message.objects.values_list("body", "masked")) == [(MASKED, ["messenger", "phone"])]
    assert list(Report.objects.values_list("automatic", "original_body", "reporter")) == [
        (True, BODY, None)
    ]
    assert AuditEntry.objects.filter(action="contact-masked").count() == 2


@pytest.mark.django_db
def test_message_post_room_of_adults_is_not_masked_and_not_reported(published, alice):
    set_age(alice, 18)
    set_age(published["buddy"].student, 19)

    post(published["pair"], alice)

    assert list(Message.objects.values_list("body", "masked")) == [(BODY, [])]
    assert Report.objects.count() == 0
    assert AuditEntry.objects.filter(action="contact-masked").count() == 0


@pytest.mark.django_db
def test_message_post_coordinators_phone_number_with_minors_is_kept_and_not_reported(pair, carol):
    post(pair["room"], carol)
    post(Room.objects.get(kind="program"), carol)

    assert list(Message.objects.order_by("pk").values_list("body", "masked")) == [
        (BODY, []),
        (BODY, []),
    ]
    assert Report.objects.count() == 0
    assert AuditEntry.objects.filter(action="contact-masked").count() == 0


@pytest.mark.django_db
def test_message_post_resent_masked_message_files_one_report(pair):
    client_id = uuid.uuid4()
    for _attempt in range(2):
        services.message_post(
            room=pair["room"], sender=pair["alice"], body=BODY, client_id=client_id
        )

    assert Message.objects.count() == 1
    assert Report.objects.count() == 1
    assert AuditEntry.objects.filter(action="contact-masked").count() == 2


@pytest.mark.django_db
def test_message_post_queries_unmasked_as_before_masked_three_more(
    pair, carol, django_assert_num_queries
):
    room = Room.objects.select_related("program").get(pk=pair["room"].pk)
    post(room, pair["alice"], "warming the caches")
    post(room, carol, "warming the caches")

    # A savepoint, the numbering statement (membership, closed, muted, minor readers), the
    # insert, the release.
    with django_assert_num_queries(4):
        post(room, pair["alice"], "hello")
    with django_assert_num_queries(4):
        post(room, carol, BODY)
    # And the report, the sender's application, the program's cities, the audit entries.
    with django_assert_num_queries(8):
        post(room, pair["alice"], BODY)


@pytest.mark.django_db
def test_messages_purge_takes_the_original_text_with_the_message(pair):
    post(pair["room"], pair["alice"])
    program = pair["room"].program
    today = program.ends_on + timedelta(days=settings.CHAT_RETENTION_DAYS + 1)

    assert services.messages_purge(today=today) == 1
    assert Report.objects.count() == 0
    assert AuditEntry.objects.filter(action="contact-masked").count() == 2


# --- What each persona sees -------------------------------------------------------------


@pytest.mark.django_db
def test_moderation_page_shows_coordinators_the_automatic_report_with_the_original(
    pair, carol, bob
):
    post(pair["room"], pair["alice"])
    report = Report.objects.get()

    for coordinator in (carol, bob):
        client = Client()
        client.force_login(coordinator)
        response = moderation_page(client, pair["room"])
        html = response.content.decode()

        assert response.status_code == 200
        assert [r.pk for r in response.context["reports"]] == [report.pk]
        assert [str(kind) for kind in response.context["reports"][0].masked_kinds] == [
            "messenger id",
            "phone number",
        ]
        assert html.count('<span class="badge badge-automatic">Filed automatically</span>') == 1
        assert html.count(f'<blockquote class="original-body">{BODY}</blockquote>') == 1
        assert html.count(f'<p class="body">{MASKED}</p>') == 1
        assert "Reported by 0 members" not in html
        assert "Reported by a former member" not in html
        assert response.context["open_count"] == 1


@pytest.mark.django_db
def test_moderation_page_member_report_of_a_masked_message_counts_members_only(pair, carol):
    posted = post(pair["room"], pair["alice"])
    services.report_create(message=posted.message, reporter=pair["buddy"], reason="creepy")
    client = Client()
    client.force_login(carol)

    response = moderation_page(client, pair["room"])

    html = response.content.decode()
    # Both entries say one member reported the message; only the member's entry shows it.
    assert [(r.automatic, r.reporter_count) for r in response.context["reports"]] == [
        (False, 1),
        (True, 1),
    ]
    assert html.count("Reported by 1 member<") == 1
    assert html.count("Filed automatically<") == 1
    assert html.count("<q>creepy</q>") == 1


@pytest.mark.django_db
def test_students_never_see_the_original_on_any_page(pair, mina):
    posted = post(pair["room"], pair["alice"])
    room = pair["room"]

    # mina takes no part in the program: its rooms are 404 to her.
    member, outsider = [200, 200, 200, 200, 200, 403], [200, 200, 404, 404, 404, 403]
    for student, statuses in ((pair["alice"], member), (pair["buddy"], member), (mina, outsider)):
        client = Client()
        client.force_login(student)
        pages = [
            client.get("/chat/"),
            client.get("/api/chat/rooms/"),
            client.get(f"/chat/{room.pk}/"),
            client.get(f"/api/chat/rooms/{room.pk}/messages/"),
            client.get(f"/chat/{Room.objects.get(kind='program').pk}/"),
            moderation_page(client, room),
        ]
        assert [page.status_code for page in pages] == statuses
        for response in pages:
            for original in ORIGINALS:
                assert original not in response.content.decode()
    client = Client()
    client.force_login(pair["buddy"])
    history = client.get(f"/api/chat/rooms/{room.pk}/messages/").json()
    assert [(m["id"], m["body"]) for m in history["messages"]] == [(posted.message.seq, MASKED)]


def cookie_for(user) -> bytes:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


def socket(room: Room, cookie: bytes) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://testserver"), (b"cookie", cookie)]
    return WebsocketCommunicator(application, f"/ws/rooms/{room.pk}/", headers=headers)


@pytest.mark.django_db(transaction=True)
def test_socket_adult_senders_contact_details_reach_everyone_masked(pair, carol):
    room, client_id = pair["room"], str(uuid.uuid4())
    cookies = [cookie_for(user) for user in (pair["alice"], pair["buddy"], carol)]

    async def scenario():
        sender, reader, coordinator = sockets = [socket(room, cookie) for cookie in cookies]
        for communicator in sockets:
            assert (await communicator.connect())[0]
        await sender.send_to(
            text_data=json.dumps({"type": "message", "body": BODY, "client_id": client_id})
        )
        received = {
            "sender": [await next_frame(sender), await next_frame(sender)],
            "reader": [await next_frame(reader)],
            "coordinator": [await next_frame(coordinator)],
        }
        for communicator in sockets:
            await communicator.disconnect()
        return received

    received = run_chat(scenario())

    message = Message.objects.get()
    event = {
        "type": "message",
        "id": 1,
        "room": room.pk,
        "sender": {"id": pair["alice"].pk, "name": pair["alice"].display_name},
        "body": MASKED,
        "created": message.created_at.isoformat(),
        "client_id": client_id,
        "deleted": False,
        "masked": True,
    }
    notice = {
        "type": "notice",
        "code": "contact_masked",
        "detail": "Contact details were hidden: stay in touch here in the portal, where your "
        "coordinators look after the chat.",
        "client_id": client_id,
    }
    assert received == {"sender": [notice, event], "reader": [event], "coordinator": [event]}
    for original in ORIGINALS:
        assert original not in json.dumps(received, ensure_ascii=False)
    assert list(Report.objects.values_list("automatic", "original_body")) == [(True, BODY)]


# --- Masking follows the audience over time ----------------------------------------------


@pytest.mark.django_db
def test_a_minor_who_joins_later_never_reads_an_earlier_contact_unmasked(
    client, published, alice, program_ab, city_a
):
    """Found from outside: an 18-year-old's number, posted while only adults were in the
    program room, reached a 16-year-old confirmed afterwards, unmasked in the history."""
    set_age(alice, 18)
    set_age(published["buddy"].student, 19)
    program_room = Room.objects.get(program=program_ab, kind="program")
    early = post(program_room, alice).message
    assert early.body == BODY
    minji = factories.StudentFactory(email="minji@example.org", home_city=city_a, age=16)
    application = factories.ApplicationFactory(program=program_ab, student=minji, state="accepted")

    services_app.application_confirm(application=application, by=minji)

    early.refresh_from_db()
    assert (early.body, early.masked) == (MASKED, ["messenger", "phone"])
    report = Report.objects.get(message=early)
    assert (report.automatic, report.original_body) == (True, BODY)
    client.force_login(minji)
    history = client.get(f"/api/chat/rooms/{program_room.pk}/messages/").content.decode()
    assert all(original not in history for original in ORIGINALS)


# --- The attack strings over a real socket ------------------------------------------------

ATTACKS = [
    ("내 메일 minji\u200b@\u200bgmail.com 이야", "내 메일 ••• 이야"),
    ("전화 010 일이삼사 5678 줘", "전화 ••• 줘"),
    ("call zero one zero 1234 5678 tonight", "call ••• tonight"),
    ("카톡 minji 추가해", "카톡 ••• 추가해"),
    ("hxxps://bit[.]ly/abc 들어와", "••• 들어와"),
]


@pytest.mark.django_db(transaction=True)
def test_socket_sixteen_year_olds_attack_strings_arrive_masked(published, alice):
    """Found from outside: these passed the old masking. A 16-year-old sends them over the
    socket; the sender and the buddy get them masked, each flagged so the page shows why."""
    set_age(alice, 16)
    set_age(published["buddy"].student, 17)
    room = published["pair"]
    cookies = [cookie_for(alice), cookie_for(published["buddy"].student)]
    client_ids = [str(uuid.uuid4()) for _ in ATTACKS]

    async def scenario():
        sender, reader = [socket(room, cookie) for cookie in cookies]
        for communicator in (sender, reader):
            assert (await communicator.connect())[0]
        sent, read = [], []
        for (body, _masked), client_id in zip(ATTACKS, client_ids, strict=True):
            frame = {"type": "message", "body": body, "client_id": client_id}
            await sender.send_to(text_data=json.dumps(frame))
            sent += [await next_frame(sender), await next_frame(sender)]
            read.append(await next_frame(reader))
        for communicator in (sender, reader):
            await communicator.disconnect()
        return sent, read

    sent, read = run_chat(scenario())

    expected = [masked for _body, masked in ATTACKS]
    assert [(e["type"], e["body"], e["masked"]) for e in read] == [
        ("message", masked, True) for masked in expected
    ]
    assert [frame["type"] for frame in sent] == ["notice", "message"] * len(ATTACKS)
    assert [frame["code"] for frame in sent[0::2]] == ["contact_masked"] * len(ATTACKS)
    assert sent[1::2] == read
    assert list(Message.objects.order_by("seq").values_list("body", flat=True)) == expected
    assert list(
        Report.objects.order_by("message__seq").values_list("automatic", "original_body")
    ) == [(True, body) for body, _masked in ATTACKS]
