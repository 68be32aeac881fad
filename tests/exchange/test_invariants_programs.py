"""Places belong to their city, and a program opens only when it can be supervised.

Found from outside: the Zibo coordinator posted the program form with Gwangju's places set to 1
(6 already held) and later to 50; both were saved and nothing was audited.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import Theme
from exchange.models import AuditEntry, Program, ProgramCity
from exchange.services.programs import ProgramData, program_set_status, program_update
from tests import factories

pytestmark = pytest.mark.django_db


def data_for(program: Program, quotas: dict) -> ProgramData:
    return ProgramData(
        kind=program.kind,
        title=program.title,
        description=program.description,
        themes=list(program.themes.all()) or [Theme.objects.get(slug="ceramics")],
        quotas=quotas,
        applications_open=program.applications_open,
        applications_close=program.applications_close,
        starts_on=program.starts_on,
        ends_on=program.ends_on,
        min_age=program.min_age,
        max_age=program.max_age,
        working_languages=list(program.working_languages.all()),
    )


def quotas(program: Program) -> dict[str, int]:
    return {pc.city.slug: pc.quota for pc in ProgramCity.objects.filter(program=program)}


def form(program: Program, places: dict) -> dict:
    now = timezone.localtime(program.applications_open)
    close = timezone.localtime(program.applications_close)
    return {
        "kind": program.kind,
        "title": program.title,
        "description": program.description,
        "themes": [t.pk for t in program.themes.all()],
        "applications_open": now.strftime("%Y-%m-%dT%H:%M"),
        "applications_close": close.strftime("%Y-%m-%dT%H:%M"),
        "starts_on": program.starts_on.isoformat(),
        "ends_on": program.ends_on.isoformat(),
        "min_age": str(program.min_age),
        "max_age": str(program.max_age),
        "working_languages": [lang.code for lang in program.working_languages.all()],
        **{f"quota_{city.pk}": str(n) for city, n in places.items()},
    }


def holding(program, city, count: int) -> None:
    for n in range(count):
        student = factories.StudentFactory(email=f"s{city.pk}-{n}@example.org", home_city=city)
        factories.ApplicationFactory(program=program, student=student, state="confirmed")


@pytest.mark.parametrize("new_places", [1, 50])
def test_a_partner_city_cannot_change_another_citys_places(
    program_ab, city_a, city_b, bob, new_places
):
    holding(program_ab, city_a, 3)
    before = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as refused:
        program_update(
            program=program_ab, data=data_for(program_ab, {city_a: new_places, city_b: 5}), by=bob
        )

    assert refused.value.message_dict == {
        "cities": [
            f"Only the coordinators of {city_a.name_en} change its places or take it out of the "
            "program."
        ]
    }
    assert quotas(program_ab) == {"gwangju-gyeonggi": 5, "zibo": 5}
    assert AuditEntry.objects.count() == before


def test_a_partner_city_cannot_take_another_city_out(program_ab, city_a, city_b, city_d, bob):
    factories.CoordinatorFactory(email="hue@example.org", cities=[city_d])
    program = factories.ProgramFactory(cities={city_a: 5, city_b: 5, city_d: 3})

    with pytest.raises(ValidationError) as refused:
        program_update(program=program, data=data_for(program, {city_a: 5, city_b: 5}), by=bob)

    assert refused.value.message_dict == {
        "cities": [
            f"Only the coordinators of {city_d.name_en} change its places or take it out of the "
            "program."
        ]
    }
    assert ProgramCity.objects.filter(program=program).count() == 3


def test_a_city_never_goes_below_the_places_it_holds(program_ab, city_a, city_b, carol):
    holding(program_ab, city_a, 4)

    with pytest.raises(ValidationError) as refused:
        program_update(
            program=program_ab, data=data_for(program_ab, {city_a: 3, city_b: 5}), by=carol
        )

    assert refused.value.message_dict == {
        "cities": [f"{city_a.name_en} can’t offer fewer places than its applicants hold (4)."]
    }
    assert quotas(program_ab) == {"gwangju-gyeonggi": 5, "zibo": 5}


def test_own_city_changes_are_saved_and_audited_with_old_and_new(program_ab, city_a, city_b, carol):
    holding(program_ab, city_a, 4)

    program_update(program=program_ab, data=data_for(program_ab, {city_a: 4, city_b: 5}), by=carol)

    assert quotas(program_ab) == {"gwangju-gyeonggi": 4, "zibo": 5}
    entries = AuditEntry.objects.filter(action="places-change")
    assert sorted((e.city_id, e.actor, e.detail) for e in entries) == sorted(
        [
            (city_a.pk, carol, f"{city_a.name_en}: 5 → 4"),
            (city_b.pk, carol, f"{city_a.name_en}: 5 → 4"),
        ]
    )


def test_the_form_shows_the_partners_places_read_only_and_a_forged_post_keeps_them(
    client, program_ab, city_a, city_b, bob
):
    holding(program_ab, city_a, 3)
    client.force_login(bob)

    page = client.get(f"/programs/{program_ab.pk}/edit/")
    response = client.post(
        f"/programs/{program_ab.pk}/edit/", form(program_ab, {city_a: 1, city_b: 7})
    )

    fields = page.context["form"].fields
    assert (fields[f"quota_{city_a.pk}"].disabled, fields[f"quota_{city_b.pk}"].disabled) == (
        True,
        False,
    )
    assert (
        f'name="quota_{city_a.pk}" value="5"' in page.content.decode().replace(" disabled", "")
        or "disabled" in page.content.decode()
    )
    assert response.status_code == 302
    assert quotas(program_ab) == {"gwangju-gyeonggi": 5, "zibo": 7}
    assert [e.detail for e in AuditEntry.objects.filter(action="places-change", city=city_a)] == [
        f"{city_b.name_en}: 5 → 7"
    ]


# --- A program opens only when it can be supervised ---------------------------------------


@pytest.fixture
def draft(city_a, city_b, city_d, carol):
    return factories.ProgramFactory(
        cities={city_a: 5, city_b: 5, city_d: 3},
        created_by=carol,
        status="draft",
        applications_close=timezone.now() + timedelta(days=10),
    )


def test_a_program_does_not_open_while_a_city_has_no_coordinator(draft, carol, bob, city_d):
    with pytest.raises(ValidationError) as refused:
        program_set_status(program=draft, status="open", by=carol)

    assert (refused.value.code, refused.value.messages) == (
        "unsupervised",
        [
            "Every city taking part needs a coordinator before the program opens. None yet: "
            f"{city_d.name_en}."
        ],
    )
    assert Program.objects.get(pk=draft.pk).status == "draft"


def test_a_program_does_not_open_with_one_coordinator_for_all_its_cities(city_a, city_b, carol):
    from accounts.models import CoordinatorMembership

    CoordinatorMembership.objects.create(user=carol, city=city_b)
    program = factories.ProgramFactory(cities={city_a: 5, city_b: 5}, status="draft")

    with pytest.raises(ValidationError) as refused:
        program_set_status(program=program, status="open", by=carol)

    assert refused.value.messages == [
        "A program opens with at least 2 coordinators among its cities, so that two adults look "
        "after every chat room. It has 1."
    ]


def test_a_program_opens_once_every_city_has_a_coordinator(draft, carol, bob, city_d):
    factories.CoordinatorFactory(email="hue@example.org", cities=[city_d])

    program_set_status(program=draft, status="open", by=carol)

    assert Program.objects.get(pk=draft.pk).status == "open"


def test_the_admin_shows_programs_and_their_places_but_changes_neither(client, program_ab):
    staff = factories.StaffFactory(email="staff@example.org")
    client.force_login(staff)
    url = f"/admin/exchange/program/{program_ab.pk}/change/"

    page = client.get(url)
    posted = client.post(url, {"title": "Changed in the admin", "status": "draft"})

    assert page.status_code == 200
    assert posted.status_code == 403
    assert Program.objects.get(pk=program_ab.pk).title == program_ab.title
    assert quotas(program_ab) == {"gwangju-gyeonggi": 5, "zibo": 5}


def test_an_open_program_takes_in_no_city_without_a_coordinator(program_ab, city_a, city_b, carol):
    andong = factories.CityFactory(slug="andong", name_en="Andong", name_local="안동")
    factories.PartnershipFactory(cities=(city_a, andong), kind="friendship", since=2010)

    with pytest.raises(ValidationError) as refused:
        program_update(
            program=program_ab,
            data=data_for(program_ab, {city_a: 5, city_b: 5, andong: 3}),
            by=carol,
        )

    assert refused.value.message_dict == {
        "cities": [
            "Andong has no coordinator yet: a program that is no longer a draft takes in only "
            "cities whose coordinators can look after their students."
        ]
    }
    assert quotas(program_ab) == {"gwangju-gyeonggi": 5, "zibo": 5}


def test_a_city_nobody_coordinates_and_without_places_can_be_dropped(city_a, city_b, carol):
    andong = factories.CityFactory(slug="andong", name_en="Andong", name_local="안동")
    program = factories.ProgramFactory(cities={city_a: 5, city_b: 5, andong: 3}, status="draft")

    program_update(program=program, data=data_for(program, {city_a: 5, city_b: 5}), by=carol)

    assert quotas(program) == {"gwangju-gyeonggi": 5, "zibo": 5}
    assert [e.detail for e in AuditEntry.objects.filter(action="places-change", city=city_a)] == [
        "Andong: 3 → –"
    ]
