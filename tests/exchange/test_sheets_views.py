"""Trip sheet pages: who opens them, the window refusal, the audit of every print and
download, the batch flow through the views, and query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from exchange.models import AuditEntry, EmergencyInfo, TripSheetBatch
from exchange.services import sheets as services
from tests.exchange.visit_helpers import build_visit
from tests.helpers import login_redirect, message_texts, sign_in, table

pytestmark = pytest.mark.django_db

# Session, user, the base template's cities, the coordinator's cities, the second factor; the
# program and its cities; the legs; their batches; each of the two legs' travellers.
QUERIES_TRIP_SHEETS = 11
# The batch list only (htmx): the same without the travellers.
QUERIES_BATCH_LIST = 9


def give_info(application) -> EmergencyInfo:
    return EmergencyInfo.objects.create(
        application=application,
        contact_1_name="Mother",
        contact_1_relation="mother",
        contact_1_phone="+82 10 1111 2222",
        contact_2_name="Father",
        contact_2_relation="father",
        contact_2_phone="+82 10 3333 4444",
        insurer="Hanwha",
        policy_number="HW-1",
        insurance_phone="+82 2 1588 0000",
    )


@pytest.fixture
def visit(city_a, city_b):
    """Inside the window: the leg to A departs in 3 days."""
    visit = build_visit(city_a, city_b, pairs=2, starts_in_days=3)
    for application in visit.b:
        give_info(application)
    return visit


@pytest.fixture
def early(city_a, city_b):
    """Before the window: the leg to A departs in 30 days."""
    return build_visit(city_a, city_b, pairs=1, starts_in_days=30)


def page_url(program) -> str:
    return f"/coordinate/programs/{program.pk}/trip-sheets/"


def sheet_url(leg, application) -> str:
    return f"/coordinate/legs/{leg.pk}/trip-sheets/{application.pk}.pdf"


def actions(program) -> list[tuple[str, int | None, int | None]]:
    return sorted(
        AuditEntry.objects.filter(
            program=program,
            action__in=[AuditEntry.Action.TRIP_SHEETS, AuditEntry.Action.EMERGENCY_VIEW],
        ).values_list("action", "city_id", "application_id"),
        key=lambda row: (row[0], row[1] or 0, row[2] or 0),
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 200, "oscar": 403}),
)
def test_trip_sheets_page_by_persona(request, client, visit, persona, status):
    sign_in(request, client, persona)

    response = client.get(page_url(visit.program))

    assert response.status_code == status
    if persona == "anonymous":
        assert response["Location"] == login_redirect(page_url(visit.program))


def test_trip_sheets_page_lists_each_legs_travellers(client, carol, visit):
    client.force_login(carol)

    response = client.get(page_url(visit.program))

    legs = response.context["legs"]
    assert [[a.pk for a in block["travellers"]] for block in legs] == [
        [a.pk for a in visit.b],
        [a.pk for a in visit.a],
    ]
    assert [[a.has_emergency_info for a in block["travellers"]] for block in legs] == [
        [True, True],
        [False, False],
    ]
    assert [block["refusal"] for block in legs] == ["", ""]


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 200, "oscar": 403}),
)
def test_trip_sheet_download_by_persona(request, client, visit, persona, status):
    sign_in(request, client, persona)

    response = client.get(sheet_url(visit.leg_to_a, visit.b[0]))

    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response.content[:5] == b"%PDF-"


def test_trip_sheet_download_audits_the_print_and_the_emergency_view(
    client, carol, visit, city_a, city_b
):
    client.force_login(carol)

    client.get(sheet_url(visit.leg_to_a, visit.b[0]))

    traveller = visit.b[0].pk
    assert actions(visit.program) == [
        (AuditEntry.Action.EMERGENCY_VIEW, city_a.pk, traveller),
        (AuditEntry.Action.EMERGENCY_VIEW, city_b.pk, traveller),
        (AuditEntry.Action.TRIP_SHEETS, city_a.pk, None),
        (AuditEntry.Action.TRIP_SHEETS, city_b.pk, None),
    ]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.TRIP_SHEETS).first().detail == (
        f"Single sheet, leg to {city_a.name_en}, 1 travellers"
    )


def test_trip_sheet_download_refused_before_the_window_with_its_opening_date(client, carol, early):
    client.force_login(carol)
    opens = early.leg_to_a.departs_on - timedelta(days=14)

    response = client.get(sheet_url(early.leg_to_a, early.b[0]), follow=True)

    assert response.redirect_chain == [(page_url(early.program) + "#trip-sheet-batches", 302)]
    assert message_texts(response) == [
        "Trip sheets hold the travellers’ emergency information, which opens on "
        f"{opens:%b}. {opens.day}, {opens.year}, 14 days before departure."
    ]
    assert actions(early.program) == []


def test_trip_sheet_download_refused_after_the_leg_returned(client, carol, visit):
    leg = visit.leg_to_a
    leg.departs_on = timezone.localdate() - timedelta(days=6)
    leg.returns_on = timezone.localdate() - timedelta(days=1)
    leg.save(update_fields=["departs_on", "returns_on"])
    client.force_login(carol)

    response = client.get(sheet_url(leg, visit.b[0]), follow=True)

    assert message_texts(response) == [
        f"This leg returned on {leg.returns_on:%b}. {leg.returns_on.day}, "
        f"{leg.returns_on.year}: its travellers’ emergency information is closed."
    ]
    assert actions(visit.program) == []


def test_trip_sheet_download_of_a_host_is_not_found(client, carol, visit):
    client.force_login(carol)

    response = client.get(sheet_url(visit.leg_to_a, visit.a[0]))

    assert response.status_code == 404


def test_trip_sheets_page_says_when_the_window_opens(client, carol, early):
    client.force_login(carol)

    response = client.get(page_url(early.program))

    opens = early.leg_to_a.departs_on - timedelta(days=14)
    assert response.context["legs"][0]["refusal"].endswith(
        f"opens on {opens:%b}. {opens.day}, {opens.year}, 14 days before departure."
    )
    assert sheet_url(early.leg_to_a, early.b[0]) not in response.content.decode()


def test_trip_sheet_batch_through_the_views(
    client, carol, bob, visit, city_a, city_b, django_capture_on_commit_callbacks
):
    client.force_login(carol)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/coordinate/legs/{visit.leg_to_a.pk}/trip-sheets/batch/")
    batch = TripSheetBatch.objects.select_related("requested_by").get()
    client.force_login(bob)
    download = client.get(f"/coordinate/trip-sheet-batches/{batch.pk}/download/")
    body = b"".join(download.streaming_content)

    assert response.status_code == 302
    assert (batch.state, batch.pages, batch.requested_by) == ("ready", 2, carol)
    assert (download.status_code, body[:5]) == (200, b"%PDF-")
    assert download["Content-Disposition"] == (
        f'attachment; filename="trip-sheets-{visit.program.pk}-gwangju-gyeonggi-{batch.pk}.pdf"'
    )
    sheets = AuditEntry.objects.filter(action=AuditEntry.Action.TRIP_SHEETS).order_by("id")
    assert [(e.actor, e.city_id, e.detail) for e in sheets] == [
        (carol, city_a.pk, f"Batch #{batch.pk} asked for, leg to {city_a.name_en}, 2 travellers"),
        (carol, city_b.pk, f"Batch #{batch.pk} asked for, leg to {city_a.name_en}, 2 travellers"),
        (bob, city_a.pk, f"Batch #{batch.pk} downloaded, leg to {city_a.name_en}, 2 travellers"),
        (bob, city_b.pk, f"Batch #{batch.pk} downloaded, leg to {city_a.name_en}, 2 travellers"),
    ]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EMERGENCY_VIEW).count() == 8


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 200, "oscar": 403}),
)
def test_trip_sheet_batch_download_by_persona(request, client, carol, visit, persona, status):
    batch = services.trip_sheet_batch_request(leg=visit.leg_to_a, by=carol)
    services.trip_sheet_batch_render(batch=batch)
    sign_in(request, client, persona)

    response = client.get(f"/coordinate/trip-sheet-batches/{batch.pk}/download/")
    if status == 200:
        assert b"".join(response.streaming_content)[:5] == b"%PDF-"

    assert response.status_code == status


def test_trip_sheet_batch_download_refused_once_the_leg_returned(client, carol, visit):
    batch = services.trip_sheet_batch_request(leg=visit.leg_to_a, by=carol)
    services.trip_sheet_batch_render(batch=batch)
    leg = visit.leg_to_a
    leg.departs_on = timezone.localdate() - timedelta(days=6)
    leg.returns_on = timezone.localdate() - timedelta(days=1)
    leg.save(update_fields=["departs_on", "returns_on"])
    client.force_login(carol)

    response = client.get(f"/coordinate/trip-sheet-batches/{batch.pk}/download/")

    assert (response.status_code, response["Location"]) == (
        302,
        page_url(visit.program) + "#trip-sheet-batches",
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 302, "bob": 302, "oscar": 403}),
)
def test_trip_sheet_batch_delete_by_persona(request, client, carol, visit, persona, status):
    batch = services.trip_sheet_batch_request(leg=visit.leg_to_a, by=carol)
    sign_in(request, client, persona)

    response = client.post(f"/coordinate/trip-sheet-batches/{batch.pk}/delete/")

    assert response.status_code == status
    assert TripSheetBatch.objects.filter(pk=batch.pk).exists() == (persona not in ("carol", "bob"))


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 302, "bob": 302, "oscar": 403}),
)
def test_trip_sheet_batch_request_by_persona(request, client, visit, persona, status):
    sign_in(request, client, persona)

    response = client.post(f"/coordinate/legs/{visit.leg_to_a.pk}/trip-sheets/batch/")

    assert response.status_code == status
    assert TripSheetBatch.objects.count() == (1 if persona in ("carol", "bob") else 0)


def test_trip_sheet_batch_request_refused_before_the_window(client, carol, early):
    client.force_login(carol)

    response = client.post(f"/coordinate/legs/{early.leg_to_a.pk}/trip-sheets/batch/", follow=True)

    assert TripSheetBatch.objects.count() == 0
    assert message_texts(response)[0].startswith(
        "Trip sheets hold the travellers’ emergency information, which opens on"
    )


def test_trip_sheets_htmx_poll_gets_the_batch_list_only(client, carol, visit):
    services.trip_sheet_batch_request(leg=visit.leg_to_a, by=carol)
    client.force_login(carol)

    response = client.get(
        page_url(visit.program), headers={"HX-Request": "true", "HX-Target": "trip-sheet-batches"}
    )

    html = response.content.decode()
    assert html.strip().startswith('<section id="trip-sheet-batches"')
    assert 'hx-trigger="every 2s"' in html


@pytest.mark.parametrize("pairs", [1, 3])
def test_trip_sheets_page_queries_do_not_grow(
    client, carol, city_a, city_b, pairs, django_assert_num_queries
):
    visit = build_visit(city_a, city_b, pairs=pairs, starts_in_days=3)
    for _ in range(pairs):
        services.trip_sheet_batch_request(leg=visit.leg_to_a, by=carol)
    client.force_login(carol)
    client.get(page_url(visit.program))  # warms the session

    with django_assert_num_queries(QUERIES_TRIP_SHEETS):
        page = client.get(page_url(visit.program))
    with django_assert_num_queries(QUERIES_BATCH_LIST):
        client.get(
            page_url(visit.program),
            headers={"HX-Request": "true", "HX-Target": "trip-sheet-batches"},
        )

    assert len(page.context["legs"][0]["batches"]) == pairs
