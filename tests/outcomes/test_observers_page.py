"""A city's observers page: its coordinators name an observer by e-mail and remove one;
everyone else is refused."""

import pytest
from django.utils import timezone

from accounts.models import ObserverMembership
from exchange.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def url(city) -> str:
    return f"/coordinate/cities/{city.slug}/observers/"


@pytest.fixture
def clerk(city_a):
    """An adult account of the mayor's office, not yet an observer."""
    return factories.ObserverFactory(email="clerk@example.org", cities=[])


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("alice", 403),
        ("mina", 403),
        ("carol", 200),
        ("bob", 403),
        ("oscar", 403),
        ("vera", 403),
    ],
)
def test_observers_page_opens_for_the_citys_coordinators_only(
    request, client, city_a, persona, status
):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(url(city_a)).status_code == status


def test_observers_page_anonymous_goes_to_sign_in(client, city_a):
    response = client.get(url(city_a))

    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")


def test_observers_page_unknown_city_is_refused(client, carol):
    client.force_login(carol)

    assert client.get("/coordinate/cities/nowhere/observers/").status_code == 403


def test_observers_page_lists_the_citys_observers_in_one_set_of_queries(
    client, carol, city_a, vera, django_assert_num_queries
):
    client.force_login(carol)
    client.get(url(city_a))
    with django_assert_num_queries(8) as one:
        response = client.get(url(city_a))
    assert response.context["memberships"] == [vera.observer_memberships.get()]
    for n in range(2):
        factories.ObserverFactory(email=f"office{n}@example.org", cities=[city_a])
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url(city_a))
    assert len(response.context["memberships"]) == 3


def test_coordinator_names_an_existing_account_observer_audited(client, carol, city_a, clerk):
    client.force_login(carol)

    response = client.post(url(city_a), {"email": "CLERK@example.org"})

    assert response.status_code == 302
    membership = ObserverMembership.objects.get(user=clerk)
    assert (membership.city, membership.added_by) == (city_a, carol)
    assert list(
        AuditEntry.objects.filter(action="observer-add").values_list(
            "actor", "city", "program", "subject"
        )
    ) == [(carol.pk, city_a.pk, None, clerk.pk)]


@pytest.mark.parametrize(
    ("who", "message"),
    [
        (
            "nobody",
            "No account uses nobody@example.org. Ask them to sign up first, then name them here.",
        ),
        ("mina", "An observer must be an adult whose date of birth is in their profile."),
        (
            "carol",
            "This person coordinates 광주시 (Gwangju (Gyeonggi)) and already sees more than "
            "an observer.",
        ),
        ("vera", "This person already observes 광주시 (Gwangju (Gyeonggi))."),
        ("erased", "This account is closed and cannot observe a city."),
        ("inactive", "This account is closed and cannot observe a city."),
    ],
)
def test_naming_an_observer_refuses_with_a_clear_error_and_writes_nothing(
    request, client, carol, city_a, vera, who, message
):
    emails = {
        "nobody": "nobody@example.org",
        "mina": request.getfixturevalue("mina").email,
        "carol": carol.email,
        "vera": vera.email,
    }
    if who in {"erased", "inactive"}:
        person = factories.ObserverFactory(email=f"{who}@example.org", cities=[])
        if who == "erased":
            person.erased_at = timezone.now()
        else:
            person.is_active = False
        person.save()
        emails[who] = person.email
    client.force_login(carol)
    before = ObserverMembership.objects.count()

    response = client.post(url(city_a), {"email": emails[who]})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [message]
    assert ObserverMembership.objects.count() == before
    assert AuditEntry.objects.filter(action="observer-add").count() == 0


def test_coordinator_removes_an_observer_audited(client, carol, city_a, vera):
    membership = vera.observer_memberships.get()
    client.force_login(carol)

    response = client.post(f"{url(city_a)}{membership.pk}/remove/")

    assert response.status_code == 302
    assert ObserverMembership.objects.filter(user=vera).exists() is False
    assert list(
        AuditEntry.objects.filter(action="observer-remove").values_list("actor", "city", "subject")
    ) == [(carol.pk, city_a.pk, vera.pk)]
    client.force_login(vera)
    assert client.get("/outcomes/").status_code == 403


def test_removing_another_citys_observer_is_refused(client, bob, carol, city_a, city_b, vera):
    membership = vera.observer_memberships.get()
    client.force_login(bob)
    assert client.post(f"{url(city_a)}{membership.pk}/remove/").status_code == 403
    client.force_login(carol)
    assert client.post(f"{url(city_b)}{membership.pk}/remove/").status_code == 403
    assert client.post(f"{url(city_a)}999999/remove/").status_code == 404
    assert client.get(f"{url(city_a)}{membership.pk}/remove/").status_code == 405
    assert ObserverMembership.objects.filter(user=vera).exists() is True
