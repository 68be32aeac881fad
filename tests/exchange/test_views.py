"""Pages of the exchange app: who may open each one, and what it shows them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Theme
from exchange.models import Program, ProgramCity
from tests import factories
from tests.helpers import PERSONAS, login_redirect, sign_in, table

# Every test here touches the database, including those that reach it through
# request.getfixturevalue: marking them lets pytest-django run them with the other
# database tests, before any transactional test flushes the migrated vocabulary.
pytestmark = pytest.mark.django_db


# --- public pages ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/programs/",
        "/cities/",
        "/cities/gwangju-gyeonggi/",
        "/cities/zibo/",
        "/cities/siheung/",
    ],
)
def test_public_page_opens_for_everyone(request, client, city_c, program_ab, persona, url):
    sign_in(request, client, persona)

    response = client.get(url)

    assert response.status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_program_detail_open_program_opens_for_everyone(request, client, program_ab, persona):
    sign_in(request, client, persona)

    response = client.get(f"/programs/{program_ab.pk}/")

    assert response.status_code == 200
    assert response.context["program"] == program_ab


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 404, "alice": 404, "mina": 404, "carol": 200, "bob": 200, "oscar": 404}),
)
def test_program_detail_draft_opens_for_its_coordinators_only(
    request, client, draft_ab, persona, status
):
    sign_in(request, client, persona)

    response = client.get(f"/programs/{draft_ab.pk}/")

    assert response.status_code == status
    if status == 404:
        assert "Draft exchange" not in response.content.decode()
        assert response.templates[0].name == "404.html"


@pytest.mark.parametrize("persona", PERSONAS)
def test_program_detail_unknown_program_is_not_found(request, client, city_b, persona):
    sign_in(request, client, persona)

    response = client.get("/programs/999999/")

    assert response.status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_city_detail_unknown_city_is_not_found(request, client, city_b, persona):
    sign_in(request, client, persona)

    assert client.get("/cities/atlantis/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "can_edit"),
    table(
        {
            "anonymous": False,
            "alice": False,
            "mina": False,
            "carol": True,
            "bob": True,
            "oscar": False,
        }
    ),
)
def test_program_detail_shows_coordinator_tools_to_its_coordinators(
    request, client, program_ab, persona, can_edit
):
    sign_in(request, client, persona)

    response = client.get(f"/programs/{program_ab.pk}/")

    assert response.context["can_edit"] is can_edit
    assert ("Coordinator tools" in response.content.decode()) is can_edit
    assert (f"/programs/{program_ab.pk}/edit/" in response.content.decode()) is can_edit


def test_program_detail_tells_student_their_age_on_the_first_day(client, alice, program_ab):
    client.force_login(alice)

    response = client.get(f"/programs/{program_ab.pk}/")

    assert response.context["student_age"] == 17
    assert "You will be 17 when the program starts: your age fits." in response.content.decode()


def test_program_detail_offers_next_statuses_to_coordinator(client, carol, draft_ab):
    client.force_login(carol)

    response = client.get(f"/programs/{draft_ab.pk}/")

    assert response.context["next_statuses"] == [Program.Status.OPEN]
    assert "Set status: Open for applications" in response.content.decode()


# --- pages behind the login --------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/coordinate/",
        "/programs/new/",
        "/programs/{program_ab}/edit/",
        "/programs/{draft_ab}/edit/",
        "/me/profile/",
        "/me/consent/",
    ],
)
def test_protected_page_redirects_anonymous_to_login(client, program_ab, draft_ab, url):
    url = url.format(program_ab=program_ab.pk, draft_ab=draft_ab.pk)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == login_redirect(url)


def test_program_status_redirects_anonymous_to_login(client, program_ab):
    url = f"/programs/{program_ab.pk}/status/"

    response = client.post(url, {"status": "closed"})

    assert response.status_code == 302
    assert response.url == login_redirect(url)
    assert Program.objects.get(pk=program_ab.pk).status == "open"


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 200, "oscar": 200}),
)
def test_coordinator_dashboard_opens_for_coordinators(request, client, program_ab, persona, status):
    sign_in(request, client, persona)

    response = client.get("/coordinate/")

    assert response.status_code == status
    if status == 403:
        assert response.templates[0].name == "403.html"


def test_coordinator_dashboard_lists_programs_of_own_cities(
    client, bob, program_ab, draft_ab, city_c, city_a
):
    factories.ProgramFactory(title="Not Bob's", cities={city_a: 1, city_c: 1})
    client.force_login(bob)

    response = client.get("/coordinate/")

    assert sorted(p.title for p in response.context["programs"]) == sorted(
        [program_ab.title, "Draft exchange"]
    )
    assert [c.slug for c in response.context["my_cities"]] == ["zibo"]


def test_coordinator_dashboard_for_outsider_lists_nothing(client, oscar, program_ab):
    client.force_login(oscar)

    response = client.get("/coordinate/")

    assert list(response.context["programs"]) == []
    assert "None of your cities takes part in a program yet." in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 200, "oscar": 200}),
)
def test_program_create_page_opens_for_coordinators(request, client, city_c, persona, status):
    sign_in(request, client, persona)

    response = client.get("/programs/new/")

    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 200, "oscar": 403}),
)
@pytest.mark.parametrize("program", ["program_ab", "draft_ab"])
def test_program_edit_page_opens_for_coordinators_of_its_cities(
    request, client, persona, status, program
):
    program = request.getfixturevalue(program)
    sign_in(request, client, persona)

    response = client.get(f"/programs/{program.pk}/edit/")

    assert response.status_code == status


@pytest.mark.parametrize("persona", ["carol", "bob", "oscar"])
def test_program_edit_unknown_program_is_not_found(request, client, city_c, city_b, persona):
    sign_in(request, client, persona)

    assert client.get("/programs/999999/edit/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "status", "saved"),
    [
        ("alice", 403, "open"),
        ("mina", 403, "open"),
        ("carol", 302, "closed"),
        ("bob", 302, "closed"),
        ("oscar", 403, "open"),
    ],
)
def test_program_status_changes_only_for_coordinators_of_its_cities(
    request, client, program_ab, persona, status, saved
):
    sign_in(request, client, persona)

    response = client.post(f"/programs/{program_ab.pk}/status/", {"status": "closed"})

    assert response.status_code == status
    assert Program.objects.get(pk=program_ab.pk).status == saved
    if status == 302:
        assert response.url == f"/programs/{program_ab.pk}/"


@pytest.mark.parametrize("persona", PERSONAS)
def test_program_status_by_get_is_not_allowed(request, client, program_ab, persona):
    sign_in(request, client, persona)

    response = client.get(f"/programs/{program_ab.pk}/status/")

    assert response.status_code == 405


def test_program_status_forbidden_transition_shows_why(client, carol, program_ab):
    client.force_login(carol)

    response = client.post(
        f"/programs/{program_ab.pk}/status/", {"status": "completed"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "A program can’t go from “Open for applications” to “Completed”."
    ]
    assert Program.objects.get(pk=program_ab.pk).status == "open"


def test_program_status_unknown_value_shows_error(client, carol, program_ab):
    client.force_login(carol)

    response = client.post(
        f"/programs/{program_ab.pk}/status/", {"status": "archived"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == ["Choose a valid status."]
    assert Program.objects.get(pk=program_ab.pk).status == "open"


@pytest.mark.parametrize("persona", ["carol", "bob"])
def test_program_status_draft_opened_by_either_city(request, client, draft_ab, carol, bob, persona):
    sign_in(request, client, persona)

    response = client.post(f"/programs/{draft_ab.pk}/status/", {"status": "open"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["The program’s status was changed."]
    assert Program.objects.get(pk=draft_ab.pk).status == "open"


# --- creating and editing programs -------------------------------------------------------


def program_post(quotas: dict, **overrides) -> dict:
    now = timezone.localtime()
    today = timezone.localdate()
    data = {
        "kind": "visit",
        "title": "Ceramics summer",
        "description": "Two weeks at the kilns.",
        "themes": [Theme.objects.get(slug="ceramics").pk],
        "applications_open": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "applications_close": (now + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        "starts_on": (today + timedelta(days=40)).isoformat(),
        "ends_on": (today + timedelta(days=50)).isoformat(),
        "min_age": "14",
        "max_age": "18",
        "working_languages": ["ko", "zh"],
        **{f"quota_{city.pk}": str(places) for city, places in quotas.items()},
    }
    data.update(overrides)
    return data


def rows() -> tuple[int, int]:
    return Program.objects.count(), ProgramCity.objects.count()


def test_program_create_form_offers_own_city_and_active_partners(client, carol, city_b, city_c):
    client.force_login(carol)

    response = client.get("/programs/new/")

    assert [c.slug for c in response.context["form"].cities] == ["gwangju-gyeonggi", "zibo"]


def test_program_create_by_coordinator_saves_draft_and_redirects(client, carol, city_a, city_b):
    client.force_login(carol)

    response = client.post("/programs/new/", program_post({city_a: 5, city_b: 4}))

    program = Program.objects.get()
    assert response.status_code == 302
    assert response.url == f"/programs/{program.pk}/"
    assert program.status == "draft"
    assert program.created_by == carol
    assert {pc.city.slug: pc.quota for pc in program.program_cities.all()} == {
        "gwangju-gyeonggi": 5,
        "zibo": 4,
    }


def test_program_create_with_unrelated_city_is_refused(client, carol, city_a, city_c):
    """Siheung is no partner of A: it has no places field, so A is left alone and refused."""
    client.force_login(carol)
    before = rows()

    response = client.post("/programs/new/", program_post({city_a: 5, city_c: 5}))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "A program needs at least two cities, each with its places."
    ]
    assert rows() == before


def test_program_create_with_bad_dates_shows_error_beside_field(client, carol, city_a, city_b):
    client.force_login(carol)
    today = timezone.localdate()
    before = rows()

    response = client.post(
        "/programs/new/",
        program_post(
            {city_a: 5, city_b: 5},
            starts_on=(today + timedelta(days=40)).isoformat(),
            ends_on=(today + timedelta(days=30)).isoformat(),
        ),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "ends_on": ["The program can’t end before it starts."]
    }
    assert '<ul class="errorlist" id="id_ends_on_error">' in response.content.decode()
    assert rows() == before


def test_program_create_by_student_writes_nothing(client, alice, city_a, city_b):
    client.force_login(alice)
    before = rows()

    response = client.post("/programs/new/", program_post({city_a: 5, city_b: 5}))

    assert response.status_code == 403
    assert rows() == before


@pytest.mark.parametrize("persona", ["carol", "bob"])
def test_program_edit_by_either_city_saves(request, client, program_ab, city_a, city_b, persona):
    sign_in(request, client, persona)

    # Each city changes its own places only; the partner's field is read-only.
    quotas = {city_a: 8, city_b: 5} if persona == "carol" else {city_a: 5, city_b: 6}
    response = client.post(
        f"/programs/{program_ab.pk}/edit/", program_post(quotas, title=f"Edited by {persona}")
    )

    assert response.status_code == 302
    program = Program.objects.get(pk=program_ab.pk)
    assert program.title == f"Edited by {persona}"
    assert {pc.city.slug: pc.quota for pc in program.program_cities.all()} == {
        "gwangju-gyeonggi": 8 if persona == "carol" else 5,
        "zibo": 5 if persona == "carol" else 6,
    }


@pytest.mark.parametrize("persona", ["alice", "oscar"])
def test_program_edit_by_stranger_writes_nothing(
    request, client, program_ab, city_a, city_b, persona
):
    sign_in(request, client, persona)

    response = client.post(
        f"/programs/{program_ab.pk}/edit/", program_post({city_a: 8, city_b: 6}, title="Hijacked")
    )

    assert response.status_code == 403
    assert Program.objects.get(pk=program_ab.pk).title == program_ab.title


def test_program_edit_by_partner_keeps_cities_the_other_side_invited(
    client, bob, carol, city_a, city_b
):
    """Hue is A's partner, not B's: Bob's form still lists it, and his save keeps it."""
    city_d = factories.CityFactory(slug="hue", name_local="Huế", name_en="Hue", country="VN")
    factories.PartnershipFactory(cities=(city_a, city_d), kind="friendship", since=2015)
    program = factories.ProgramFactory(cities={city_a: 5, city_b: 5, city_d: 2}, created_by=carol)
    client.force_login(bob)

    page = client.get(f"/programs/{program.pk}/edit/")
    response = client.post(
        f"/programs/{program.pk}/edit/",
        program_post({city_a: 5, city_b: 6, city_d: 2}, title="Bob's edit"),
    )

    assert [c.slug for c in page.context["form"].cities] == ["zibo", "gwangju-gyeonggi", "hue"]
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.title == "Bob's edit"
    assert {pc.city.slug: pc.quota for pc in program.program_cities.all()} == {
        "gwangju-gyeonggi": 5,
        "zibo": 6,
        "hue": 2,
    }


def test_program_edit_page_starts_from_the_saved_program(client, bob, program_ab, city_a, city_b):
    client.force_login(bob)

    response = client.get(f"/programs/{program_ab.pk}/edit/")

    form = response.context["form"]
    assert form.initial["title"] == program_ab.title
    assert form.initial[f"quota_{city_a.pk}"] == 5
    assert form.initial[f"quota_{city_b.pk}"] == 5
    assert [c.slug for c in form.cities] == ["zibo", "gwangju-gyeonggi"]


# --- the program list's filters ----------------------------------------------------------


def test_program_list_filters_by_query_string(client, program_ab, city_a, city_c):
    factories.ProgramFactory(title="Online talk", kind="online", cities={city_a: 1, city_c: 1})

    response = client.get("/programs/", {"kind": "online"})

    assert [p.title for p in response.context["programs"]] == ["Online talk"]


def test_program_list_unknown_filter_value_shows_error_and_no_programs(client, program_ab):
    response = client.get("/programs/", {"city": "atlantis"})

    assert response.context["programs"] == []
    assert response.context["form"].errors == {
        "city": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert "Please correct the filters marked above." in response.content.decode()


def test_program_list_fits_my_age_uses_age_on_start_date(client, alice, city_a, city_b):
    """Alice is 17 today; a 14-17 program starting after her birthday no longer fits her."""
    birthday = alice.date_of_birth.replace(year=alice.date_of_birth.year + 18)
    factories.ProgramFactory(
        title="Before 18",
        cities={city_a: 1, city_b: 1},
        max_age=17,
        starts_on=birthday - timedelta(days=1),
        ends_on=birthday,
    )
    factories.ProgramFactory(
        title="After 18",
        cities={city_a: 1, city_b: 1},
        max_age=17,
        starts_on=birthday,
        ends_on=birthday + timedelta(days=3),
    )
    client.force_login(alice)

    response = client.get("/programs/", {"fits_my_age": "on"})

    assert [p.title for p in response.context["programs"]] == ["Before 18"]
    assert response.context["age_note"] is None


def test_program_list_fits_my_age_anonymous_gets_a_note(client, program_ab):
    response = client.get("/programs/", {"fits_my_age": "on"})

    assert [p.title for p in response.context["programs"]] == [program_ab.title]
    assert response.context["age_note"] == "Sign in and add your date of birth to filter by age."


# --- list views read in a fixed number of queries ----------------------------------------


@pytest.fixture
def programs_of(city_a, city_b, carol):
    def create(n: int) -> None:
        for i in range(n):
            factories.ProgramFactory(
                title=f"Program {i}",
                cities={city_a: 2, city_b: 2},
                created_by=carol,
                themes=["ceramics", "music"],
                languages=["ko", "zh", "en"],
            )

    return create


@pytest.mark.parametrize("n", [1, 3])
def test_program_list_queries_do_not_grow_with_programs(
    client, programs_of, n, django_assert_num_queries
):
    programs_of(n)
    client.get("/programs/")  # warms process-wide caches, so the count is the page's own

    # programs + 3 prefetches, and the filter form's city and language choices
    with django_assert_num_queries(6):
        response = client.get("/programs/")

    assert len(response.context["programs"]) == n


@pytest.mark.parametrize("n", [1, 3])
def test_program_list_for_student_queries_do_not_grow_with_programs(
    client, alice, programs_of, n, django_assert_num_queries
):
    programs_of(n)
    client.force_login(alice)
    client.get("/programs/")

    # session, user, home city, consent, memberships, user and group permissions + the page's 6
    with django_assert_num_queries(13):
        response = client.get("/programs/", {"fits_my_age": "on"})

    assert len(response.context["programs"]) == n


@pytest.mark.parametrize("n", [1, 3])
def test_home_queries_do_not_grow_with_programs(client, programs_of, n, django_assert_num_queries):
    programs_of(n)
    client.get("/")

    with django_assert_num_queries(5):
        response = client.get("/")

    assert len(response.context["featured"]) == n


@pytest.mark.parametrize("n", [1, 3])
def test_coordinator_dashboard_queries_do_not_grow_with_programs(
    client, carol, programs_of, n, django_assert_num_queries
):
    programs_of(n)
    client.force_login(carol)
    client.get("/coordinate/")

    # session, user, home city, memberships, second factor (middleware), my cities, programs
    # + 3 prefetches
    with django_assert_num_queries(10):
        response = client.get("/coordinate/")

    assert len(response.context["programs"]) == n


@pytest.mark.parametrize("n", [1, 3])
def test_city_list_queries_do_not_grow_with_cities(client, city_a, n, django_assert_num_queries):
    for i in range(n):
        partner = factories.CityFactory(slug=f"partner-{i}")
        factories.PartnershipFactory(cities=(city_a, partner))
    client.get("/cities/")

    with django_assert_num_queries(2):
        response = client.get("/cities/")

    assert {c.slug: count for c, count in response.context["cities"]} == {
        "gwangju-gyeonggi": n,
        **{f"partner-{i}": 1 for i in range(n)},
    }


@pytest.mark.parametrize("n", [1, 3])
def test_city_detail_queries_do_not_grow_with_partners_and_programs(
    client, city_a, programs_of, n, django_assert_num_queries
):
    programs_of(n)
    for i in range(n):
        partner = factories.CityFactory(slug=f"partner-{i}")
        factories.PartnershipFactory(cities=(city_a, partner))
    client.get("/cities/gwangju-gyeonggi/")

    with django_assert_num_queries(6):
        response = client.get("/cities/gwangju-gyeonggi/")

    assert len(response.context["network"]) == n + 1
    assert len(response.context["programs"]) == n


@pytest.mark.parametrize(
    ("language", "window", "queue"),
    [
        ("ko", "모집 기간", "지원서"),
        ("zh-hans", "申请时间", "申请表"),
        ("vi", "Thời gian nhận đơn", "Hồ sơ đăng ký"),
        ("ja", "応募受付期間", "応募書類"),
    ],
)
def test_applications_the_window_and_applications_the_queue_are_two_words(
    client, carol, program_ab, language, window, queue
):
    """Found on the embedded default: one msgid served both, and every language chose the
    window ("application period") for the review queue's tab, button and column too."""
    carol.preferred_language = language
    carol.save(update_fields=["preferred_language"])
    client.force_login(carol)

    detail = client.get(f"/programs/{program_ab.pk}/").content.decode()
    queue_page = client.get(f"/coordinate/programs/{program_ab.pk}/applications/").content.decode()
    desk = client.get("/coordinate/").content.decode()

    assert f"<dt>{window}</dt>" in detail
    assert f">{queue}</a>" in detail
    assert f">{queue}</a>" in queue_page
    assert f'<th scope="col">{queue}</th>' in desk
