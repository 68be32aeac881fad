"""The Trip pages (issue 15): who may open each one, and what they show and change."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils.formats import date_format

from exchange.models import AuditEntry, EmergencyInfo, ItineraryItem, VisitLeg
from tests.exchange.visit_helpers import build_visit, on_day
from tests.helpers import PERSONAS, message_texts, sign_in, table

pytestmark = pytest.mark.django_db


def _item(leg, day=0, **extra):
    return ItineraryItem.objects.create(
        leg=leg,
        day=leg.departs_on.replace() if day == 0 else on_day(None, leg, day),
        starts_at="14:00",
        ends_at="16:00",
        place="Zibo Ceramics Museum",
        activity="Pottery workshop",
        responsible_adult="Ms Wang",
        **extra,
    )


def _info(application):
    return EmergencyInfo.objects.create(
        application=application,
        contact_1_name="김영희",
        contact_1_relation="Mother",
        contact_1_phone="+82 10 1234 5678",
        contact_2_name="김철수",
        contact_2_relation="Father",
        contact_2_phone="+82 10 8765 4321",
        allergies="Peanuts",
        insurer="Samsung Fire",
        policy_number="P-123",
        insurance_phone="+82 1588 5114",
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 200, "oscar": 403}),
)
def test_trip_page_opens_for_the_visit_coordinators_only(
    request, client, city_a, city_b, persona, status
):
    visit = build_visit(city_a, city_b, pairs=1)
    _item(visit.leg_to_b)
    sign_in(request, client, persona)
    response = client.get(f"/coordinate/programs/{visit.program.pk}/trip/")
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Pottery workshop" in page
        assert "Waiting for the guardian’s trip consent" in page


@pytest.mark.parametrize("pairs", [1, 3])
def test_trip_page_queries_do_not_grow_with_participants(
    client, city_a, city_b, carol, django_assert_num_queries, pairs
):
    visit = build_visit(city_a, city_b, pairs=pairs)
    _item(visit.leg_to_a)
    client.force_login(carol)
    client.get(f"/coordinate/programs/{visit.program.pk}/trip/")
    # Session, user, second factor, program, rules, legs, items, participants, placements,
    # households, consents, emergency flags: the same at 1 and 3 pairs.
    with django_assert_num_queries(17):
        response = client.get(f"/coordinate/programs/{visit.program.pk}/trip/")
    assert response.status_code == 200


def test_trip_page_of_an_online_program_is_forbidden(client, carol, city_a, city_b):
    from tests import factories

    program = factories.ProgramFactory(cities={city_a: 2, city_b: 2}, kind="online")
    client.force_login(carol)
    assert client.get(f"/coordinate/programs/{program.pk}/trip/").status_code == 403


def test_leg_edit_saves_dates_and_audits_both_cities(client, city_a, city_b, carol):
    visit = build_visit(city_a, city_b, pairs=1)
    leg = visit.leg_to_b
    second_day = on_day(visit, leg, 1)
    client.force_login(carol)
    response = client.post(
        f"/coordinate/programs/{visit.program.pk}/trip/legs/{city_b.pk}/",
        {
            "departs_on": second_day.isoformat(),
            "returns_on": leg.returns_on.isoformat(),
            "emergency_plan": "Call Ms Wang, then 120.",
        },
    )
    assert response.status_code == 302
    leg.refresh_from_db()
    assert leg.departs_on == second_day
    assert leg.emergency_plan == "Call Ms Wang, then 120."
    assert sorted(
        AuditEntry.objects.filter(action="itinerary-change").values_list("city_id", flat=True)
    ) == sorted([city_a.pk, city_b.pk])


def test_leg_edit_outside_the_program_dates_shows_the_error_and_changes_nothing(
    client, city_a, city_b, bob
):
    visit = build_visit(city_a, city_b, pairs=1)
    leg = visit.leg_to_b
    client.force_login(bob)
    response = client.post(
        f"/coordinate/programs/{visit.program.pk}/trip/legs/{city_b.pk}/",
        {
            "departs_on": leg.departs_on.isoformat(),
            "returns_on": (visit.program.ends_on.replace(day=1).replace(year=2100)).isoformat(),
            "emergency_plan": "changed",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["returns_on"] == [
        f"The leg returns within the program’s dates, {visit.program.starts_on.isoformat()} "
        f"to {visit.program.ends_on.isoformat()}."
    ]
    leg.refresh_from_db()
    assert leg.emergency_plan == "Call the group leader first, then 120."
    assert AuditEntry.objects.filter(action="itinerary-change").count() == 0


def test_leg_edit_creates_a_missing_leg(client, city_a, city_b, carol):
    visit = build_visit(city_a, city_b, pairs=1)
    start = visit.leg_to_a.departs_on
    visit.leg_to_a.delete()
    client.force_login(carol)
    response = client.post(
        f"/coordinate/programs/{visit.program.pk}/trip/legs/{city_a.pk}/",
        {"departs_on": start.isoformat(), "returns_on": start.isoformat(), "emergency_plan": ""},
    )
    assert response.status_code == 302
    assert VisitLeg.objects.filter(program=visit.program, host_city=city_a).count() == 1


def test_leg_edit_by_an_outsider_is_forbidden(client, city_a, city_b, oscar):
    visit = build_visit(city_a, city_b, pairs=1)
    client.force_login(oscar)
    url = f"/coordinate/programs/{visit.program.pk}/trip/legs/{city_b.pk}/"
    assert client.get(url).status_code == 403


def test_item_add_by_the_partner_coordinator_saves_and_audits(client, city_a, city_b, bob):
    visit = build_visit(city_a, city_b, pairs=1)
    leg = visit.leg_to_b
    client.force_login(bob)
    response = client.post(
        f"/coordinate/programs/{visit.program.pk}/trip/legs/{leg.pk}/items/new/",
        {
            "day": on_day(visit, leg, 2).isoformat(),
            "starts_at": "09:30",
            "ends_at": "12:00",
            "kind": "group",
            "place": "Zhoucun Old Town",
            "activity": "Old town walk",
            "responsible_adult": "Mr Li",
            "meeting_point": "Hotel lobby",
            "transport": "Bus",
        },
    )
    assert response.status_code == 302
    item = ItineraryItem.objects.get()
    assert (item.day, item.activity, item.transport) == (
        on_day(visit, leg, 2),
        "Old town walk",
        "Bus",
    )
    rows = AuditEntry.objects.filter(action="itinerary-change")
    assert sorted(rows.values_list("city_id", flat=True)) == sorted([city_a.pk, city_b.pk])
    assert rows.first().detail == f"added {on_day(visit, leg, 2).isoformat()} Old town walk"


def test_item_add_ending_before_it_starts_shows_the_error_and_saves_nothing(
    client, city_a, city_b, carol
):
    visit = build_visit(city_a, city_b, pairs=1)
    leg = visit.leg_to_b
    client.force_login(carol)
    response = client.post(
        f"/coordinate/programs/{visit.program.pk}/trip/legs/{leg.pk}/items/new/",
        {
            "day": leg.departs_on.isoformat(),
            "starts_at": "15:00",
            "ends_at": "14:00",
            "kind": "group",
            "place": "Museum",
            "activity": "Visit",
            "responsible_adult": "Mr Li",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ends_at"] == ["It must end after it starts."]
    assert ItineraryItem.objects.count() == 0
    assert AuditEntry.objects.filter(action="itinerary-change").count() == 0


def test_item_add_on_a_day_outside_the_leg_is_refused(client, city_a, city_b, carol):
    visit = build_visit(city_a, city_b, pairs=1)
    leg = visit.leg_to_b
    client.force_login(carol)
    response = client.post(
        f"/coordinate/programs/{visit.program.pk}/trip/legs/{leg.pk}/items/new/",
        {
            "day": visit.leg_to_a.departs_on.isoformat(),
            "starts_at": "15:00",
            "kind": "group",
            "place": "Museum",
            "activity": "Visit",
            "responsible_adult": "Mr Li",
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["day"]
    assert ItineraryItem.objects.count() == 0


def test_item_edit_and_delete_are_audited(client, city_a, city_b, carol):
    visit = build_visit(city_a, city_b, pairs=1)
    item = _item(visit.leg_to_b)
    client.force_login(carol)
    base = f"/coordinate/programs/{visit.program.pk}/trip/items/{item.pk}/"
    response = client.post(
        base,
        {
            "day": item.day.isoformat(),
            "starts_at": "13:00",
            "ends_at": "",
            "kind": "free",
            "place": "Park",
            "activity": "Free afternoon",
            "responsible_adult": "Ms Wang",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.activity, item.ends_at, item.kind) == ("Free afternoon", None, "free")
    assert client.post(base + "delete/").status_code == 302
    assert ItineraryItem.objects.count() == 0
    assert list(
        AuditEntry.objects.filter(action="itinerary-change", city=city_a)
        .order_by("id")
        .values_list("detail", flat=True)
    ) == [
        f"changed {item.day.isoformat()} Free afternoon",
        f"deleted {item.day.isoformat()} Free afternoon",
    ]


def test_item_of_another_program_is_not_found(client, city_a, city_b, carol):
    visit = build_visit(city_a, city_b, pairs=1)
    other = build_visit(city_a, city_b, pairs=1)
    item = _item(other.leg_to_b)
    client.force_login(carol)
    response = client.get(f"/coordinate/programs/{visit.program.pk}/trip/items/{item.pk}/")
    assert response.status_code == 404


# --- The coordinators' door to emergency information ------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 404, "mina": 404, "carol": 200, "bob": 200, "oscar": 404}),
)
def test_emergency_view_opens_for_the_visit_coordinators_only(
    request, client, city_a, city_b, persona, status
):
    visit = build_visit(city_a, city_b, pairs=1, starts_in_days=2)
    _info(visit.a[0])
    sign_in(request, client, persona)
    response = client.get(f"/coordinate/applications/{visit.a[0].pk}/emergency/")
    assert response.status_code == status
    views = AuditEntry.objects.filter(action="emergency-view").count()
    if status == 200:
        assert "Peanuts" in response.content.decode()
        assert views == 2
    else:
        assert views == 0


def test_emergency_view_before_the_window_shows_the_date_and_never_the_content(
    client, city_a, city_b, carol
):
    visit = build_visit(city_a, city_b, pairs=1, starts_in_days=10)
    _info(visit.a[0])
    client.force_login(carol)
    response = client.get(f"/coordinate/applications/{visit.a[0].pk}/emergency/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Peanuts" not in page and "김영희" not in page
    assert "The traveller has given their emergency information." in page
    opens = visit.leg_to_b.departs_on - timedelta(days=14)
    assert f"Emergency information opens on {date_format(opens, 'DATE_FORMAT')}" in page
    assert AuditEntry.objects.filter(action="emergency-view").count() == 0


def test_trip_page_never_shows_emergency_content(client, city_a, city_b, carol):
    visit = build_visit(city_a, city_b, pairs=1, starts_in_days=2)
    _info(visit.a[0])
    client.force_login(carol)
    page = client.get(f"/coordinate/programs/{visit.program.pk}/trip/").content.decode()
    assert "Peanuts" not in page
    assert AuditEntry.objects.filter(action="emergency-view").count() == 0


# --- The traveller ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_my_trip_of_someone_else_is_not_found(request, client, city_a, city_b, persona):
    visit = build_visit(city_a, city_b, pairs=1)
    sign_in(request, client, persona)
    response = client.get(f"/me/applications/{visit.a[0].pk}/trip/")
    assert response.status_code == (302 if persona == "anonymous" else 404)


def test_my_trip_shows_both_legs_with_the_reader_clock(client, city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1)
    _item(visit.leg_to_b)
    _item(visit.leg_to_a)
    traveller = visit.a[0]
    client.force_login(traveller.student)
    response = client.get(f"/me/applications/{traveller.pk}/trip/")
    page = response.content.decode()
    assert response.status_code == 200
    # The leg to Zibo (UTC+8) read from Gwangju (UTC+9); the leg at home has one clock.
    assert "14:00 in Zibo (15:00 in Gwangju (Gyeonggi))" in page
    assert "You host in" in page
    assert "Call the group leader first, then 120." in page
    assert "Your trip is confirmed once your guardian signs the trip consent." in page


def test_my_emergency_saves_the_travellers_information(client, city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1)
    traveller = visit.a[0]
    client.force_login(traveller.student)
    data = {
        "contact_1_name": "김영희",
        "contact_1_relation": "Mother",
        "contact_1_phone": "+82 10 1234 5678",
        "contact_2_name": "김철수",
        "contact_2_relation": "Father",
        "contact_2_phone": "+82 10 8765 4321",
        "medical_conditions": "",
        "allergies": "Peanuts",
        "medications": "",
        "dietary_needs": "",
        "insurer": "Samsung Fire",
        "policy_number": "P-123",
        "insurance_phone": "+82 1588 5114",
    }
    assert client.post(f"/me/applications/{traveller.pk}/emergency/", data).status_code == 302
    assert EmergencyInfo.objects.get(application=traveller).allergies == "Peanuts"
    page = client.get(f"/me/applications/{traveller.pk}/emergency/").content.decode()
    assert "Peanuts" in page


def test_my_emergency_without_an_insurer_shows_the_error_and_saves_nothing(client, city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1)
    traveller = visit.a[0]
    client.force_login(traveller.student)
    response = client.post(
        f"/me/applications/{traveller.pk}/emergency/",
        {"contact_1_name": "김영희", "insurer": ""},
    )
    assert response.status_code == 200
    assert "insurer" in response.context["form"].errors
    assert EmergencyInfo.objects.count() == 0


def test_my_application_shows_the_trip_card(client, city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1)
    traveller = visit.a[0]
    client.force_login(traveller.student)
    page = client.get(f"/me/applications/{traveller.pk}/").content.decode()
    assert "Your trip is confirmed once your guardian signs the trip consent." in page
    assert f"/me/applications/{traveller.pk}/trip/" in page


def test_my_trip_resend_without_a_request_says_so(client, city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1)
    traveller = visit.a[0]
    client.force_login(traveller.student)
    response = client.post(f"/me/applications/{traveller.pk}/trip/resend/")
    assert message_texts(response) == [
        "No trip consent is asked yet: it is asked once the matching is published."
    ]
    assert mail.outbox == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_my_emergency_of_someone_else_is_not_found(request, client, city_a, city_b, persona):
    visit = build_visit(city_a, city_b, pairs=1)
    _info(visit.a[0])
    sign_in(request, client, persona)
    response = client.get(f"/me/applications/{visit.a[0].pk}/emergency/")
    assert response.status_code == (302 if persona == "anonymous" else 404)
    assert "Peanuts" not in response.content.decode()


def test_leg_save_of_a_three_city_visit_is_refused(city_a, city_b, city_d, carol):
    from django.core.exceptions import ValidationError

    from exchange.models import ProgramCity
    from exchange.services.trips import leg_save

    visit = build_visit(city_a, city_b, pairs=1)
    ProgramCity.objects.create(program=visit.program, city=city_d, quota=2)
    with pytest.raises(ValidationError) as error:
        leg_save(
            program=visit.program,
            host_city_id=city_a.pk,
            departs_on=visit.leg_to_a.departs_on,
            returns_on=visit.leg_to_a.returns_on,
            emergency_plan="",
            by=carol,
        )
    assert error.value.code == "not_two_city_visit"


def test_leg_edit_shortening_past_an_entry_is_refused(client, city_a, city_b, carol):
    visit = build_visit(city_a, city_b, pairs=1)
    leg = visit.leg_to_b
    _item(leg, day=4)
    client.force_login(carol)
    response = client.post(
        f"/coordinate/programs/{visit.program.pk}/trip/legs/{city_b.pk}/",
        {
            "departs_on": leg.departs_on.isoformat(),
            "returns_on": on_day(visit, leg, 2).isoformat(),
            "emergency_plan": "",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"“Pottery workshop” on {on_day(visit, leg, 4).isoformat()} would fall outside the leg: "
        "move or delete it first."
    ]
    leg.refresh_from_db()
    assert leg.returns_on == on_day(visit, visit.leg_to_b, 5)


def test_emergency_view_after_the_return_says_it_closed(client, city_a, city_b, bob):
    # Back two days ago: the day after the return is past in Seoul and in Zibo alike (the
    # day is the reader's city's: bob reads in Zibo's time zone).
    visit = build_visit(city_a, city_b, pairs=1, starts_in_days=-15)
    _info(visit.a[0])
    client.force_login(bob)
    page = client.get(f"/coordinate/applications/{visit.a[0].pk}/emergency/").content.decode()
    closes = date_format(visit.leg_to_b.returns_on, "DATE_FORMAT")
    assert f"Emergency information closed on {closes}, when the traveller returned." in page
    assert "Peanuts" not in page
    assert AuditEntry.objects.filter(action="emergency-view").count() == 0
