"""An observer sees no person, anywhere: every URL pattern of the project, enumerated from the
resolver (a new pattern is covered the day it is added), is requested by vera (observer of A)
with the ids of real objects of a realistic setup. Each answer is a refusal (403/404/405/400,
or a redirect to sign-in or the second factor), or a page whose text names nobody.

"Nobody" is every person in the database except vera herself and the staff who run the
exchanges (coordinators, observers, site staff): students, their guardians and their host
families. Coordinators' names are printed on public program pages by design; they are staff,
not the people an observer must not see.

Secrets in a URL (a guardian's link, a certificate's verification code, an e-mail
confirmation key) belong to whoever received them; an observer cannot learn one from any page,
so those patterns are requested with a made-up value (and must refuse it without a name).
"""

import io
import re
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import CoordinatorMembership, GuardianConsent, ObserverMembership
from core.models import City, Partnership
from exchange.models import Application, AuditEntry, Household, HouseholdMember
from exchange.services import certificates as certificate_services
from messaging.models import Message, Room
from outcomes.models import AnnualReport, Survey, WorkingGroup
from tests import factories
from tests.exchange.visit_helpers import build_visit
from tests.messaging.conftest import published  # noqa: F401 (a fixture)
from tests.messaging.helpers import post
from tests.messaging.sockets import cookie_for, run_chat, socket

# Outcomes pages whose kwargs the setup can't fill and that show only figures; each one here
# is a decision (say why). Empty: every outcomes kwarg below has real ids.
OUTCOMES_FIGURES_ONLY: set[str] = set()

# Values for the kwargs that are secrets or fixed words, not ids.
MADE_UP = {
    "token": ["not-a-real-token"],
    "key": ["not-a-real-key"],
    "uidb36": ["1"],
    "code": ["YX-NOT-REAL"],
    "url": ["accounts/user/"],
    "app_label": ["accounts"],
    "content_type_id": ["1"],
}

REFUSED = {400, 403, 404, 405}


def patterns(resolver=None, prefix="", namespace=""):
    """(view name, route with every prefix, pattern) for every URL pattern of the project."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from patterns(entry, prefix + str(entry.pattern), inner)
        else:
            assert isinstance(entry, URLPattern)
            name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
            yield name, prefix + str(entry.pattern), entry


PARAMETER = re.compile(
    r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>(?:[^()]|\([^()]*\))*\)"
)


def kwarg_names(route: str) -> list[str]:
    return [m.group("name") or m.group("group") for m in PARAMETER.finditer(route)]


def converter_values(route: str, name: str) -> list[str] | None:
    """The words a choice converter (core.converters) accepts, for `<fmt:...>`-like kwargs."""
    from django.urls.converters import get_converters

    for match in PARAMETER.finditer(route):
        if match.group("name") == name and match.group("converter"):
            converter = get_converters()[match.group("converter")]
            if match.group("converter") not in {"int", "str", "slug", "path", "uuid"}:
                return converter.regex.replace("\\", "").split("|")
    return None


def with_converter_words(route: str, names: list[str], choices: dict[str, list]) -> dict:
    """`choices`, with every word a choice converter of `route` accepts for its kwargs."""
    local = dict(choices)
    for kwarg in names:
        words = converter_values(route, kwarg)
        if words is not None:
            local[kwarg] = words
    return local


def build(route: str, values: dict[str, str]) -> str:
    def fill(match):
        return str(values[match.group("name") or match.group("group")])

    path = PARAMETER.sub(fill, route).replace("^", "").replace("$", "")
    return "/" + path


def combinations(names: list[str], choices: dict[str, list]) -> list[dict]:
    combos = [{}]
    for name in names:
        combos = [dict(c, **{name: value}) for c in combos for value in choices[name]]
    return combos


@pytest.fixture
def world(published, program_ab, city_a, city_b, city_c, city_d, alice, mina, carol, bob, vera):  # noqa: F811
    """alice matched with a Zibo buddy in program_ab (a pair room with lines), mina applied; a
    visit A–D with households; a past program whose participant holds a certificate; the
    outcomes' objects of A's partnership (a group, a report, a survey)."""
    factories.ApplicationFactory(program=program_ab, student=mina, state="submitted")
    room = published["pair"]
    post(room, alice, "hello from alice")
    post(room, published["buddy"].student, "hello from the buddy")
    visit = build_visit(city_a, city_d, pairs=2)
    past = factories.ProgramFactory(cities={city_a: 5, city_b: 5}, created_by=carol)
    graduate = factories.StudentFactory(
        email="graduate@example.org",
        native_name="박졸업",
        latin_name="Park Joreop",
        home_city=city_a,
        age=19,
    )
    completed = factories.ApplicationFactory(program=past, student=graduate, state="completed")
    certificate = certificate_services.certificate_issue(application=completed, by=carol)
    partnership = Partnership.objects.get(city_a__in=[city_a, city_b], city_b__in=[city_a, city_b])
    group = WorkingGroup.objects.create(partnership=partnership, name="Youth culture")
    report = AnnualReport.objects.create(partnership=partnership, year=2025, requested_by=carol)
    survey = Survey.objects.create(program=past, phase="post")
    return {
        "room": room,
        "visit": visit,
        "certificate": certificate,
        "partnership": partnership,
        "group": group,
        "report": report,
        "survey": survey,
        "programs": [program_ab, visit.program, past],
    }


def id_choices(world) -> dict[str, list]:
    """Kwarg name → the ids of real objects it may name (pk: every kind a page is about)."""
    visit = world["visit"]
    users = get_user_model().objects.all()
    applications = list(Application.objects.values_list("pk", flat=True))
    programs = [p.pk for p in world["programs"]]
    legs = [visit.leg_to_a.pk, visit.leg_to_b.pk]
    rooms = list(Room.objects.values_list("pk", flat=True))
    cities = list(City.objects.values_list("pk", flat=True))
    people = list(users.values_list("pk", flat=True))
    pk = sorted(
        set(programs)
        | set(applications)
        | set(people)
        | set(legs)
        | set(rooms)
        | set(Household.objects.values_list("pk", flat=True))
        | set(GuardianConsent.objects.values_list("pk", flat=True))
        | set(ObserverMembership.objects.values_list("pk", flat=True))
        | {world["certificate"].pk, world["partnership"].pk, world["group"].pk}
        | {world["report"].pk, world["survey"].pk}
        | set(cities)
    )
    choices = {
        "pk": pk,
        "object_id": [people[0]],
        "id": [people[0]],
        "slug": list(City.objects.values_list("slug", flat=True)),
        "city_pk": cities,
        "room_pk": rooms,
        "room_id": rooms,
        "group_pk": [g.pk for g in visit.groups] + [world["group"].pk],
        "visitor_pk": applications,
        "application_pk": applications,
        "application": applications,
        "leg_pk": legs,
        "item_pk": [1],
        "session_pk": [1],
        "incident_pk": [1],
        "message_pk": list(Message.objects.values_list("pk", flat=True)),
        "delivery_pk": [1],
        "document_pk": [1],
        "requirement_pk": [1],
        "report_pk": [world["report"].pk],
        "membership_pk": list(ObserverMembership.objects.values_list("pk", flat=True)),
        "partnership_pk": [world["partnership"].pk],
        "program_pk": programs,
        "survey_pk": [world["survey"].pk],
        "year": [2025, 2026],
    }
    choices.update(MADE_UP)
    return choices


def forbidden_strings(vera) -> set[str]:
    """Every student's and guardian's name and e-mail, and their families' names."""
    staff = (
        set(CoordinatorMembership.objects.values_list("user_id", flat=True))
        | set(ObserverMembership.objects.values_list("user_id", flat=True))
        | {vera.pk}
    )
    found = set()
    for user in get_user_model().objects.exclude(pk__in=staff).exclude(is_staff=True):
        found |= {user.native_name, user.latin_name, user.email}
    found |= set(GuardianConsent.objects.values_list("guardian_email", flat=True))
    found |= set(Household.objects.values_list("family_name", flat=True))
    found |= set(HouseholdMember.objects.values_list("name", flat=True))
    return {value for value in found if value}


def text_of(response) -> str:
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if content[:2] == b"PK":  # xlsx (and any zip): the text is in its XML parts
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    if content[:4] == b"%PDF":
        from pypdf import PdfReader

        return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    return content.decode("utf-8", "replace")


def is_sign_in_or_second_factor(location: str) -> bool:
    return any(
        part in location
        for part in (
            "/accounts/login/",
            "/admin/login/",
            "/accounts/2fa/",
            "/accounts/reauthenticate/",
        )
    )


def answer(client, url: str) -> tuple[int, str]:
    response = client.get(url)
    if response.status_code in (301, 302):
        location = response["Location"]
        if is_sign_in_or_second_factor(location) or not location.startswith("/"):
            return 302, ""
        response = client.get(location, follow=True)
    return response.status_code, text_of(response) if response.status_code == 200 else ""


def test_observer_sees_no_person_on_any_page(world, vera):
    client = Client(raise_request_exception=True)
    client.force_login(vera)
    choices = id_choices(world)
    forbidden = forbidden_strings(vera)
    assert {"김앨리스", "Kim Alice", "alice@example.org", "이민아", "mina@example.org"} <= forbidden

    unfilled, leaks, answered = [], [], 0
    for name, route, _pattern in patterns():
        if name in OUTCOMES_FIGURES_ONLY:
            continue
        names = kwarg_names(route)
        local = with_converter_words(route, names, choices)
        missing = [kwarg for kwarg in names if kwarg not in local]
        if missing:
            unfilled.append((name or route, missing))
            continue
        for values in combinations(names, local):
            url = build(route, values)
            status, body = answer(client, url)
            answered += 1
            if status in REFUSED or status == 302:
                continue
            assert status == 200, (url, status)
            named = sorted(value for value in forbidden if value in body)
            if named:
                leaks.append((name or route, url, named))

    assert unfilled == []
    assert leaks == []
    assert answered > 300


def test_observer_outcomes_posts_change_nothing(world, vera):
    """Every outcomes page posted to by an observer: refused, or nothing written."""
    client = Client(raise_request_exception=True)
    client.force_login(vera)
    choices = id_choices(world)

    def snapshot():
        from django.apps import apps

        counts = {
            m.__name__: m.objects.count() for m in apps.get_app_config("outcomes").get_models()
        }
        counts["observers"] = ObserverMembership.objects.count()
        counts["audit"] = AuditEntry.objects.count()
        return counts

    before = snapshot()
    posted = 0
    for name, route, _pattern in patterns():
        if not name.startswith("outcomes:"):
            continue
        names = kwarg_names(route)
        local = with_converter_words(route, names, choices)
        for values in combinations(names, local):
            response = client.post(build(route, values), {"email": "alice@example.org"})
            posted += 1
            assert response.status_code in REFUSED | {200}, (name, values, response.status_code)
    assert snapshot() == before
    assert posted >= 2


@pytest.mark.django_db(transaction=True)
def test_observer_socket_to_a_chat_room_is_refused(published, vera):  # noqa: F811
    cookie = cookie_for(vera)

    async def scenario():
        communicator = socket(published["pair"], cookie)
        connected, _subprotocol = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert run_chat(scenario()) is False


def test_observer_needs_no_second_factor(vera, client):
    """Observers hold no personal data: they are not held at the second factor's setup."""
    from accounts.rules import holds_power, lacks_required_second_factor

    client.force_login(vera)

    assert holds_power(vera) is False
    assert lacks_required_second_factor(vera) is False
    assert client.get("/outcomes/").status_code == 200


def test_observer_of_a_city_who_also_coordinates_another_is_asked_for_one(city_a, city_b, client):
    coordinator = factories.CoordinatorFactory(cities=[city_b], second_factor=False)
    ObserverMembership.objects.create(user=coordinator, city=city_a)
    client.force_login(coordinator)

    response = client.get("/outcomes/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/")


def test_the_sweep_would_see_a_leak(world, carol, vera, program_ab):
    """The same reading, by a coordinator of A on the review queue: the names are found (so
    an empty list above means the observer saw none, not that the check is blind)."""
    client = Client(raise_request_exception=True)
    client.force_login(carol)
    forbidden = forbidden_strings(vera)

    status, body = answer(client, f"/coordinate/programs/{program_ab.pk}/applications/")

    assert status == 200
    assert {"Kim Alice", "Lee Mina"} <= {value for value in forbidden if value in body}
