"""Program filters and the city network, read straight from the selectors."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from exchange.selectors import programs as selectors
from exchange.selectors.programs import ProgramFilters
from tests import factories

# Every test here touches the database, including those that reach it through
# request.getfixturevalue: marking them lets pytest-django run them with the other
# database tests, before any transactional test flushes the migrated vocabulary.
pytestmark = pytest.mark.django_db


def titles(filters: ProgramFilters) -> list[str]:
    return [p.title for p in selectors.program_list_open(filters=filters)]


@pytest.fixture
def catalogue(city_a, city_b, city_d):
    """Four open programs that differ in one thing each, plus three that are not open."""
    now = timezone.now()
    close = now + timedelta(days=30)
    factories.ProgramFactory(
        title="Kilns",
        cities={city_a: 2, city_b: 2},
        themes=["ceramics", "history"],
        languages=["ko", "zh"],
        applications_close=close,
    )
    factories.ProgramFactory(
        title="Online debate",
        kind="online",
        cities={city_a: 9, city_d: 9},
        themes=["media"],
        languages=["en"],
        applications_close=close + timedelta(hours=1),
    )
    factories.ProgramFactory(
        title="Farm week",
        cities={city_b: 3, city_d: 3},
        themes=["agriculture"],
        languages=["zh", "vi"],
        applications_close=close + timedelta(hours=2),
    )
    factories.ProgramFactory(
        title="Music camp",
        cities={city_a: 4, city_b: 4},
        themes=["music", "culture-arts"],
        languages=["en", "ko"],
        applications_close=close + timedelta(hours=3),
    )
    factories.ProgramFactory(title="Still a draft", cities={city_a: 1, city_b: 1}, status="draft")
    factories.ProgramFactory(title="Closed", cities={city_a: 1, city_b: 1}, status="closed")
    factories.ProgramFactory(
        title="Deadline passed",
        cities={city_a: 1, city_b: 1},
        applications_open=now - timedelta(days=10),
        applications_close=now - timedelta(seconds=1),
    )


# --- program_list_open -------------------------------------------------------------------


def test_program_list_open_without_filters_lists_open_programs_by_deadline(catalogue):
    assert titles(ProgramFilters()) == ["Kilns", "Online debate", "Farm week", "Music camp"]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("visit", ["Kilns", "Farm week", "Music camp"]), ("online", ["Online debate"])],
)
def test_program_list_open_by_kind_keeps_that_kind(catalogue, kind, expected):
    assert titles(ProgramFilters(kind=kind)) == expected


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("gwangju-gyeonggi", ["Kilns", "Online debate", "Music camp"]),
        ("zibo", ["Kilns", "Farm week", "Music camp"]),
        ("hue", ["Online debate", "Farm week"]),
        ("siheung", []),
    ],
)
def test_program_list_open_by_city_keeps_programs_it_takes_part_in(
    catalogue, city_c, slug, expected
):
    city = factories.CityFactory(slug=slug)

    assert titles(ProgramFilters(city=city)) == expected


@pytest.mark.parametrize(
    ("theme", "expected"),
    [("ceramics", ["Kilns"]), ("culture-arts", ["Music camp"]), ("sports", [])],
)
def test_program_list_open_by_theme_keeps_that_theme(catalogue, theme, expected):
    assert titles(ProgramFilters(theme=theme)) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ko", ["Kilns", "Music camp"]),
        ("zh", ["Kilns", "Farm week"]),
        ("en", ["Online debate", "Music camp"]),
        ("ja", []),
    ],
)
def test_program_list_open_by_language_keeps_that_language(catalogue, language, expected):
    assert titles(ProgramFilters(language=language)) == expected


def test_program_list_open_with_several_filters_keeps_programs_matching_all(catalogue, city_b):
    filters = ProgramFilters(kind="visit", city=city_b, language="en")

    assert titles(filters) == ["Music camp"]


def test_program_list_open_with_filters_on_many_rows_lists_each_program_once(catalogue, city_a):
    """Kilns has two cities, two themes and two languages: the joins must not repeat it."""
    assert titles(ProgramFilters(city=city_a, language="ko")) == ["Kilns", "Music camp"]


# --- fits my age: counted on each program's first day -----------------------------------


def _program_starting(title, starts_on, city_a, city_b, **kwargs):
    return factories.ProgramFactory(
        title=title,
        cities={city_a: 1, city_b: 1},
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=7),
        **kwargs,
    )


def test_program_list_open_fits_age_counts_age_on_each_start_date(city_a, city_b):
    """13 today, 14 from their birthday: a 14+ program starting on the birthday fits, one
    starting the day before doesn't, whatever the student's age today."""
    birthday = timezone.localdate() + timedelta(days=60)
    born_on = birthday.replace(year=birthday.year - 14)
    _program_starting("Starts on the birthday", birthday, city_a, city_b, min_age=14)
    _program_starting(
        "Starts the day before", birthday - timedelta(days=1), city_a, city_b, min_age=14
    )

    assert titles(ProgramFilters(born_on=born_on)) == ["Starts on the birthday"]


def test_program_list_open_fits_age_drops_programs_the_student_outgrows(city_a, city_b):
    """18 today and 19 from their birthday: an up-to-18 program starting that day is too late."""
    birthday = timezone.localdate() + timedelta(days=60)
    born_on = birthday.replace(year=birthday.year - 19)
    _program_starting(
        "Starts the day before", birthday - timedelta(days=1), city_a, city_b, max_age=18
    )
    _program_starting("Starts on the birthday", birthday, city_a, city_b, max_age=18)

    assert titles(ProgramFilters(born_on=born_on)) == ["Starts the day before"]


def test_program_list_open_fits_age_born_on_leap_day_is_older_from_first_of_march(city_a, city_b):
    """accounts.models.age_on: born on 29 February, a year older on 1 March in other years."""
    born_on = date(2016, 2, 29)
    _program_starting("28 February 2030", date(2030, 2, 28), city_a, city_b, min_age=14)
    _program_starting("1 March 2030", date(2030, 3, 1), city_a, city_b, min_age=14)

    assert titles(ProgramFilters(born_on=born_on)) == ["1 March 2030"]


def test_program_list_open_fits_age_combines_with_other_filters(city_a, city_b):
    starts_on = timezone.localdate() + timedelta(days=60)
    born_on = starts_on.replace(year=starts_on.year - 16)
    _program_starting("Visit 14-18", starts_on, city_a, city_b)
    _program_starting("Online 14-18", starts_on, city_a, city_b, kind="online")
    _program_starting("Visit 17-20", starts_on, city_a, city_b, min_age=17, max_age=20)

    assert titles(ProgramFilters(kind="visit", born_on=born_on)) == ["Visit 14-18"]


def test_program_list_open_queries_are_fixed(catalogue, django_assert_num_queries):
    # One for the programs, one for each prefetched relation.
    with django_assert_num_queries(4):
        programs = list(selectors.program_list_open(filters=ProgramFilters(language="ko")))
        cities = [[str(pc.city) for pc in p.program_cities.all()] for p in programs]
        themes = [[t.slug for t in p.themes.all()] for p in programs]
        languages = [[lang.code for lang in p.working_languages.all()] for p in programs]

    assert cities == [["광주시 (Gwangju (Gyeonggi))", "淄博市 (Zibo)"]] * 2
    assert themes == [["ceramics", "history"], ["culture-arts", "music"]]
    assert languages == [["ko", "zh"], ["en", "ko"]]


# --- program_list_for_coordinator --------------------------------------------------------


def test_program_list_for_coordinator_lists_drafts_of_own_cities_only(
    catalogue, carol, bob, oscar, city_a, city_c
):
    factories.ProgramFactory(title="Siheung only", cities={city_c: 1, city_a: 1}, status="draft")

    def listed(user):
        return sorted(p.title for p in selectors.program_list_for_coordinator(user=user))

    assert listed(carol) == [
        "Closed",
        "Deadline passed",
        "Kilns",
        "Music camp",
        "Online debate",
        "Siheung only",
        "Still a draft",
    ]
    assert listed(bob) == [
        "Closed",
        "Deadline passed",
        "Farm week",
        "Kilns",
        "Music camp",
        "Still a draft",
    ]
    assert listed(oscar) == ["Siheung only"]


def test_program_list_for_coordinator_for_student_is_empty(catalogue, alice):
    assert list(selectors.program_list_for_coordinator(user=alice)) == []


# --- the city network --------------------------------------------------------------------


@pytest.fixture
def network(city_a, city_b):
    """A's partners besides B (sister since 2003): every kind, with and without a year."""
    cities = {
        slug: factories.CityFactory(slug=slug, name_local=name, name_en=name)
        for slug, name in [
            ("andong", "Andong"),
            ("milpitas", "Milpitas"),
            ("hue", "Hue"),
            ("osaka", "Osaka"),
            ("boeun", "Boeun"),
        ]
    }
    factories.PartnershipFactory(cities=(city_a, cities["andong"]), kind="domestic", since=None)
    factories.PartnershipFactory(
        cities=(city_a, cities["milpitas"]), kind="friendship", since=None, status="planned"
    )
    factories.PartnershipFactory(cities=(city_a, cities["hue"]), kind="friendship", since=2015)
    factories.PartnershipFactory(cities=(city_a, cities["osaka"]), kind="sister", since=2019)
    factories.PartnershipFactory(cities=(city_a, cities["boeun"]), kind="domestic", since=2010)
    return cities


def test_city_network_orders_active_then_kind_then_age(city_a, network):
    entries = selectors.city_network(city=city_a)

    assert [
        (e.partner.name_en, e.partnership.kind, e.partnership.since, e.partnership.status)
        for e in entries
    ] == [
        ("Zibo", "sister", 2003, "active"),
        ("Osaka", "sister", 2019, "active"),
        ("Hue", "friendship", 2015, "active"),
        ("Boeun", "domestic", 2010, "active"),
        ("Andong", "domestic", None, "active"),
        ("Milpitas", "friendship", None, "planned"),
    ]


def test_city_network_from_the_partner_side_shows_the_other_city(city_a, city_b):
    entries = selectors.city_network(city=city_b)

    assert [(e.partner.slug, e.partnership.kind) for e in entries] == [
        ("gwangju-gyeonggi", "sister")
    ]


def test_city_network_of_city_without_partners_is_empty(city_c):
    assert selectors.city_network(city=city_c) == []


def test_city_network_reads_in_one_query(city_a, network, django_assert_num_queries):
    with django_assert_num_queries(1):
        entries = selectors.city_network(city=city_a)
        languages = [e.partner.main_language.code for e in entries]

    assert languages == ["zh", "ko", "ko", "ko", "ko", "ko"]


def test_partner_city_ids_counts_active_partnerships_only(city_a, city_b, network):
    assert selectors.partner_city_ids(city_ids=frozenset({city_a.pk})) == {
        city_b.pk,
        network["andong"].pk,
        network["hue"].pk,
        network["osaka"].pk,
        network["boeun"].pk,
    }


def test_partner_city_ids_leaves_out_the_cities_asked_about(city_a, city_b):
    assert selectors.partner_city_ids(city_ids=frozenset({city_a.pk, city_b.pk})) == set()


def test_city_list_with_partner_counts_counts_every_partnership(city_a, city_c, network):
    counts = [(city.slug, n) for city, n in selectors.city_list_with_partner_counts()]

    assert counts == [
        ("zibo", 1),
        ("andong", 1),
        ("boeun", 1),
        ("gwangju-gyeonggi", 6),
        ("hue", 1),
        ("milpitas", 1),
        ("osaka", 1),
        ("siheung", 0),
    ]
