"""Travel status (issue 15, part 2) and the coordinators' door to emergency information."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from exchange.models import AuditEntry, EmergencyInfo, TripConsent
from exchange.selectors.trips import travel_status, travel_statuses
from exchange.services.trips import emergency_info_open
from tests import factories
from tests.exchange.visit_helpers import build_visit

pytestmark = pytest.mark.django_db


def _consent(application, household, *, signed=False, withdrawn=False):
    return TripConsent.objects.create(
        application=application,
        household=household,
        guardian_email="parent@example.org",
        guardian_name="Parent" if signed else "",
        signed_at=timezone.now() if signed else None,
        withdrawn_at=timezone.now() if withdrawn else None,
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
        insurer="Samsung Fire",
        policy_number="P-123",
        insurance_phone="+82 1588 5114",
    )


def test_travel_status_of_an_adult_is_not_needed(city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1, age=18)
    assert travel_status(application=visit.a[0]) == "not-needed"


def test_travel_status_of_a_minor_without_consent_is_awaiting(city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1)
    assert travel_status(application=visit.a[0]) == "awaiting"


def test_travel_status_when_the_guardian_signed_for_the_current_household_is_signed(city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1)
    _consent(visit.a[0], visit.households[visit.b[0].pk], signed=True)
    assert travel_status(application=visit.a[0]) == "signed"


def test_travel_status_signed_for_another_household_is_awaiting(city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1)
    _consent(visit.a[0], visit.households[visit.a[0].pk], signed=True)
    assert travel_status(application=visit.a[0]) == "awaiting"


def test_travel_status_after_withdrawal_is_withdrawn(city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1)
    _consent(visit.a[0], visit.households[visit.b[0].pk], signed=True, withdrawn=True)
    assert travel_status(application=visit.a[0]) == "withdrawn"


def test_travel_status_before_the_matching_is_published_is_not_placed(city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1, publish=False)
    assert travel_status(application=visit.a[0]) == "not-placed"


def test_travel_status_of_a_student_turning_18_before_departure_is_not_needed(city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1, age=17)
    student = visit.a[0].student
    student.date_of_birth = visit.leg_to_b.departs_on.replace(
        year=visit.leg_to_b.departs_on.year - 18
    )
    student.save(update_fields=["date_of_birth"])
    assert travel_status(application=visit.a[0]) == "not-needed"
    assert travel_status(application=visit.b[0]) == "awaiting"


def test_travel_statuses_match_travel_status_in_fixed_queries(
    city_a, city_b, django_assert_num_queries
):
    visit = build_visit(city_a, city_b, pairs=3)
    _consent(visit.a[0], visit.households[visit.b[0].pk], signed=True)
    applications = [*visit.a, *visit.b]
    for a in applications:
        a.student  # noqa: B018  (the callers load the students with the applications)
    with django_assert_num_queries(5):
        statuses = travel_statuses(program=visit.program, applications=applications)
    assert statuses == {a.pk: travel_status(application=a) for a in applications}
    assert statuses[visit.a[0].pk] == "signed"


def test_emergency_info_open_by_a_coordinator_inside_the_window_is_audited(city_a, city_b, carol):
    visit = build_visit(city_a, city_b, pairs=1, starts_in_days=2)
    _info(visit.a[0])
    info = emergency_info_open(application=visit.a[0], by=carol)
    assert info.contact_1_name == "김영희"
    rows = AuditEntry.objects.filter(action="emergency-view")
    assert sorted((r.city_id, r.actor_id, r.application_id) for r in rows) == sorted(
        [(city_a.pk, carol.pk, visit.a[0].pk), (city_b.pk, carol.pk, visit.a[0].pk)]
    )


def test_emergency_info_open_by_the_partner_city_coordinator_is_allowed(city_a, city_b, bob):
    visit = build_visit(city_a, city_b, pairs=1, starts_in_days=2)
    _info(visit.a[0])
    assert emergency_info_open(application=visit.a[0], by=bob).insurer == "Samsung Fire"


def test_emergency_info_open_by_an_outsider_is_refused_and_not_audited(city_a, city_b, oscar):
    visit = build_visit(city_a, city_b, pairs=1, starts_in_days=2)
    _info(visit.a[0])
    with pytest.raises(ValidationError) as error:
        emergency_info_open(application=visit.a[0], by=oscar)
    assert error.value.code == "forbidden"
    assert AuditEntry.objects.filter(action="emergency-view").count() == 0


def test_emergency_info_open_by_the_traveller_is_refused(city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1, starts_in_days=2)
    _info(visit.a[0])
    with pytest.raises(ValidationError):
        emergency_info_open(application=visit.a[0], by=visit.a[0].student)


# A's students travel on the leg to B, departing `starts_in_days + 8` days from now and
# returning 5 days later; the window opens 14 days before departure.
@pytest.mark.parametrize(
    ("starts_in_days", "opened"),
    [
        (6, True),  # the day it opens
        (7, False),  # the day before it opens
        (-13, True),  # the last day (the leg returns today)
        (-14, False),  # the day after
    ],
)
def test_emergency_info_open_at_the_window_edges(city_a, city_b, carol, starts_in_days, opened):
    visit = build_visit(city_a, city_b, pairs=1, starts_in_days=starts_in_days)
    _info(visit.a[0])
    if opened:
        assert emergency_info_open(application=visit.a[0], by=carol).insurer == "Samsung Fire"
        assert AuditEntry.objects.filter(action="emergency-view").count() == 2
    else:
        with pytest.raises(ValidationError):
            emergency_info_open(application=visit.a[0], by=carol)
        assert AuditEntry.objects.filter(action="emergency-view").count() == 0


def test_emergency_info_open_without_information_returns_none(city_a, city_b, carol):
    visit = build_visit(city_a, city_b, pairs=1, starts_in_days=2)
    assert emergency_info_open(application=visit.a[0], by=carol) is None


def test_emergency_info_open_of_an_unrelated_student_is_refused(city_a, city_b, carol, alice):
    other = factories.ProgramFactory(cities={city_a: 2, city_b: 2})
    application = factories.ApplicationFactory(program=other, student=alice, state="submitted")
    with pytest.raises(ValidationError):
        emergency_info_open(application=application, by=carol)
