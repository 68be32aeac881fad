"""The locator: who is where on a day of a visit, by the itinerary and the placements."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from exchange.models import ItineraryItem
from exchange.selectors.care import program_locator, snapshot_for
from tests import factories
from tests.exchange.visit_helpers import build_visit, on_day
from tests.helpers import sign_in, table

pytestmark = pytest.mark.django_db

# Session, user and home city; coordinator memberships; the second factor; the program and
# its cities (loaded once for the permission and the view); the coordinator's time zone; the
# running legs; the day's items; the published groups; the participants; the published
# members and their households (placements); the legs the coordinator's cities host. 15 at
# N = 1 and N = 3.
LOCATOR_QUERIES = 15


def item(leg, day, start, kind, place="Gonjiam Ceramic Park", end=None, **extra):
    return ItineraryItem.objects.create(
        leg=leg,
        day=day,
        starts_at=start,
        ends_at=end,
        kind=kind,
        place=place,
        activity=extra.pop("activity", f"{kind} at {place}"),
        responsible_adult="Ms Park",
        **extra,
    )


def places(snapshot):
    return {p.key: sorted(a.pk for a in p.people) for p in snapshot.places}


@pytest.fixture
def visit(city_a, city_b):
    return build_visit(city_a, city_b, pairs=2)


def test_locator_group_activity_gathers_travellers_and_host_students(visit):
    leg = visit.leg_to_a
    day = on_day(visit, leg, 1)
    workshop = item(leg, day, time(9), ItineraryItem.Kind.GROUP, end=time(12))

    locator = program_locator(program=visit.program, day=day, today=timezone.localdate())

    everyone = sorted(a.pk for a in [*visit.a, *visit.b])
    assert [places(s) for s in locator.items] == [{f"item-{workshop.pk}": everyone}]
    assert locator.now == []


def test_locator_outside_items_puts_each_traveller_with_their_host_household(visit):
    leg = visit.leg_to_a
    day = on_day(visit, leg, 2)
    item(leg, day, time(9), ItineraryItem.Kind.GROUP, end=time(12))
    snapshot = snapshot_for(program=visit.program, day=day, key=f"at-{leg.pk}-2100")

    expected = {}
    for host, guest in zip(visit.a, visit.b, strict=True):
        expected[f"household-{visit.households[host.pk].pk}"] = sorted([host.pk, guest.pk])
    assert places(snapshot) == expected
    labels = {p.key: (p.label, p.detail) for p in snapshot.places}
    host = visit.a[0]
    assert labels[f"household-{visit.households[host.pk].pk}"] == (
        f"With the Family of {host.student.latin_name} household",
        "Gyeongan-dong",
    )


def test_locator_travel_item_shows_travellers_by_transport_and_hosts_at_home(visit):
    leg = visit.leg_to_a
    day = leg.departs_on
    flight = item(
        leg, day, time(8), ItineraryItem.Kind.TRAVEL, end=time(11), transport="Flight SC4061"
    )

    snapshot = snapshot_for(program=visit.program, day=day, key=f"item-{flight.pk}")

    expected = {f"travel-{flight.pk}": sorted(a.pk for a in visit.b)}
    for host in visit.a:
        expected[f"household-{visit.households[host.pk].pk}"] = [host.pk]
    assert places(snapshot) == expected
    assert {p.key: p.label for p in snapshot.places}[f"travel-{flight.pk}"] == "Flight SC4061"


def test_locator_before_departure_everyone_is_at_home(visit, city_a, city_b):
    leg = visit.leg_to_a
    day = leg.departs_on
    item(leg, day, time(8), ItineraryItem.Kind.TRAVEL, end=time(11), transport="Flight")

    snapshot = snapshot_for(program=visit.program, day=day, key=f"at-{leg.pk}-0600")

    expected = {f"home-{city_b.pk}": sorted(a.pk for a in visit.b)}
    for host in visit.a:
        expected[f"household-{visit.households[host.pk].pk}"] = [host.pk]
    assert places(snapshot) == expected


def test_locator_free_time_keeps_each_group_together(visit):
    leg = visit.leg_to_a
    day = on_day(visit, leg, 3)
    free = item(leg, day, time(14), ItineraryItem.Kind.FREE)

    snapshot = snapshot_for(program=visit.program, day=day, key=f"item-{free.pk}")

    assert places(snapshot) == {
        f"free-{group.pk}": sorted([a.pk, b.pk])
        for group, a, b in zip(visit.groups, visit.a, visit.b, strict=True)
    }


def test_locator_item_without_end_lasts_until_the_next_item(visit):
    leg = visit.leg_to_a
    day = on_day(visit, leg, 1)
    first = item(leg, day, time(9), ItineraryItem.Kind.GROUP)
    item(leg, day, time(13), ItineraryItem.Kind.FREE)

    at_noon = snapshot_for(program=visit.program, day=day, key=f"at-{leg.pk}-1200")

    assert at_noon.item == first


def test_locator_day_without_leg_shows_everyone_at_home(visit, city_a, city_b):
    day = visit.leg_to_a.departs_on - timedelta(days=1)

    locator = program_locator(program=visit.program, day=day, today=day)

    assert [places(s) for s in locator.now] == [
        {
            f"home-{city_a.pk}": sorted(a.pk for a in visit.a),
            f"home-{city_b.pk}": sorted(a.pk for a in visit.b),
        }
    ]


def test_locator_today_shows_the_host_city_clock(visit):
    leg = visit.leg_to_a
    day = on_day(visit, leg, 1)
    workshop = item(leg, day, time(9), ItineraryItem.Kind.GROUP, end=time(12))
    now = timezone.make_aware(
        timezone.datetime.combine(day, time(10, 30)), timezone.get_fixed_timezone(9 * 60)
    )

    locator = program_locator(program=visit.program, day=day, today=day, now=now)

    assert [(s.key, s.item) for s in locator.now] == [(f"at-{leg.pk}-1030", workshop)]


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 200, "oscar": 403}),
)
def test_locator_page_opens_for_the_visits_coordinators_only(
    request, client, visit, persona, status
):
    sign_in(request, client, persona)

    response = client.get(f"/coordinate/programs/{visit.program.pk}/locator/")

    assert response.status_code == status


def test_locator_page_refuses_a_bad_date_clearly(client, carol, visit):
    client.force_login(carol)

    response = client.get(f"/coordinate/programs/{visit.program.pk}/locator/?day=2026-02-30")

    assert response.status_code == 200
    assert response.context["locator"] is None
    assert response.context["form"].errors == {
        "day": ["Enter a date as YYYY-MM-DD, for example 2026-07-14."]
    }


def test_locator_page_shows_names_in_both_scripts(client, carol, visit):
    leg = visit.leg_to_a
    day = on_day(visit, leg, 1)
    item(leg, day, time(9), ItineraryItem.Kind.GROUP, end=time(12), place="Gonjiam")
    client.force_login(carol)

    response = client.get(f"/coordinate/programs/{visit.program.pk}/locator/?day={day.isoformat()}")

    html = response.content.decode()
    student = visit.b[0].student
    assert (
        f'<strong>{student.native_name}</strong> <span class="latin">{student.latin_name}</span>'
        in html
    )
    assert "Gonjiam" in html


def test_locator_page_on_an_online_program_is_refused(client, carol, city_a, city_b):
    online = factories.ProgramFactory(cities={city_a: 3, city_b: 3}, kind="online")
    client.force_login(carol)

    response = client.get(f"/coordinate/programs/{online.pk}/locator/")

    assert response.status_code == 403


@pytest.mark.parametrize("pairs", [1, 3])
def test_locator_queries_do_not_grow_with_participants(
    client, carol, city_a, city_b, django_assert_num_queries, pairs
):
    visit = build_visit(city_a, city_b, pairs=pairs)
    leg = visit.leg_to_a
    day = on_day(visit, leg, 1)
    item(leg, day, time(9), ItineraryItem.Kind.GROUP, end=time(12))
    item(leg, day, time(14), ItineraryItem.Kind.FREE)
    client.force_login(carol)

    with django_assert_num_queries(LOCATOR_QUERIES):
        response = client.get(
            f"/coordinate/programs/{visit.program.pk}/locator/?day={day.isoformat()}"
        )

    assert response.status_code == 200
    assert len(response.context["locator"].participants) == 2 * pairs


def test_locator_page_lists_the_chosen_moment_in_full(client, carol, visit):
    leg = visit.leg_to_a
    day = on_day(visit, leg, 1)
    workshop = item(leg, day, time(9), ItineraryItem.Kind.GROUP, end=time(12))
    free = item(leg, day, time(14), ItineraryItem.Kind.FREE)
    client.force_login(carol)

    response = client.get(
        f"/coordinate/programs/{visit.program.pk}/locator/"
        f"?day={day.isoformat()}&moment=item-{free.pk}"
    )

    assert response.context["selected"].item == free
    assert [s.item for s in response.context["locator"].items] == [workshop, free]
    html = response.content.decode()
    assert html.count('<li class="card locator-place">') == 2
    assert (
        f"?kind=place&amp;day={day.isoformat()}&amp;moment=item-{free.pk}"
        f"&amp;place=free-{visit.groups[0].pk}"
    ) in html


def test_locator_page_escapes_names_and_places(client, carol, visit):
    leg = visit.leg_to_a
    day = on_day(visit, leg, 1)
    item(leg, day, time(9), ItineraryItem.Kind.GROUP, end=time(12), place="<b>Kiln</b>")
    student = visit.b[0].student
    student.native_name = "<script>x</script>"
    student.save(update_fields=["native_name"])
    client.force_login(carol)

    response = client.get(f"/coordinate/programs/{visit.program.pk}/locator/?day={day.isoformat()}")

    html = response.content.decode()
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<b>Kiln</b>" not in html
