"""The matching page reads a fixed number of queries, however many pairs it shows."""

import pytest

from exchange.services import matching as services
from tests import factories
from tests.exchange.helpers import base, new_participant

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("pairs", [1, 3])
def test_matching_page_queries_are_the_same_for_1_and_3_pairs(
    client, django_assert_num_queries, program_ab, city_a, city_b, carol, pairs
):
    for _ in range(pairs):
        new_participant(program_ab, city_a)
        new_participant(program_ab, city_b)
    services.matching_run(program=program_ab, by=carol)
    client.force_login(carol)

    with django_assert_num_queries(19):
        response = client.get(base(program_ab))

    assert response.status_code == 200
    assert len(response.context["page"].groups) == pairs


@pytest.mark.parametrize("size", [1, 3])
def test_matching_page_queries_are_the_same_with_1_and_3_left_over(
    client, django_assert_num_queries, program_ab, city_a, city_b, carol, size
):
    for _ in range(size):
        new_participant(program_ab, city_a)
        new_participant(program_ab, city_b)
        new_participant(program_ab, city_a)
    services.matching_run(program=program_ab, by=carol)
    client.force_login(carol)

    with django_assert_num_queries(19):
        response = client.get(base(program_ab))

    assert response.status_code == 200
    assert (len(response.context["page"].groups), len(response.context["page"].leftovers)) == (
        size,
        size,
    )


@pytest.mark.parametrize(("per_city", "sizes"), [(2, [4]), (6, [6, 6])])
def test_matching_page_queries_are_the_same_for_4_and_12_online_participants(
    client, django_assert_num_queries, city_a, city_b, carol, per_city, sizes
):
    online = factories.ProgramFactory(kind="online", cities={city_a: 10, city_b: 10})
    for _ in range(per_city):
        new_participant(online, city_a)
        new_participant(online, city_b)
    services.matching_run(program=online, by=carol)
    client.force_login(carol)

    # One more than a visit's: the program's live sessions, for the time the groups meet.
    with django_assert_num_queries(20):
        response = client.get(base(online))

    assert response.status_code == 200
    page = response.context["page"]
    assert ([len(view.members) for view in page.groups], page.leftovers) == (sizes, [])
