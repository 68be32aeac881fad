"""Messages to travellers, chosen on the locator: sent by email and shown in the portal, in
each recipient's language, with every delivery recorded."""

from datetime import time

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend

from exchange.models import AuditEntry, ItineraryItem, TripMessage, TripMessageDelivery
from exchange.services.care import trip_message_mark_read, trip_message_send
from tests import factories
from tests.exchange.visit_helpers import build_visit, on_day
from tests.helpers import sign_in, table

pytestmark = pytest.mark.django_db

# Session, user and home city; memberships; second factor; program and cities; the messages
# with their counts.
MESSAGES_QUERIES = 8
# The same, then the message and its deliveries with recipients.
DELIVERIES_QUERIES = 9


class BouncingBackend(EmailBackend):
    """The local mailbox, refusing any address at bounce.example (a server's refusal)."""

    def send_messages(self, messages):
        for message in messages:
            if any(address.endswith("@bounce.example") for address in message.to):
                raise OSError("550 mailbox unavailable")
        return super().send_messages(messages)


@pytest.fixture
def visit(city_a, city_b):
    return build_visit(city_a, city_b, pairs=2)


def send(visit, by, audience=None, **extra):
    return trip_message_send(
        program=visit.program,
        by=by,
        audience=audience or {"kind": "everyone"},
        subject=extra.pop("subject", "Bus leaves at 8"),
        body=extra.pop("body", "Meet at the school gate at 7:45."),
        **extra,
    )


def test_message_to_everyone_reaches_every_participant_and_is_audited(
    visit, carol, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(visit, carol)

    deliveries = list(message.deliveries.order_by("recipient_id"))
    students = sorted(a.student_id for a in [*visit.a, *visit.b])
    assert [d.recipient_id for d in deliveries] == students
    assert [d.email for d in deliveries] == ["sent"] * 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        a.student.email for a in [*visit.a, *visit.b]
    )
    assert sorted(
        AuditEntry.objects.filter(action="trip-message").values_list("city_id", "detail")
    ) == sorted(
        [
            (visit.a[0].city_id, "Everyone on the visit: 4 recipients, 0 guardians"),
            (visit.b[0].city_id, "Everyone on the visit: 4 recipients, 0 guardians"),
        ]
    )


def test_message_email_frame_is_in_the_recipients_language_and_text_as_written(
    visit, carol, django_capture_on_commit_callbacks
):
    student = visit.a[0].student
    student.preferred_language = "ko"
    student.save(update_fields=["preferred_language"])

    with django_capture_on_commit_callbacks(execute=True):
        send(visit, carol, audience={"kind": "group", "group": visit.groups[0].pk})

    email = next(m for m in mail.outbox if m.to == [student.email])
    assert email.body.startswith(f"{student.display_name} 님, 안녕하세요.")
    assert "Meet at the school gate at 7:45." in email.body
    other = next(m for m in mail.outbox if m.to == [visit.b[0].student.email])
    assert other.subject == "Your visit “Gwangju–Zibo Ceramics Visit”: Bus leaves at 8"


def test_message_to_a_group_reaches_only_its_members(visit, carol):
    message = send(visit, carol, audience={"kind": "group", "group": visit.groups[1].pk})

    assert sorted(message.deliveries.values_list("recipient_id", flat=True)) == sorted(
        [visit.a[1].student_id, visit.b[1].student_id]
    )
    assert message.audience == {"kind": "group", "group": visit.groups[1].pk, "label": "Group 2"}


def test_message_to_a_place_is_rebuilt_from_the_locator(visit, carol):
    leg = visit.leg_to_a
    day = on_day(visit, leg, 1)
    flight = ItineraryItem.objects.create(
        leg=leg,
        day=day,
        starts_at=time(8),
        ends_at=time(10),
        kind="travel",
        place="Airport",
        activity="Flight",
        responsible_adult="Ms Park",
        transport="Bus 1113",
    )

    message = send(
        visit,
        carol,
        audience={
            "kind": "place",
            "day": day.isoformat(),
            "moment": f"item-{flight.pk}",
            "place": f"travel-{flight.pk}",
        },
    )

    assert sorted(message.deliveries.values_list("recipient_id", flat=True)) == sorted(
        a.student_id for a in visit.b
    )


def test_message_to_a_group_of_another_program_is_refused(visit, carol, city_a, city_b):
    other = build_visit(city_a, city_b, pairs=1)

    with pytest.raises(ValidationError) as caught:
        send(visit, carol, audience={"kind": "group", "group": other.groups[0].pk})

    assert caught.value.messages == [
        "That group or place is not on this visit’s locator any more. Choose again."
    ]
    assert TripMessage.objects.count() == 0


def test_message_by_a_coordinator_outside_the_visit_is_refused(visit, oscar):
    with pytest.raises(ValidationError) as caught:
        send(visit, oscar)

    assert caught.value.code == "forbidden"
    assert TripMessage.objects.count() == 0


def test_message_to_guardians_records_and_sends_each_minors_copy(
    visit, carol, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(visit, carol, to_guardians=True)

    rows = sorted(
        message.deliveries.values_list("recipient__email", "guardian_email", "guardian_status")
    )
    assert rows == sorted(
        (a.student.email, f"guardian.{a.student.email}", "sent") for a in [*visit.a, *visit.b]
    )
    guardian = next(m for m in mail.outbox if m.to == [f"guardian.{visit.a[0].student.email}"])
    assert guardian.subject == "Guardian’s copy, “Gwangju–Zibo Ceramics Visit”: Bus leaves at 8"


def test_message_email_escapes_the_coordinators_text_in_html_and_keeps_it_plain_in_text(
    visit, carol, django_capture_on_commit_callbacks
):
    """The text part is unescaped on purpose (text/plain: nothing reads markup there); the
    HTML part is where a coordinator's or a student's markup would act, and it escapes."""
    student = visit.a[0].student
    student.latin_name = "Kim <b>Minji</b>"
    student.save(update_fields=["latin_name"])
    body = 'Bring <script>alert("x")</script> & "boots".'

    with django_capture_on_commit_callbacks(execute=True):
        send(visit, carol, subject="Rain <i>today</i>", body=body)

    email = next(m for m in mail.outbox if m.to == [student.email])
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert body in email.body
    assert "Kim <b>Minji</b>" in email.body
    assert "<script>" not in html and "<b>Minji" not in html
    assert (
        "Bring &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;boots&quot;." in html
    )
    assert "Kim &lt;b&gt;Minji&lt;/b&gt;" in html


def test_message_email_refused_by_the_server_is_recorded_failed(
    visit, carol, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.exchange.test_care_messages.BouncingBackend"
    student = visit.a[0].student
    student.email = "gone@bounce.example"
    student.save(update_fields=["email"])

    with django_capture_on_commit_callbacks(execute=True):
        message = send(visit, carol)

    statuses = dict(message.deliveries.values_list("recipient_id", "email"))
    assert statuses == {
        visit.a[0].student_id: "failed",
        visit.a[1].student_id: "sent",
        visit.b[0].student_id: "sent",
        visit.b[1].student_id: "sent",
    }


def test_message_compose_posted_names_are_ignored_audience_from_ids(client, visit, carol):
    client.force_login(carol)
    url = f"/coordinate/programs/{visit.program.pk}/locator/message/"

    response = client.post(
        url,
        {
            "kind": "group",
            "group": visit.groups[0].pk,
            "label": "Everyone",
            "recipient": [visit.b[1].student_id],
            "subject": "Hello",
            "body": "Dinner at 6.",
        },
    )

    message = TripMessage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == (
        f"/coordinate/programs/{visit.program.pk}/trip-messages/{message.pk}/"
    )
    assert message.audience["label"] == "Group 1"
    assert sorted(message.deliveries.values_list("recipient_id", flat=True)) == sorted(
        [visit.a[0].student_id, visit.b[0].student_id]
    )


def test_message_compose_without_subject_writes_nothing(client, visit, carol):
    client.force_login(carol)

    response = client.post(
        f"/coordinate/programs/{visit.program.pk}/locator/message/",
        {"kind": "everyone", "subject": " ", "body": "Dinner at 6."},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"subject": ["This field is required."]}
    assert TripMessage.objects.count() == 0


def test_message_compose_for_an_unknown_place_is_404(client, visit, carol):
    client.force_login(carol)

    response = client.get(
        f"/coordinate/programs/{visit.program.pk}/locator/message/"
        "?kind=place&day=2026-01-01&moment=item-999999&place=x"
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 200, "oscar": 403}),
)
@pytest.mark.parametrize("page", ["locator/message/?kind=everyone", "trip-messages/", "detail"])
def test_message_pages_open_for_the_visits_coordinators_only(
    request, client, visit, carol, persona, status, page
):
    message = send(visit, carol)
    if page == "detail":
        page = f"trip-messages/{message.pk}/"
    sign_in(request, client, persona)

    response = client.get(f"/coordinate/programs/{visit.program.pk}/{page}")

    assert response.status_code == status


def test_message_detail_of_another_program_is_404(client, visit, carol, city_a, city_b):
    other = build_visit(city_a, city_b, pairs=1)
    message = send(other, carol)
    client.force_login(carol)

    response = client.get(f"/coordinate/programs/{visit.program.pk}/trip-messages/{message.pk}/")

    assert response.status_code == 404


@pytest.mark.parametrize("n", [1, 3])
def test_message_list_queries_do_not_grow_with_messages(
    client, visit, carol, django_assert_num_queries, n
):
    for _ in range(n):
        send(visit, carol)
    client.force_login(carol)

    with django_assert_num_queries(MESSAGES_QUERIES):
        response = client.get(f"/coordinate/programs/{visit.program.pk}/trip-messages/")

    assert [m.recipients for m in response.context["trip_messages"]] == [4] * n


@pytest.mark.parametrize("pairs", [1, 3])
def test_message_deliveries_queries_do_not_grow_with_recipients(
    client, carol, city_a, city_b, django_assert_num_queries, pairs
):
    visit = build_visit(city_a, city_b, pairs=pairs)
    message = send(visit, carol)
    client.force_login(carol)

    with django_assert_num_queries(DELIVERIES_QUERIES):
        response = client.get(
            f"/coordinate/programs/{visit.program.pk}/trip-messages/{message.pk}/"
        )

    assert len(response.context["deliveries"]) == 2 * pairs


# --- The student's side ---------------------------------------------------------------


def test_student_messages_show_unread_first_and_marking_read_records_it(client, visit, carol):
    application = visit.a[0]
    first = send(visit, carol, subject="First")
    second = send(visit, carol, subject="Second")
    third = send(visit, carol, subject="Third")
    old = TripMessageDelivery.objects.get(message=third, recipient=application.student)
    trip_message_mark_read(delivery=old, by=application.student)
    client.force_login(application.student)

    response = client.get(f"/me/applications/{application.pk}/trip-messages/")

    assert [d.message.subject for d in response.context["deliveries"]] == [
        "Second",
        "First",
        "Third",
    ]
    delivery = TripMessageDelivery.objects.get(message=first, recipient=application.student)
    response = client.post(f"/me/applications/{application.pk}/trip-messages/{delivery.pk}/read/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.read_at is not None
    assert second.deliveries.get(recipient=application.student).read_at is None


def test_student_application_page_has_the_messages_card(client, visit):
    application = visit.a[0]
    client.force_login(application.student)

    response = client.get(f"/me/applications/{application.pk}/")

    assert f'hx-get="/me/applications/{application.pk}/trip-messages/"' in response.content.decode()


def test_student_cannot_mark_another_students_message_read(client, visit, carol):
    message = send(visit, carol)
    theirs = message.deliveries.get(recipient=visit.a[1].student)
    client.force_login(visit.a[0].student)

    response = client.post(f"/me/applications/{visit.a[0].pk}/trip-messages/{theirs.pk}/read/")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_service_refuses_someone_else(visit, carol):
    message = send(visit, carol)
    theirs = message.deliveries.get(recipient=visit.a[1].student)

    with pytest.raises(ValidationError) as caught:
        trip_message_mark_read(delivery=theirs, by=visit.a[0].student)

    assert caught.value.code == "forbidden"


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 404, "mina": 404, "carol": 404, "bob": 404, "oscar": 404}),
)
def test_student_messages_page_is_only_the_students_own(request, client, visit, persona, status):
    sign_in(request, client, persona)

    response = client.get(f"/me/applications/{visit.a[0].pk}/trip-messages/")

    assert response.status_code == status


def test_student_messages_page_for_a_participant_shows_their_own_only(client, visit, carol):
    send(visit, carol, audience={"kind": "group", "group": visit.groups[1].pk}, subject="Not 1")
    send(visit, carol, audience={"kind": "group", "group": visit.groups[0].pk}, subject="Yours")
    application = visit.a[0]
    client.force_login(application.student)

    response = client.get(
        f"/me/applications/{application.pk}/trip-messages/", headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert "Yours" in html
    assert "Not 1" not in html
    assert html.lstrip().startswith('<div id="trip-messages-list">')


def test_student_on_an_online_program_has_no_messages_page(client, alice, city_a, city_b):
    online = factories.ProgramFactory(cities={city_a: 3, city_b: 3}, kind="online")
    application = factories.ApplicationFactory(program=online, student=alice, state="confirmed")
    client.force_login(alice)

    response = client.get(f"/me/applications/{application.pk}/trip-messages/")

    assert response.status_code == 404
