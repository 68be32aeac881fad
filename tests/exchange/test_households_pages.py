"""The household pages, for every persona: the student's own page, the host city's list and
household page (audited), screening refused to the partner city, the care policy page, the
student's card on their application and the published guest's "Where you will stay"."""

from datetime import timedelta

import pytest
from django.utils import timezone

from exchange.models import AuditEntry, Household, HouseholdScreening
from tests import factories
from tests.exchange.visit_helpers import build_visit, household_for, household_post
from tests.helpers import login_redirect, sign_in, table

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


@pytest.fixture
def alices_home(alice, program_ab):
    application = factories.ApplicationFactory(
        program=program_ab, student=alice, state="confirmed", gender="female"
    )
    return household_for(application, approved=False, family_name="Kim family")


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 200, "mina": 200, "carol": 200, "bob": 200, "oscar": 200}),
)
def test_my_household_page_is_open_to_any_signed_in_person(request, client, persona, status):
    sign_in(request, client, persona)

    response = client.get("/me/household/")

    assert response.status_code == status
    if status == 302:
        assert response["Location"] == login_redirect("/me/household/")


def test_my_household_post_creates_the_home_and_send_for_screening_audits(client, alice, city_a):
    client.force_login(alice)

    response = client.post("/me/household/", household_post())
    submitted = client.post("/me/household/submit/")

    household = Household.objects.get()
    assert (response.status_code, submitted.status_code) == (302, 302)
    assert (household.family_name, household.status, household.members.count()) == (
        "Kim",
        "submitted",
        2,
    )
    assert list(AuditEntry.objects.values_list("action", "city_id")) == [
        ("household-submit", city_a.pk)
    ]


def test_my_household_post_adult_without_phone_shows_the_error_and_writes_nothing(client, alice):
    client.force_login(alice)

    response = client.post("/me/household/", household_post(**{"members-0-phone": ""}))

    assert response.status_code == 200
    assert response.context["members"].forms[0].errors == {"phone": ["Adults give a phone number."]}
    assert Household.objects.count() == 0


def test_my_household_page_without_home_city_says_so(client, alice):
    alice.home_city = None
    alice.save()
    client.force_login(alice)

    response = client.get("/me/household/")

    assert (
        "Set your home city in your profile first: the home is screened by your city’s "
        "coordinators." in response.content.decode()
    )


def test_my_household_page_of_an_approved_home_warns_before_saving(client, alice, program_ab):
    application = factories.ApplicationFactory(program=program_ab, student=alice)
    household_for(application)
    client.force_login(alice)

    response = client.get("/me/household/")

    assert (
        "Changing the people who live there, the beds, pets, smoking, diets or the address "
        "sends it back to screening." in response.content.decode()
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 200, "oscar": 200}),
)
def test_household_list_is_for_coordinators(request, client, persona, status):
    sign_in(request, client, persona)

    assert client.get("/coordinate/households/").status_code == status


def test_household_list_shows_only_the_coordinators_own_cities(
    client, alices_home, carol, bob, oscar
):
    def families(user):
        client.force_login(user)
        return [h.family_name for h in client.get("/coordinate/households/").context["households"]]

    assert (families(carol), families(bob), families(oscar)) == (["Kim family"], [], [])


def test_household_list_filters_needs_screening_and_expiring(client, carol, city_a, program_ab):
    today = timezone.localdate()
    homes = {}
    for name, status, until in (
        ("waiting", "submitted", None),
        ("ran out", "approved", today - timedelta(days=1)),
        ("ending", "approved", today + timedelta(days=30)),
        ("fine", "approved", today + timedelta(days=300)),
    ):
        application = factories.ApplicationFactory(
            program=program_ab, student=factories.StudentFactory(home_city=city_a)
        )
        homes[name] = household_for(application, family_name=name)
        Household.objects.filter(pk=homes[name].pk).update(
            status=status,
            approved_on=today - timedelta(days=400) if until else None,
            approved_until=until,
        )
    client.force_login(carol)

    def shown(show):
        households = client.get(f"/coordinate/households/?show={show}").context["households"]
        return sorted(h.family_name for h in households)

    assert (shown("needs"), shown("expiring")) == (["ran out", "waiting"], ["ending"])


@pytest.mark.parametrize("count", [1, 3])
def test_household_list_queries_are_the_same_for_1_and_3(
    client, django_assert_num_queries, carol, city_a, program_ab, count
):
    for _n in range(count):
        application = factories.ApplicationFactory(
            program=program_ab, student=factories.StudentFactory(home_city=city_a)
        )
        household_for(application)
    client.force_login(carol)

    with django_assert_num_queries(7):
        response = client.get("/coordinate/households/")

    assert len(response.context["households"]) == count


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 200, "mina": 404, "carol": 200, "bob": 200, "oscar": 404}),
)
def test_household_page_for_each_persona(request, client, alices_home, persona, status):
    sign_in(request, client, persona)

    response = client.get(f"/coordinate/households/{alices_home.pk}/")

    assert response.status_code == status
    if status == 200:
        assert alices_home.address in response.content.decode()


def test_household_page_view_by_a_coordinator_is_audited_for_the_host_city(
    client, alices_home, bob, city_a
):
    client.force_login(bob)

    client.get(f"/coordinate/households/{alices_home.pk}/")

    assert list(AuditEntry.objects.values_list("action", "actor_id", "city_id")) == [
        ("household-view", bob.pk, city_a.pk)
    ]


def test_household_page_screening_form_only_for_the_host_city(client, alices_home, carol, bob):
    HouseholdScreening.objects.create(household=alices_home, city=alices_home.city)
    client.force_login(carol)
    host = client.get(f"/coordinate/households/{alices_home.pk}/").context["can_screen"]
    client.force_login(bob)
    partner = client.get(f"/coordinate/households/{alices_home.pk}/").context["can_screen"]

    assert (host, partner) == (True, False)


def test_household_screening_post_by_the_partner_city_is_refused(client, alices_home, bob):
    screening = HouseholdScreening.objects.create(household=alices_home, city=alices_home.city)
    client.force_login(bob)

    response = client.post(f"/coordinate/households/{alices_home.pk}/", {"references_checked": "2"})
    approve = client.post(f"/coordinate/households/{alices_home.pk}/approve/")

    screening.refresh_from_db()
    assert (response.status_code, approve.status_code, screening.references_checked) == (
        404,
        302,
        0,
    )
    assert Household.objects.get().status == "submitted"


def test_household_screening_post_by_the_host_city_saves_the_round(client, alices_home, carol):
    HouseholdScreening.objects.create(household=alices_home, city=alices_home.city)
    parent = alices_home.members.get(relation="parent")
    client.force_login(carol)

    response = client.post(
        f"/coordinate/households/{alices_home.pk}/",
        {
            "home_visit_on": timezone.localdate().isoformat(),
            "home_visit_by": str(carol.pk),
            "references_checked": "2",
            "orientation_on": timezone.localdate().isoformat(),
            f"check_{parent.pk}": "clear",
            f"checked_on_{parent.pk}": timezone.localdate().isoformat(),
        },
    )
    approve = client.post(f"/coordinate/households/{alices_home.pk}/approve/")

    assert (response.status_code, approve.status_code) == (302, 302)
    assert Household.objects.get().status == "approved"


def test_household_refuse_post_without_reason_writes_nothing(client, alices_home, carol):
    client.force_login(carol)

    client.post(f"/coordinate/households/{alices_home.pk}/refuse/", {"reason": ""})

    assert Household.objects.get().status == "submitted"


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 403, "oscar": 403}),
)
def test_care_policy_page_is_for_the_citys_own_coordinators(
    request, client, city_a, persona, status
):
    sign_in(request, client, persona)

    assert client.get(f"/coordinate/cities/{city_a.pk}/care-policy/").status_code == status


def test_care_policy_post_saves_the_citys_checklist(client, city_a, carol):
    client.force_login(carol)

    client.post(
        f"/coordinate/cities/{city_a.pk}/care-policy/",
        {
            "references_required": "1",
            "background_checks": "not-permitted",
            "keeps_check_documents": "on",
            "incident_guardian_notice": "all",
            "check_in_answer_by": "20:30",
        },
    )

    policy = city_a.care_policy
    assert (
        policy.requires_home_visit,
        policy.references_required,
        policy.background_checks,
        policy.keeps_check_documents,
    ) == (False, 1, "not-permitted", False)


# --- The student's application page ----------------------------------------------------------


def test_my_application_card_shows_the_guest_where_they_will_stay(client, city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1)
    guest = visit.b[0]
    home = visit.households[visit.a[0].pk]
    client.force_login(guest.student)

    page = client.get(f"/me/applications/{guest.pk}/").content.decode()

    assert "Where you will stay" in page
    assert f"{visit.a[0].pk} Example-ro" in page
    assert home.family_name in page
    assert "Parent, 45 years old" in page


def test_my_application_card_before_publishing_shows_only_the_own_home(client, city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1, publish=False)
    guest = visit.b[0]
    client.force_login(guest.student)

    page = client.get(f"/me/applications/{guest.pk}/").content.decode()

    assert ("Where you will stay" in page, f"{visit.a[0].pk} Example-ro" in page) == (False, False)
    assert "Your family’s home" in page


def test_application_form_of_a_visit_asks_no_household_questions(client, alice, city_a, city_b):
    program = factories.ProgramFactory(cities={city_a: 2, city_b: 2}, kind="visit")
    application = factories.ApplicationFactory(program=program, student=alice, state="draft")
    client.force_login(alice)

    response = client.get(f"/me/applications/{application.pk}/edit/")

    fields = set(response.context["form"].fields)
    assert fields & {"can_host", "household_pets", "household_smokers", "own_room"} == set()
    assert {"gender", "pet_allergy", "dietary_needs", "passport"} <= fields
    assert "Describe your home" in response.content.decode()
