"""The host city's coordinators record the visits they make to households during a stay."""

import pytest
from django.core.exceptions import ValidationError

from exchange.models import AuditEntry, HouseholdVisit
from exchange.services.care import household_visit_record
from tests.exchange.visit_helpers import build_visit, on_day
from tests.helpers import sign_in, table

pytestmark = pytest.mark.django_db

# Session, user and home city; memberships; second factor; program and cities; the leg;
# placements (members, households, their members); the visits. 12 at N = 1 and N = 3.
VISITS_QUERIES = 12


@pytest.fixture
def visit(city_a, city_b):
    return build_visit(city_a, city_b, pairs=2)


def test_household_visit_is_recorded_and_audited_for_the_host_city(visit, carol):
    leg = visit.leg_to_a
    household = visit.households[visit.a[0].pk]

    recorded = household_visit_record(
        leg=leg,
        household=household,
        visited_on=on_day(visit, leg, 2),
        notes=" All fine. ",
        by=carol,
    )

    assert (recorded.household, recorded.by, recorded.notes) == (household, carol, "All fine.")
    assert list(
        AuditEntry.objects.filter(action="household-visit").values_list("city_id", "detail")
    ) == [(leg.host_city_id, f"{household.family_name}, {on_day(visit, leg, 2).isoformat()}")]


def test_household_visit_by_the_guest_city_is_refused(visit, bob):
    leg = visit.leg_to_a

    with pytest.raises(ValidationError) as caught:
        household_visit_record(
            leg=leg,
            household=visit.households[visit.a[0].pk],
            visited_on=on_day(visit, leg, 1),
            notes="",
            by=bob,
        )

    assert caught.value.code == "forbidden"


def test_household_visit_outside_the_stay_or_household_writes_nothing(visit, carol):
    leg = visit.leg_to_a

    with pytest.raises(ValidationError) as caught:
        household_visit_record(
            leg=leg,
            household=visit.households[visit.b[0].pk],
            visited_on=on_day(visit, leg, 9),
            notes="",
            by=carol,
        )

    assert caught.value.message_dict == {
        "household": ["Choose a household where a guest of this visit stays."],
        "visited_on": [
            f"Choose a day of the stay, from {leg.departs_on.isoformat()} "
            f"to {leg.returns_on.isoformat()}."
        ],
    }
    assert HouseholdVisit.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 403, "oscar": 403}),
)
def test_household_visits_page_opens_for_the_host_city_only(
    request, client, visit, persona, status
):
    sign_in(request, client, persona)

    response = client.get(
        f"/coordinate/programs/{visit.program.pk}/legs/{visit.leg_to_a.pk}/household-visits/"
    )

    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 200, "oscar": 403}),
)
def test_household_visit_legs_page_lists_the_legs_each_city_hosts(
    request, client, visit, persona, status
):
    user = sign_in(request, client, persona)

    response = client.get(f"/coordinate/programs/{visit.program.pk}/household-visits/")

    assert response.status_code == status
    if status == 200:
        expected = visit.leg_to_a if persona == "carol" else visit.leg_to_b
        assert [leg.pk for leg in response.context["legs"]] == [expected.pk]
        assert user is not None


def test_household_visit_form_records_a_visit(client, visit, carol):
    leg = visit.leg_to_a
    household = visit.households[visit.a[1].pk]
    client.force_login(carol)

    response = client.post(
        f"/coordinate/programs/{visit.program.pk}/legs/{leg.pk}/household-visits/",
        {"household": household.pk, "visited_on": on_day(visit, leg, 3).isoformat(), "notes": "Ok"},
    )

    assert response.status_code == 302
    assert list(HouseholdVisit.objects.values_list("household_id", "visited_on", "notes")) == [
        (household.pk, on_day(visit, leg, 3), "Ok")
    ]


def test_household_visit_form_with_a_bad_day_says_so(client, visit, carol):
    leg = visit.leg_to_a
    client.force_login(carol)

    response = client.post(
        f"/coordinate/programs/{visit.program.pk}/legs/{leg.pk}/household-visits/",
        {
            "household": visit.households[visit.a[0].pk].pk,
            "visited_on": on_day(visit, leg, -1).isoformat(),
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "visited_on": [
            f"Choose a day of the stay, from {leg.departs_on.isoformat()} "
            f"to {leg.returns_on.isoformat()}."
        ]
    }
    assert HouseholdVisit.objects.count() == 0


def test_household_visits_leg_of_another_program_is_404(client, visit, carol, city_a, city_b):
    other = build_visit(city_a, city_b, pairs=1)
    client.force_login(carol)

    response = client.get(
        f"/coordinate/programs/{visit.program.pk}/legs/{other.leg_to_a.pk}/household-visits/"
    )

    assert response.status_code == 404


@pytest.mark.parametrize("n", [1, 3])
def test_household_visits_queries_do_not_grow_with_visits(
    client, visit, carol, django_assert_num_queries, n
):
    leg = visit.leg_to_a
    for day in range(n):
        household_visit_record(
            leg=leg,
            household=visit.households[visit.a[0].pk],
            visited_on=on_day(visit, leg, day),
            notes="",
            by=carol,
        )
    client.force_login(carol)

    with django_assert_num_queries(VISITS_QUERIES):
        response = client.get(
            f"/coordinate/programs/{visit.program.pk}/legs/{leg.pk}/household-visits/"
        )

    assert len(response.context["visits"]) == n
