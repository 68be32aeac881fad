"""Program services: what they accept, what they refuse, and that a refusal writes nothing."""

import itertools
from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import CoordinatorMembership
from core.models import Language, Theme
from exchange.models import Program, ProgramCity
from exchange.services import programs as services
from exchange.services.programs import ProgramData
from tests import factories

# Every test here touches the database, including those that reach it through
# request.getfixturevalue: marking them lets pytest-django run them with the other
# database tests, before any transactional test flushes the migrated vocabulary.
pytestmark = pytest.mark.django_db


def program_data(quotas, **overrides) -> ProgramData:
    now = timezone.now()
    today = timezone.localdate()
    data = ProgramData(
        kind=Program.Kind.MUTUAL_VISIT,
        title="Ceramics summer",
        description="Two weeks at the kilns of both cities.",
        themes=list(Theme.objects.filter(slug__in=["ceramics", "culture-arts"])),
        quotas=quotas,
        applications_open=now + timedelta(days=1),
        applications_close=now + timedelta(days=20),
        starts_on=today + timedelta(days=40),
        ends_on=today + timedelta(days=50),
        min_age=14,
        max_age=18,
        working_languages=list(Language.objects.filter(code__in=["ko", "zh"])),
    )
    return replace(data, **overrides)


def snapshot() -> dict:
    """Every row the program services write, to prove a refusal leaves them as they were."""
    return {
        "programs": list(Program.objects.order_by("pk").values()),
        "cities": list(ProgramCity.objects.order_by("pk").values("program", "city", "quota")),
        "themes": list(Program.themes.through.objects.order_by("pk").values("program", "theme")),
        "languages": list(
            Program.working_languages.through.objects.order_by("pk").values("program", "language")
        ),
    }


def quotas_of(program: Program) -> dict[str, int]:
    return {pc.city.slug: pc.quota for pc in ProgramCity.objects.filter(program=program)}


@pytest.fixture
def city_planned(city_a):
    """A city whose partnership with A is only planned."""
    city = factories.CityFactory(
        slug="milpitas",
        name_local="Milpitas",
        name_en="Milpitas",
        country="US",
        time_zone="America/Los_Angeles",
        main_language_id="en",
    )
    factories.PartnershipFactory(cities=(city_a, city), kind="friendship", status="planned")
    return city


# --- program_create ----------------------------------------------------------------------


def test_program_create_with_partner_city_writes_draft(carol, city_a, city_b):
    data = program_data({city_a: 6, city_b: 4})

    program = services.program_create(data=data, by=carol)

    program = Program.objects.get(pk=program.pk)
    assert program.status == Program.Status.DRAFT
    assert program.created_by == carol
    assert program.title == "Ceramics summer"
    assert program.kind == "visit"
    assert (program.min_age, program.max_age) == (14, 18)
    assert quotas_of(program) == {"gwangju-gyeonggi": 6, "zibo": 4}
    assert sorted(program.themes.values_list("slug", flat=True)) == ["ceramics", "culture-arts"]
    assert sorted(program.working_languages.values_list("code", flat=True)) == ["ko", "zh"]


def test_program_create_by_partner_coordinator_is_allowed(bob, city_a, city_b):
    program = services.program_create(data=program_data({city_a: 2, city_b: 3}), by=bob)

    assert quotas_of(program) == {"gwangju-gyeonggi": 2, "zibo": 3}
    assert program.created_by == bob


def test_program_create_with_unrelated_city_is_refused_beside_cities(carol, city_a, city_c):
    before = snapshot()

    with pytest.raises(ValidationError) as caught:
        services.program_create(data=program_data({city_a: 5, city_c: 5}), by=carol)

    assert caught.value.message_dict == {
        "cities": ["These cities are not active partners of your city: Siheung."]
    }
    assert snapshot() == before


def test_program_create_with_planned_partner_is_refused(carol, city_a, city_planned):
    before = snapshot()

    with pytest.raises(ValidationError) as caught:
        services.program_create(data=program_data({city_a: 5, city_planned: 5}), by=carol)

    assert caught.value.message_dict == {
        "cities": ["These cities are not active partners of your city: Milpitas."]
    }
    assert snapshot() == before


def test_program_create_without_own_city_is_refused(oscar, city_a, city_b):
    before = snapshot()

    with pytest.raises(ValidationError) as caught:
        services.program_create(data=program_data({city_a: 5, city_b: 5}), by=oscar)

    assert caught.value.message_dict == {
        "cities": ["Include at least one city whose coordinator team you belong to."]
    }
    assert snapshot() == before


def test_program_create_with_one_city_is_refused(carol, city_a):
    before = snapshot()

    with pytest.raises(ValidationError) as caught:
        services.program_create(data=program_data({city_a: 5}), by=carol)

    assert caught.value.message_dict == {"cities": ["A program needs at least two cities."]}
    assert snapshot() == before


def test_program_create_by_student_is_refused(alice, city_a, city_b):
    before = snapshot()

    with pytest.raises(ValidationError) as caught:
        services.program_create(data=program_data({city_a: 5, city_b: 5}), by=alice)

    assert caught.value.message_dict == {
        "cities": ["Include at least one city whose coordinator team you belong to."]
    }
    assert snapshot() == before


def test_program_create_with_every_mistake_reports_each_beside_its_field(carol, city_a, city_b):
    now = timezone.now()
    today = timezone.localdate()
    data = program_data(
        {city_a: 5, city_b: 5},
        applications_open=now + timedelta(days=30),
        applications_close=now + timedelta(days=20),
        starts_on=today + timedelta(days=10),
        ends_on=today + timedelta(days=5),
        min_age=18,
        max_age=14,
        working_languages=[],
        themes=[],
    )
    before = snapshot()

    with pytest.raises(ValidationError) as caught:
        services.program_create(data=data, by=carol)

    assert caught.value.message_dict == {
        "applications_close": [
            "Applications must close after they open.",
            "Applications must close before the program starts.",
        ],
        "ends_on": ["The program can’t end before it starts."],
        "max_age": ["The maximum age can’t be below the minimum age."],
        "working_languages": ["Choose at least one language."],
        "themes": ["Choose at least one theme."],
    }
    assert snapshot() == before


def test_program_create_with_too_long_title_writes_nothing(carol, city_a, city_b):
    before = snapshot()

    with pytest.raises(ValidationError) as caught:
        services.program_create(
            data=program_data({city_a: 5, city_b: 5}, title="x" * 201), by=carol
        )

    assert caught.value.message_dict == {
        "title": ["Ensure this value has at most 200 characters (it has 201)."]
    }
    assert snapshot() == before


def test_program_create_with_zero_places_is_refused_and_writes_nothing(carol, city_a, city_b):
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        services.program_create(data=program_data({city_a: 5, city_b: 0}), by=carol)

    assert excinfo.value.message_dict == {"cities": ["Each city offers between 1 and 500 places."]}
    assert snapshot() == before


# --- program_update ----------------------------------------------------------------------


@pytest.mark.parametrize("editor", ["carol", "bob"])
def test_program_update_by_either_city_saves_changes(request, editor, program_ab, city_a, city_b):
    user = request.getfixturevalue(editor)
    # Places belong to their city: each editor changes their own city's.
    places = {city_a: 7, city_b: 5} if editor == "carol" else {city_a: 5, city_b: 2}
    data = program_data(
        places,
        title="Renamed by " + editor,
        themes=list(Theme.objects.filter(slug="music")),
        working_languages=list(Language.objects.filter(code="en")),
    )

    services.program_update(program=program_ab, data=data, by=user)

    program = Program.objects.get(pk=program_ab.pk)
    assert program.title == "Renamed by " + editor
    assert program.status == Program.Status.OPEN
    assert program.created_by.email == "carol@example.org"
    assert quotas_of(program) == (
        {"gwangju-gyeonggi": 7, "zibo": 5}
        if editor == "carol"
        else {"gwangju-gyeonggi": 5, "zibo": 2}
    )
    assert list(program.themes.values_list("slug", flat=True)) == ["music"]
    assert list(program.working_languages.values_list("code", flat=True)) == ["en"]


def test_program_update_dropping_a_city_removes_its_places(carol, program_ab, city_a, city_d):
    # Only a city's own coordinators take it out of a program; an open program takes in only
    # cities that have a coordinator.
    CoordinatorMembership.objects.create(user=carol, city=program_ab.cities.get(slug="zibo"))
    CoordinatorMembership.objects.create(user=carol, city=city_d)
    services.program_update(program=program_ab, data=program_data({city_a: 5, city_d: 4}), by=carol)

    assert quotas_of(program_ab) == {"gwangju-gyeonggi": 5, "hue": 4}


def test_program_update_by_partner_keeps_cities_the_other_side_invited(
    bob, carol, city_a, city_b, city_d
):
    """D is A's partner, not B's. Carol invited it; Bob must still be able to save the program."""
    program = services.program_create(
        data=program_data({city_a: 5, city_b: 5, city_d: 2}), by=carol
    )

    services.program_update(
        program=program,
        data=program_data({city_a: 5, city_b: 6, city_d: 2}, title="Bob's edit"),
        by=bob,
    )

    program.refresh_from_db()
    assert program.title == "Bob's edit"
    assert quotas_of(program) == {"gwangju-gyeonggi": 5, "zibo": 6, "hue": 2}


def test_program_update_by_partner_cannot_add_a_stranger_to_it(
    bob, carol, city_a, city_b, city_d, city_c
):
    program = services.program_create(data=program_data({city_a: 5, city_b: 5}), by=carol)
    before = snapshot()

    with pytest.raises(ValidationError) as caught:
        services.program_update(
            program=program, data=program_data({city_a: 5, city_b: 5, city_d: 2}), by=bob
        )

    assert caught.value.message_dict == {
        "cities": ["These cities are not active partners of your city: Hue."]
    }
    assert snapshot() == before


def test_program_update_by_outsider_is_refused(oscar, program_ab, city_a, city_b):
    before = snapshot()

    with pytest.raises(ValidationError) as caught:
        services.program_update(
            program=program_ab, data=program_data({city_a: 5, city_b: 5}), by=oscar
        )

    assert caught.value.message_dict == {
        "cities": ["Include at least one city whose coordinator team you belong to."]
    }
    assert snapshot() == before


def test_program_update_with_invalid_dates_writes_nothing(carol, program_ab, city_a, city_b):
    today = timezone.localdate()
    data = program_data(
        {city_a: 9, city_b: 9},
        title="Should not be saved",
        starts_on=today + timedelta(days=40),
        ends_on=today + timedelta(days=39),
    )
    before = snapshot()

    with pytest.raises(ValidationError) as caught:
        services.program_update(program=program_ab, data=data, by=carol)

    assert caught.value.message_dict == {"ends_on": ["The program can’t end before it starts."]}
    assert snapshot() == before


def test_program_update_with_too_many_places_keeps_the_old_program(
    carol, program_ab, city_a, city_d
):
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        services.program_update(
            program=program_ab,
            data=program_data({city_a: 5, city_d: 501}, title="Half written"),
            by=carol,
        )

    assert excinfo.value.message_dict == {"cities": ["Each city offers between 1 and 500 places."]}
    assert snapshot() == before


# --- program_set_status ------------------------------------------------------------------

STATUSES = [s.value for s in Program.Status]
ALLOWED = {
    ("draft", "open"),
    ("open", "closed"),
    ("closed", "open"),
    ("closed", "running"),
    ("running", "completed"),
}


@pytest.mark.parametrize(("old", "new"), sorted(ALLOWED))
def test_program_set_status_allowed_transition_saves(carol, bob, city_a, city_b, old, new):
    program = factories.ProgramFactory(cities={city_a: 2, city_b: 2}, status=old)

    result = services.program_set_status(program=program, status=new, by=carol)

    assert result.status == new
    assert Program.objects.get(pk=program.pk).status == new


@pytest.mark.parametrize(
    ("old", "new"),
    [pair for pair in itertools.product(STATUSES, STATUSES) if pair not in ALLOWED],
)
def test_program_set_status_other_transition_is_refused(carol, city_a, city_b, old, new):
    program = factories.ProgramFactory(cities={city_a: 2, city_b: 2}, status=old)
    before = snapshot()

    with pytest.raises(ValidationError) as caught:
        services.program_set_status(program=program, status=new, by=carol)

    old_label = Program.Status(old).label
    new_label = Program.Status(new).label
    assert caught.value.messages == [f"A program can’t go from “{old_label}” to “{new_label}”."]
    assert snapshot() == before


def test_program_set_status_unknown_status_is_refused(carol, program_ab):
    before = snapshot()

    with pytest.raises(ValidationError) as caught:
        services.program_set_status(program=program_ab, status="archived", by=carol)

    assert caught.value.messages == [
        "A program can’t go from “Open for applications” to “archived”."
    ]
    assert snapshot() == before


def test_program_set_status_reopening_after_deadline_is_refused(carol, city_a, city_b):
    now = timezone.now()
    program = factories.ProgramFactory(
        cities={city_a: 2, city_b: 2},
        status="closed",
        applications_open=now - timedelta(days=10),
        applications_close=now - timedelta(minutes=1),
    )
    before = snapshot()

    with pytest.raises(ValidationError) as caught:
        services.program_set_status(program=program, status="open", by=carol)

    assert caught.value.messages == [
        "The application deadline has passed. Move it later before opening the program."
    ]
    assert snapshot() == before


def test_program_set_status_uses_the_saved_status_not_a_stale_copy(carol, program_ab):
    stale = Program.objects.get(pk=program_ab.pk)
    services.program_set_status(program=program_ab, status="closed", by=carol)

    services.program_set_status(program=stale, status="running", by=carol)

    assert Program.objects.get(pk=program_ab.pk).status == "running"
