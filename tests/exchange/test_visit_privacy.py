"""A traveller's data rights cover the trip: the download holds their family home, emergency
information and trip consents; erasure deletes the home and the emergency information and
leaves of a signed consent only that it was given."""

import pytest
from django.db import connection

from exchange.models import EmergencyInfo, Household, HouseholdMember, TripConsent
from exchange.selectors.privacy import student_data
from privacy.services import person_erase
from tests import factories
from tests.exchange.visit_helpers import build_visit

pytestmark = pytest.mark.django_db


def _emergency(application) -> EmergencyInfo:
    return EmergencyInfo.objects.create(
        application=application,
        contact_1_name="王建国",
        contact_1_relation="Father",
        contact_1_phone="+86 138 0000 0000",
        contact_2_name="李秀英",
        contact_2_relation="Mother",
        contact_2_phone="+86 139 0000 0000",
        allergies="Peanuts",
        insurer="PICC",
        policy_number="PICC-42",
        insurance_phone="+86 95518",
    )


def test_download_holds_the_family_home_emergency_information_and_trip_consent(city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1)
    traveller = visit.b[0]
    _emergency(traveller)
    TripConsent.objects.create(
        application=traveller,
        household=visit.households[visit.a[0].pk],
        guardian_email="parent@example.org",
        guardian_name="王建国",
    )

    data, _files = student_data(student=traveller.student)

    household = visit.households[traveller.pk]
    assert data["household"]["address"] == household.address
    assert data["household"]["status"] == "approved"
    assert [m["relation"] for m in data["household"]["members"]] == ["parent", "host-student"]
    assert data["emergency_information"][0]["allergies"] == "Peanuts"
    assert data["emergency_information"][0]["contact_1_name"] == "王建国"
    assert [(c["guardian_name"], c["status"]) for c in data["trip_consents"]] == [
        ("王建国", "requested")
    ]
    # The host family's screening (and the adults' checks) stay with the city.
    assert "screenings" not in data["household"]
    assert "background_check" not in data["household"]["members"][0]


def test_download_holds_nothing_of_another_student(city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1)
    _emergency(visit.a[0])

    data, _files = student_data(student=visit.b[0].student)

    assert data["emergency_information"] == []
    assert data["household"]["address"] == visit.households[visit.b[0].pk].address


def test_erasure_deletes_the_home_and_emergency_information_and_anonymises_the_consent(
    city_a, city_b
):
    visit = build_visit(city_a, city_b, pairs=1)
    traveller = visit.b[0]
    _emergency(traveller)
    consent = TripConsent.objects.create(
        application=traveller,
        guardian_email="parent@example.org",
        guardian_name="王建国",
        signed_at=traveller.created_at,
        shown={"household": {"family_name": "Kim"}},
    )
    staff = factories.StaffFactory()
    members = list(visit.households[traveller.pk].members.values_list("pk", flat=True))

    person_erase(student=traveller.student, by=staff)

    assert Household.objects.filter(student=traveller.student).exists() is False
    assert len(members) == 2
    assert HouseholdMember.objects.filter(pk__in=members).exists() is False
    assert EmergencyInfo.objects.filter(application=traveller).exists() is False
    consent.refresh_from_db()
    assert (consent.guardian_name, consent.shown, consent.signed_at is not None) == ("—", {}, True)
    assert consent.guardian_email == f"erased-{traveller.student.pk}@erased.invalid"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM exchange_emergencyinfo")
        assert cursor.fetchone()[0] == 0
