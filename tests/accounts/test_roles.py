"""The role predicates: coordinator and observer cities are read together in one query, as
the database says now, and never outlive a request."""

from accounts.models import CoordinatorMembership, ObserverMembership
from accounts.rules import coordinator_city_ids, observer_city_ids, outcome_city_ids
from core.memo import RequestMemoMiddleware
from tests import factories


def test_roles_coordinator_and_observer_cities_apart(carol, vera, city_a, city_b):
    ObserverMembership.objects.create(user=carol, city=city_b)

    assert coordinator_city_ids(carol) == frozenset({city_a.pk})
    assert observer_city_ids(carol) == frozenset({city_b.pk})
    assert outcome_city_ids(carol) == frozenset({city_a.pk, city_b.pk})
    assert coordinator_city_ids(vera) == frozenset()
    assert observer_city_ids(vera) == frozenset({city_a.pk})


def test_roles_anonymous_and_nobody_have_no_cities(alice):
    from django.contrib.auth.models import AnonymousUser

    assert observer_city_ids(AnonymousUser()) == frozenset()
    assert coordinator_city_ids(None) == frozenset()
    assert outcome_city_ids(alice) == frozenset()


def test_roles_both_read_in_one_query_per_request(carol, django_assert_num_queries, rf):
    seen = []

    def view(request):
        with django_assert_num_queries(1):
            seen.append((coordinator_city_ids(carol), observer_city_ids(carol)))
            seen.append((coordinator_city_ids(carol), observer_city_ids(carol)))
        return None

    RequestMemoMiddleware(view)(rf.get("/"))

    assert seen[0] == seen[1] == (frozenset({carol.home_city_id}), frozenset())


def test_roles_removed_observer_loses_the_city_on_the_next_read(vera, city_a):
    assert observer_city_ids(vera) == frozenset({city_a.pk})

    ObserverMembership.objects.filter(user=vera).delete()

    assert observer_city_ids(vera) == frozenset()


def test_roles_observer_and_coordinator_of_the_same_city(city_a):
    user = factories.CoordinatorFactory(cities=[city_a])
    ObserverMembership.objects.create(user=user, city=city_a)

    assert coordinator_city_ids(user) == frozenset({city_a.pk})
    assert observer_city_ids(user) == frozenset({city_a.pk})
    assert CoordinatorMembership.objects.filter(user=user).count() == 1
