"""Matching reads the households: a home not approved on the program's first day can't host,
and the leftover says why in words, distinct for each case; a hand edit is refused the same
way; a published matching's placements get backup households on the matching page."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from exchange.models import AuditEntry, Household, MatchLeftover
from exchange.selectors.matching import describe_reason
from exchange.services import matching as services
from tests import factories
from tests.exchange.visit_helpers import household_for

pytestmark = pytest.mark.django_db


def confirmed(program, city, n: int):
    student = factories.StudentFactory(
        home_city=city, latin_name=f"Person {n}", native_name=f"사람{n}", age=16
    )
    application = factories.ApplicationFactory(
        program=program, student=student, state="confirmed", gender="female"
    )
    application.languages.create(language_id="en", level=3)
    return application


@pytest.fixture
def two(program_ab, city_a, city_b):
    """One confirmed participant in each city; B's home is approved, A's is set per test."""
    a, b = confirmed(program_ab, city_a, 1), confirmed(program_ab, city_b, 2)
    household_for(b)
    return a, b


def leftover_words(program, application) -> list[str]:
    left = MatchLeftover.objects.get(matching__program=program, application=application)
    cities = {str(pc.city_id): pc.city.name_en for pc in program.program_cities.all()}
    return [describe_reason(r, names={}, cities=cities) for r in left.reasons]


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        ("missing", "Can’t host: the family’s home has not been described yet."),
        ("draft", "Can’t host: the family’s home has not been sent for screening yet."),
        (
            "submitted",
            "Can’t host: the family’s home is waiting for screening by Gwangju (Gyeonggi).",
        ),
        ("not-approved", "Can’t host: Gwangju (Gyeonggi) did not approve the family’s home."),
        ("no-beds", "Can’t host: the family’s home has no bed for a guest."),
    ],
)
def test_matching_run_leftover_says_why_the_home_cannot_host(program_ab, carol, two, setup, words):
    a, _b = two
    if setup != "missing":
        home = household_for(a, approved=setup == "no-beds")
        status = {"draft": "draft", "not-approved": "not-approved"}.get(setup)
        if status:
            Household.objects.filter(pk=home.pk).update(status=status)
        if setup == "no-beds":
            Household.objects.filter(pk=home.pk).update(guest_beds=0)

    services.matching_run(program=program_ab, by=carol)

    assert leftover_words(program_ab, a)[0] == words


def test_matching_run_approval_that_ran_out_gives_its_date(program_ab, carol, two):
    a, _b = two
    home = household_for(a)
    ended = timezone.localdate() - timedelta(days=1)
    Household.objects.filter(pk=home.pk).update(
        approved_on=ended - timedelta(days=365), approved_until=ended
    )

    services.matching_run(program=program_ab, by=carol)

    assert leftover_words(program_ab, a)[0] == (
        f"Can’t host: the approval of the family’s home ran out on "
        f"{date_format(ended, 'DATE_FORMAT')}."
    )


def test_matching_run_approval_ending_before_the_program_starts_cannot_host(program_ab, carol, two):
    a, _b = two
    home = household_for(a)
    ends = program_ab.starts_on - timedelta(days=1)
    Household.objects.filter(pk=home.pk).update(approved_until=ends)

    services.matching_run(program=program_ab, by=carol)

    assert leftover_words(program_ab, a)[0] == (
        f"Can’t host: the approval of the family’s home runs out on "
        f"{date_format(ends, 'DATE_FORMAT')}, before the program starts."
    )


def test_matching_run_pairs_two_approved_homes(program_ab, carol, two):
    a, _b = two
    household_for(a)

    services.matching_run(program=program_ab, by=carol)

    assert MatchLeftover.objects.count() == 0


def test_matching_run_pets_come_from_the_household(program_ab, carol, two):
    a, b = two
    household_for(a, pets="two cats")
    b.pet_allergy = True
    b.save()

    services.matching_run(program=program_ab, by=carol)

    assert sorted(MatchLeftover.objects.values_list("application_id", flat=True)) == sorted(
        [a.pk, b.pk]
    )


def test_matching_pair_by_hand_with_a_home_waiting_for_screening_is_refused(program_ab, carol, two):
    a, b = two
    household_for(a, approved=False)
    services.matching_run(program=program_ab, by=carol)
    audits = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as error:
        services.matching_pair(program=program_ab, first_id=a.pk, second_id=b.pk, by=carol)

    assert error.value.messages == [
        "This change would break the program’s rules:",
        f"Breaks a rule: {a.student.display_name} can’t host {b.student.display_name}, the "
        "family’s home is waiting for screening by Gwangju (Gyeonggi).",
    ]
    assert AuditEntry.objects.count() == audits


# --- Backup households on the published matching page ------------------------------------


@pytest.mark.parametrize("pairs", [1, 3])
def test_published_matching_page_with_backups_queries_are_the_same_for_1_and_3(
    client, django_assert_num_queries, city_a, city_b, carol, pairs
):
    from tests.exchange.visit_helpers import build_visit

    visit = build_visit(city_a, city_b, pairs=pairs)
    client.force_login(carol)

    with django_assert_num_queries(21):
        response = client.get(f"/coordinate/programs/{visit.program.pk}/matching/")

    assert [len(view.backups) for view in response.context["page"].groups] == [2] * pairs


def test_published_matching_page_backup_form_only_for_the_host_city(
    client, city_a, city_b, carol, bob
):
    from tests.exchange.visit_helpers import build_visit

    visit = build_visit(city_a, city_b, pairs=1)
    client.force_login(carol)
    mine = client.get(f"/coordinate/programs/{visit.program.pk}/matching/").context["page"]
    forms = {row.host_city_id: form is not None for row, _v, form in mine.groups[0].backups}

    assert forms == {city_a.pk: True, city_b.pk: False}


def test_backup_post_names_the_household_and_shows_it_to_the_partner_city(
    client, city_a, city_b, carol, bob
):
    from tests.exchange.visit_helpers import build_visit

    visit = build_visit(city_a, city_b, pairs=1)
    other = factories.ProgramFactory(cities={city_a: 2})
    spare = household_for(
        factories.ApplicationFactory(
            program=other, student=factories.StudentFactory(home_city=city_a)
        ),
        family_name="Spare family",
    )
    url = f"/coordinate/programs/{visit.program.pk}/matching/"
    client.force_login(carol)

    client.post(
        f"{url}groups/{visit.groups[0].pk}/backup/{visit.b[0].pk}/", {"household": spare.pk}
    )
    client.force_login(bob)
    page = client.get(url).content.decode()

    assert "Spare family" in page
    assert AuditEntry.objects.filter(action="household-backup").count() == 2
