"""The coordinator desk's counts (issue 14): applications waiting, reviews pending, offers
about to expire and open reports for the coordinator's own cities, each linking to its list;
places filled for every city of the program; in a fixed number of queries."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from exchange.models import Review
from tests import factories
from tests.exchange.helpers import applicant

pytestmark = pytest.mark.django_db


def items(html: str, list_selector: str) -> list[list[str]]:
    """The text of each <li> in each <ul {list_selector}>, tags dropped, spaces squeezed."""
    lists = re.findall(rf"<ul {list_selector}>(.*?)</ul>", html, re.S)
    return [
        [
            " ".join(re.sub(r"<[^>]+>", "", li).split())
            for li in re.findall(r"<li[^>]*>(.*?)</li>", ul, re.S)
        ]
        for ul in lists
    ]


def submitted_review(application, reviewer) -> None:
    Review.objects.create(
        application=application, reviewer=reviewer, total="3.50", submitted_at=timezone.now()
    )


@pytest.fixture
def desk(program_ab, city_a, city_b, carol, bob):
    """In A: two submitted, three under review (carol scored one, another coordinator of A
    another: still pending for carol), two offers (one due tomorrow, one in five days), one
    confirmed, one draft. In B: one submitted, one offer due in 20 hours, one offer already
    past its deadline (the beat job declines it; not "about to expire")."""
    now = timezone.now()
    reviewed = applicant(program_ab, city_a)
    submitted_review(reviewed, carol)
    applicant(program_ab, city_a)
    scored_by_other = applicant(program_ab, city_a)
    submitted_review(scored_by_other, factories.CoordinatorFactory(cities=[city_a]))
    applicant(program_ab, city_a, state="submitted")
    applicant(program_ab, city_a, state="submitted")
    applicant(program_ab, city_a, state="accepted", confirm_by=now + timedelta(days=1))
    applicant(program_ab, city_a, state="accepted", confirm_by=now + timedelta(days=5))
    applicant(program_ab, city_a, state="confirmed")
    applicant(program_ab, city_a, state="draft")
    applicant(program_ab, city_b, state="submitted")
    applicant(program_ab, city_b, state="accepted", confirm_by=now + timedelta(hours=20))
    applicant(program_ab, city_b, state="accepted", confirm_by=now - timedelta(hours=1))
    return program_ab


def test_desk_counts_carols_cities_only(client, carol, desk):
    client.force_login(carol)

    response = client.get("/coordinate/")

    html = response.content.decode()
    assert items(html, 'id="desk-totals"') == [
        [
            "2 applications waiting",
            "2 reviews pending",
            "1 offer about to expire",
            "0 open reports",
        ]
    ]
    queue = f"/coordinate/programs/{desk.pk}/applications/"
    assert items(html, 'class="desk-counts"') == [
        ["2 applications waiting", "2 reviews pending", "1 offer about to expire"]
    ]
    assert f'<a href="{queue}?state=submitted">2 applications waiting</a>' in html
    assert f'<a href="{queue}?state=under_review">2 reviews pending</a>' in html
    assert f'<a href="{queue}?state=accepted">1 offer about to expire</a>' in html


def test_desk_counts_bob_sees_zibos_own(client, bob, desk):
    client.force_login(bob)

    html = client.get("/coordinate/").content.decode()

    assert items(html, 'id="desk-totals"') == [
        [
            "1 application waiting",
            "0 reviews pending",
            "1 offer about to expire",
            "0 open reports",
        ]
    ]
    assert items(html, 'class="desk-counts"') == [
        ["1 application waiting", "1 offer about to expire"]
    ]


@pytest.mark.parametrize("persona", ["carol", "bob"])
def test_desk_places_filled_shows_every_city_of_the_program(request, client, desk, persona):
    """Places are the one figure shown for the partner city too (docs/decisions.md)."""
    client.force_login(request.getfixturevalue(persona))

    html = client.get("/coordinate/").content.decode()

    assert items(html, 'class="desk-places"') == [
        ["Gwangju (Gyeonggi): 3 of 5 places filled", "Zibo: 2 of 5 places filled"]
    ]
    assert html.count(f'<a href="/coordinate/programs/{desk.pk}/participants/">') == 2


def test_desk_counts_of_a_quiet_program_say_so(client, carol, program_ab, city_a):
    program_ab.program_cities.filter(city=city_a).update(quota=1)
    client.force_login(carol)

    html = client.get("/coordinate/").content.decode()

    assert items(html, 'class="desk-counts"') == [["Nothing waiting"]]
    assert items(html, 'class="desk-places"') == [
        ["Gwangju (Gyeonggi): 0 of 1 place filled", "Zibo: 0 of 5 places filled"]
    ]


def test_desk_counts_outsider_sees_no_program(client, oscar, desk):
    client.force_login(oscar)

    html = client.get("/coordinate/").content.decode()

    assert items(html, 'id="desk-totals"') == []
    assert items(html, 'class="desk-counts"') == []


def test_desk_counts_add_up_across_programs(client, carol, desk, city_a, city_b):
    other = factories.ProgramFactory(cities={city_a: 2, city_b: 2}, created_by=carol)
    applicant(other, city_a, state="submitted")
    client.force_login(carol)

    html = client.get("/coordinate/").content.decode()

    assert items(html, 'id="desk-totals"')[0][0] == "3 applications waiting"
    assert sorted(items(html, 'class="desk-counts"')) == sorted(
        [
            ["1 application waiting"],
            ["2 applications waiting", "2 reviews pending", "1 offer about to expire"],
        ]
    )


@pytest.fixture
def busy_programs(city_a, city_b, carol):
    """`n` programs of A and B, each with applicants of both cities in every counted state."""

    def create(n: int) -> None:
        now = timezone.now()
        for i in range(n):
            program = factories.ProgramFactory(
                title=f"Busy {i}", cities={city_a: 5, city_b: 5}, created_by=carol
            )
            for city in (city_a, city_b):
                applicant(program, city, state="submitted")
                submitted_review(applicant(program, city), carol)
                applicant(program, city)
                applicant(program, city, state="accepted", confirm_by=now + timedelta(days=1))
                applicant(program, city, state="confirmed")

    return create


@pytest.mark.parametrize("n", [1, 3])
def test_desk_queries_do_not_grow_with_programs_or_applications(
    client, carol, busy_programs, n, django_assert_num_queries
):
    busy_programs(n)
    client.force_login(carol)
    client.get("/coordinate/")

    # session, user, home city, memberships, the second-factor lookup (middleware, on every
    # coordinator page), my cities, the programs with every count, then their cities with
    # the places filled, themes and languages.
    with django_assert_num_queries(10):
        response = client.get("/coordinate/")

    programs = response.context["programs"]
    assert [(p.waiting, p.reviews_pending, p.expiring) for p in programs] == [(1, 1, 1)] * n
    assert [[pc.filled for pc in p.program_cities.all()] for p in programs] == [[2, 2]] * n
