"""Matchings never break a rule silently: every way of changing pairs and groups (an engine run,
a swap, a move, a hand-made pair, a split), through the services and through the coordinator's
form posts, goes through one validator. Locked pairs and groups can't be changed until they
are unlocked; a change that breaks a hard rule, the city balance or the size range is refused
with the rule in words; and a refusal writes nothing (no version, no audit entry, no row)."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError

from exchange.models import (
    Application,
    ApplicationLanguage,
    AuditEntry,
    MatchApproval,
    MatchGroup,
    Matching,
    MatchLeftover,
    MatchMember,
)
from exchange.services import matching as services
from tests import factories
from tests.exchange.visit_helpers import home_from_answers

pytestmark = pytest.mark.django_db

EN = {"en": 3}
RULES = "This change would break the program’s rules:"
NO_COMMON_LANGUAGE = "Everyone in a group must share one language they speak well enough."


# --- helpers -----------------------------------------------------------------------------


def participant(program, city, n: int, *, languages=None, **fields) -> Application:
    """A confirmed participant, Person n (사람n): a girl who can host, no pets, English 3."""
    student = factories.StudentFactory(
        email=f"p{n}@example.org", latin_name=f"Person {n}", native_name=f"사람{n}", home_city=city
    )
    defaults = {"gender": "female", "can_host": True, "household_pets": False, "pet_allergy": False}
    application = factories.ApplicationFactory(
        program=program, student=student, state="confirmed", **{**defaults, **fields}
    )
    answers = {**defaults, **fields}
    home_from_answers(
        application,
        can_host=answers["can_host"],
        household_pets=answers["household_pets"],
        diets_offered=answers.get("diets_offered", ()),
    )
    for code, level in (languages or EN).items():
        ApplicationLanguage.objects.create(application=application, language_id=code, level=level)
    return application


def snapshot() -> dict:
    """Everything a change to a matching could write."""
    return {
        "matchings": sorted(Matching.objects.values_list("pk", "version", "status", "ran_at")),
        "groups": sorted(
            MatchGroup.objects.values_list("pk", "number", "kind", "locked", "score", "reasons")
        ),
        "members": sorted(MatchMember.objects.values_list("pk", "group_id", "application_id")),
        "leftovers": sorted(MatchLeftover.objects.values_list("pk", "application_id")),
        "approvals": sorted(MatchApproval.objects.values_list("pk", "city_id", "version")),
        "audit": sorted(AuditEntry.objects.values_list("pk", "action", "detail")),
    }


def refusal(excinfo) -> list[tuple[str, str]]:
    return [(e.code, e.message) for e in excinfo.value.error_list]


def group_with(application) -> MatchGroup:
    return MatchMember.objects.select_related("group").get(application=application).group


def members(group: MatchGroup) -> list[int]:
    return sorted(group.members.values_list("application_id", flat=True))


def url(program, tail: str) -> str:
    return f"/coordinate/programs/{program.pk}/matching/{tail}"


def post(client, coordinator, path: str, data=None) -> list[str]:
    client.force_login(coordinator)
    response = client.post(path, data or {})
    assert response.status_code == 302
    return [str(m) for m in get_messages(response.wsgi_request)]


def latest_version(program) -> int:
    return Matching.objects.get(program=program).version


@pytest.fixture
def pairs(program_ab, city_a, city_b, carol):
    """Two buddy pairs of Persons 1, 2 (A) and 3, 4 (B); the one with Person 1 is locked."""
    people = {
        "a1": participant(program_ab, city_a, 1),
        "a2": participant(program_ab, city_a, 2),
        "b3": participant(program_ab, city_b, 3),
        "b4": participant(program_ab, city_b, 4),
    }
    services.matching_run(program=program_ab, by=carol)
    services.match_group_lock(group=group_with(people["a1"]), locked=True, by=carol)
    return people


@pytest.fixture
def online(city_a, city_b):
    program = factories.ProgramFactory(kind="online", cities={city_a: 9, city_b: 9})
    Matching.objects.create(program=program, group_min_size=2, group_max_size=5, same_gender=False)
    return program


@pytest.fixture
def two_languages(online, city_a, city_b, carol):
    """Two groups: Persons 1, 2, 11, 12 speak English; Persons 3, 4, 13, 14 Japanese."""
    people = {}
    for n, city, languages in [
        (1, city_a, EN),
        (2, city_a, EN),
        (3, city_a, {"ja": 3}),
        (4, city_a, {"ja": 3}),
        (11, city_b, EN),
        (12, city_b, EN),
        (13, city_b, {"ja": 3}),
        (14, city_b, {"ja": 3}),
    ]:
        people[n] = participant(online, city, n, languages=languages)
    services.matching_run(program=online, by=carol)
    assert sorted(members(g) for g in MatchGroup.objects.all()) == [
        sorted(people[n].pk for n in (1, 2, 11, 12)),
        sorted(people[n].pk for n in (3, 4, 13, 14)),
    ]
    return people


@pytest.fixture
def one_short(online, city_a, city_b, carol):
    """Groups 2 A + 2 B and 2 A + 1 B (English); Person 14 (B, Chinese only) is left over."""
    people = {n: participant(online, city_a, n) for n in (1, 2, 3, 4)}
    people |= {n: participant(online, city_b, n) for n in (11, 12, 13)}
    people[14] = participant(online, city_b, 14, languages={"zh": 4})
    services.matching_run(program=online, by=carol)
    assert sorted(len(members(g)) for g in MatchGroup.objects.all()) == [3, 4]
    left = MatchLeftover.objects.get()
    assert (left.application_id, left.reasons) == (
        people[14].pk,
        [{"code": "no_common_language", "detail": {}}],
    )
    return people


# --- locked pairs and groups -------------------------------------------------------------


def test_swap_out_of_a_locked_pair_is_refused_and_writes_nothing(pairs, program_ab, carol):
    locked = group_with(pairs["a1"])
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        services.matching_swap(
            program=program_ab, first_id=pairs["a2"].pk, second_id=pairs["a1"].pk, by=carol
        )

    assert refusal(excinfo) == [
        ("locked", f"Buddy pair {locked.number} is locked. Unlock it before changing it.")
    ]
    assert snapshot() == before


def test_split_of_a_locked_pair_is_refused_and_writes_nothing(pairs, carol):
    locked = group_with(pairs["a1"])
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        services.matching_unpair(group=locked, by=carol)

    assert refusal(excinfo) == [
        ("locked", f"Buddy pair {locked.number} is locked. Unlock it before changing it.")
    ]
    assert snapshot() == before


def test_swap_after_unlocking_goes_through_and_is_audited(pairs, program_ab, carol):
    services.match_group_lock(group=group_with(pairs["a1"]), locked=False, by=carol)
    partner = [pk for pk in members(group_with(pairs["a1"])) if pk != pairs["a1"].pk]
    version, entries = latest_version(program_ab), AuditEntry.objects.count()

    services.matching_swap(
        program=program_ab, first_id=pairs["a2"].pk, second_id=pairs["a1"].pk, by=carol
    )

    assert members(group_with(pairs["a2"])) == sorted([pairs["a2"].pk, *partner])
    assert latest_version(program_ab) == version + 1
    assert list(
        AuditEntry.objects.order_by("pk")[entries:].values_list("action", "detail", "city_id")
    ) == [
        ("matching-change", f"swapped {pairs['a2'].pk} and {pairs['a1'].pk}", city)
        for city in sorted(program_ab.program_cities.values_list("city_id", flat=True))
    ]


def test_run_refuses_to_drop_a_locked_pair_whose_member_withdrew(pairs, program_ab, carol):
    locked = group_with(pairs["a1"])
    Application.objects.filter(pk=pairs["a1"].pk).update(state="withdrawn")
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        services.matching_run(program=program_ab, by=carol)

    assert refusal(excinfo) == [
        (
            "locked",
            f"Buddy pair {locked.number} is locked, but 사람1 (Person 1) no longer take part. "
            "Unlock it, then run the matching again.",
        )
    ]
    assert snapshot() == before


def test_moves_into_and_out_of_a_locked_group_are_refused(two_languages, online, carol):
    english = group_with(two_languages[1])
    services.match_group_lock(group=english, locked=True, by=carol)
    expected = [("locked", f"Group {english.number} is locked. Unlock it before changing it.")]
    before = snapshot()

    for application_id, group_id in [
        (two_languages[1].pk, None),  # out of it
        (two_languages[1].pk, group_with(two_languages[3]).pk),  # from it into another
        (two_languages[3].pk, english.pk),  # into it
    ]:
        with pytest.raises(ValidationError) as excinfo:
            services.matching_move(
                program=online, application_id=application_id, group_id=group_id, by=carol
            )
        assert refusal(excinfo) == expected

    with pytest.raises(ValidationError) as excinfo:
        services.matching_swap(
            program=online, first_id=two_languages[3].pk, second_id=two_languages[1].pk, by=carol
        )
    assert refusal(excinfo) == expected
    assert snapshot() == before


# --- hard rules, city balance and size range ---------------------------------------------


def test_swap_between_an_english_and_a_japanese_group_is_refused_by_name(
    two_languages, online, carol
):
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        services.matching_swap(
            program=online, first_id=two_languages[1].pk, second_id=two_languages[3].pk, by=carol
        )

    assert refusal(excinfo) == [("rules", RULES), ("no_common_language", NO_COMMON_LANGUAGE)]
    assert snapshot() == before


def test_move_into_a_group_that_shares_no_language_with_them_is_refused(one_short, online, carol):
    """The audit's case: one hand move made a group with no language everyone speaks."""
    short = next(g for g in MatchGroup.objects.all() if len(members(g)) == 3)
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        services.matching_move(
            program=online, application_id=one_short[14].pk, group_id=short.pk, by=carol
        )

    assert refusal(excinfo) == [("rules", RULES), ("no_common_language", NO_COMMON_LANGUAGE)]
    assert snapshot() == before


def test_move_that_unbalances_the_cities_is_refused(one_short, online, city_a, carol):
    short = next(g for g in MatchGroup.objects.all() if len(members(g)) == 3)
    full = next(g for g in MatchGroup.objects.all() if len(members(g)) == 4)
    mover = next(m for m in full.members.all() if m.application.city_id == city_a.pk)
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        services.matching_move(
            program=online, application_id=mover.application_id, group_id=short.pk, by=carol
        )

    assert refusal(excinfo) == [
        ("rules", RULES),
        ("city_balance", "A group’s numbers from each city may differ by one at most."),
    ]
    assert snapshot() == before


def test_taking_someone_out_of_a_smallest_group_is_refused(one_short, online, carol):
    Matching.objects.filter(program=online).update(group_min_size=3)
    short = next(g for g in MatchGroup.objects.all() if len(members(g)) == 3)
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        services.matching_move(
            program=online, application_id=members(short)[0], group_id=None, by=carol
        )

    assert refusal(excinfo) == [("rules", RULES), ("group_size", "Groups have 3 to 5 members.")]
    assert snapshot() == before


def test_swap_that_breaks_a_pet_allergy_is_refused_naming_who_hosts_whom(
    program_ab, city_a, city_b, carol
):
    allergic = participant(program_ab, city_a, 1, pet_allergy=True)
    participant(program_ab, city_b, 2)
    with_pets = participant(program_ab, city_b, 3, household_pets=True)
    participant(program_ab, city_a, 4)
    services.matching_run(program=program_ab, by=carol)
    other = next(pk for pk in members(group_with(with_pets)) if pk != with_pets.pk)
    assert other != allergic.pk
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        services.matching_swap(program=program_ab, first_id=other, second_id=allergic.pk, by=carol)

    assert refusal(excinfo) == [
        ("rules", RULES),
        (
            "pet_allergy",
            "Breaks a rule: pet allergy and pets at home "
            "(사람3 (Person 3) hosting 사람1 (Person 1)).",
        ),
    ]
    assert snapshot() == before


def test_hand_made_pair_from_one_city_is_refused(pairs, program_ab, city_a, carol):
    five, six = participant(program_ab, city_a, 5), participant(program_ab, city_a, 6)
    services.matching_run(program=program_ab, by=carol)
    assert sorted(MatchLeftover.objects.values_list("application_id", flat=True)) == [
        five.pk,
        six.pk,
    ]
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        services.matching_pair(program=program_ab, first_id=five.pk, second_id=six.pk, by=carol)

    assert refusal(excinfo) == [
        ("rules", RULES),
        ("city_balance", "A buddy pair has one participant from each city."),
    ]
    assert snapshot() == before


def test_hand_made_pair_without_a_shared_language_is_refused_in_both_directions(
    program_ab, city_a, city_b, carol
):
    korean = participant(program_ab, city_a, 1, languages={"ko": 4})
    chinese = participant(program_ab, city_b, 2, languages={"zh": 4})
    services.matching_run(program=program_ab, by=carol)
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        services.matching_pair(
            program=program_ab, first_id=korean.pk, second_id=chinese.pk, by=carol
        )

    assert refusal(excinfo) == [
        ("rules", RULES),
        (
            "shared_language",
            "Breaks a rule: no language both speak well enough "
            "(사람1 (Person 1) hosting 사람2 (Person 2)).",
        ),
        (
            "shared_language",
            "Breaks a rule: no language both speak well enough "
            "(사람2 (Person 2) hosting 사람1 (Person 1)).",
        ),
    ]
    assert snapshot() == before


def test_hand_made_pair_in_an_online_program_is_refused(one_short, online, carol):
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        services.matching_pair(
            program=online, first_id=one_short[14].pk, second_id=one_short[1].pk, by=carol
        )

    assert refusal(excinfo) == [
        ("invalid", "Online programs meet in groups: move participants into a group instead.")
    ]
    assert snapshot() == before


def test_a_good_move_is_saved_explained_and_audited_once_per_city(
    one_short, online, city_a, city_b, carol
):
    short = next(g for g in MatchGroup.objects.all() if len(members(g)) == 3)
    full = next(g for g in MatchGroup.objects.all() if len(members(g)) == 4)
    mover = next(m for m in full.members.all() if m.application.city_id == city_b.pk)
    version, entries = latest_version(online), AuditEntry.objects.count()

    services.matching_move(
        program=online, application_id=mover.application_id, group_id=short.pk, by=carol
    )

    assert sorted(len(members(g)) for g in MatchGroup.objects.all()) == [3, 4]
    assert latest_version(online) == version + 1
    assert list(AuditEntry.objects.order_by("pk")[entries:].values_list("detail", "city_id")) == [
        (f"moved {mover.application_id}", city) for city in sorted([city_a.pk, city_b.pk])
    ]
    short.refresh_from_db()
    assert {"code": "common_languages", "detail": {"languages": ["en"]}} in short.reasons


def test_every_refused_change_leaves_approvals_standing(
    pairs, program_ab, city_a, city_b, carol, bob
):
    services.matching_approve(program=program_ab, city_ids={city_a.pk}, by=carol)
    services.matching_approve(program=program_ab, city_ids={city_b.pk}, by=bob)
    before = snapshot()

    with pytest.raises(ValidationError):
        services.matching_unpair(group=group_with(pairs["a1"]), by=carol)

    assert snapshot() == before
    assert services.missing_approvals(Matching.objects.get(program=program_ab)) == []


def test_publish_is_refused_when_saved_rules_leave_a_pair_breaking_one(
    program_ab, city_a, city_b, carol, bob
):
    young = participant(program_ab, city_a, 1)
    old = participant(program_ab, city_b, 2)
    type(old.student).objects.filter(pk=old.student_id).update(
        date_of_birth=young.student.date_of_birth.replace(year=young.student.date_of_birth.year - 2)
    )
    services.matching_run(program=program_ab, by=carol)
    assert MatchGroup.objects.count() == 1
    matching = Matching.objects.get(program=program_ab)
    fields = services.MatchingSettings.__annotations__
    data = {name: getattr(matching, name) for name in fields} | {"max_age_gap": 1}
    services.matching_settings_save(
        program=program_ab, data=services.MatchingSettings(**data), by=carol
    )
    services.matching_approve(program=program_ab, city_ids={city_a.pk}, by=carol)
    services.matching_approve(program=program_ab, city_ids={city_b.pk}, by=bob)
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        services.matching_publish(program=program_ab, by=bob)

    assert [code for code, _message in refusal(excinfo)] == ["rules", "age_gap", "age_gap"]
    assert refusal(excinfo)[1][1] == (
        "Breaks a rule: age gap too large (사람1 (Person 1) hosting 사람2 (Person 2))."
    )
    assert snapshot() == before
    assert Matching.objects.get(program=program_ab).status == "draft"


# --- through the coordinator's form posts ------------------------------------------------


def test_view_swap_out_of_a_locked_pair_shows_why_and_writes_nothing(
    client, pairs, program_ab, carol
):
    locked = group_with(pairs["a1"])
    before = snapshot()

    shown = post(
        client,
        carol,
        url(program_ab, "swap/"),
        {"first": pairs["a2"].pk, "second": pairs["a1"].pk},
    )

    assert shown == [f"Buddy pair {locked.number} is locked. Unlock it before changing it."]
    assert snapshot() == before


def test_view_split_of_a_locked_pair_shows_why_and_writes_nothing(client, pairs, program_ab, bob):
    locked = group_with(pairs["a1"])
    before = snapshot()

    shown = post(client, bob, url(program_ab, f"groups/{locked.pk}/split/"))

    assert shown == [f"Buddy pair {locked.number} is locked. Unlock it before changing it."]
    assert snapshot() == before


def test_view_hand_made_pair_from_one_city_shows_the_rule(client, pairs, program_ab, city_a, carol):
    five, six = participant(program_ab, city_a, 5), participant(program_ab, city_a, 6)
    services.matching_run(program=program_ab, by=carol)
    before = snapshot()

    shown = post(client, carol, url(program_ab, "pair/"), {"first": five.pk, "second": six.pk})

    assert shown == [RULES, "A buddy pair has one participant from each city."]
    assert snapshot() == before


def test_view_move_into_a_group_without_a_shared_language_shows_the_rule(
    client, one_short, online, bob
):
    short = next(g for g in MatchGroup.objects.all() if len(members(g)) == 3)
    before = snapshot()

    shown = post(
        client, bob, url(online, "move/"), {"participant": one_short[14].pk, "group": short.pk}
    )

    assert shown == [RULES, NO_COMMON_LANGUAGE]
    assert snapshot() == before


def test_view_move_out_of_a_locked_group_shows_why(client, two_languages, online, carol):
    english = group_with(two_languages[1])
    services.match_group_lock(group=english, locked=True, by=carol)
    before = snapshot()

    shown = post(
        client, carol, url(online, "move/"), {"participant": two_languages[1].pk, "group": ""}
    )

    assert shown == [f"Group {english.number} is locked. Unlock it before changing it."]
    assert snapshot() == before


def test_view_swap_between_language_groups_shows_the_rule(client, two_languages, online, carol):
    before = snapshot()

    shown = post(
        client,
        carol,
        url(online, "swap/"),
        {"first": two_languages[1].pk, "second": two_languages[3].pk},
    )

    assert shown == [RULES, NO_COMMON_LANGUAGE]
    assert snapshot() == before


# --- reading the page writes nothing -----------------------------------------------------


def test_matching_page_get_before_any_run_creates_nothing(client, program_ab, carol):
    before = snapshot()
    client.force_login(carol)

    response = client.get(url(program_ab, ""))

    assert response.status_code == 200
    assert 'id="not-run">Not run yet.</span>' in response.content.decode()
    assert snapshot() == before
    assert Matching.objects.count() == 0


def test_matching_page_before_any_run_says_who_is_ready_not_since_the_last_run(
    client, program_ab, city_a, city_b, carol
):
    """Found in a user trial: "Not run yet." beside "15 participants confirmed after the last
    run"."""
    participant(program_ab, city_a, 1)
    participant(program_ab, city_b, 2)
    client.force_login(carol)

    html = client.get(url(program_ab, "")).content.decode()

    assert (
        "2 confirmed participants are ready to be matched. "
        "Run the matching to propose pairs or groups." in html
    )
    assert "after the last run" not in html

    services.matching_run(program=program_ab, by=carol)
    participant(program_ab, city_a, 3)
    html = client.get(url(program_ab, "")).content.decode()

    assert "1 participant confirmed after the last run. Run again to include them." in html
    assert "ready to be matched" not in html


def test_matching_page_get_after_a_run_writes_nothing(client, pairs, program_ab, bob):
    before = snapshot()
    client.force_login(bob)

    response = client.get(url(program_ab, ""))

    assert response.status_code == 200
    assert "Not run yet." not in response.content.decode()
    assert snapshot() == before


def test_saving_the_rules_creates_the_matching_with_one_audit_entry_per_city(
    client, program_ab, city_a, city_b, carol
):
    client.force_login(carol)
    data = {
        "same_gender": "on",
        "max_age_gap": 3,
        "weight_interests": 2,
        "weight_language_practice": 1,
        "weight_age": 1,
        "group_min_size": 4,
        "group_max_size": 8,
        "window_start": "16:00",
        "window_end": "21:00",
        "session_minutes": 60,
    }

    response = client.post(url(program_ab, ""), data)

    assert response.status_code == 302
    matching = Matching.objects.get(program=program_ab)
    assert (matching.max_age_gap, matching.version) == (3, 1)
    assert sorted(AuditEntry.objects.values_list("action", "detail", "city_id")) == [
        ("matching-change", "rules", city) for city in sorted([city_a.pk, city_b.pk])
    ]


def test_matching_page_says_why_someone_shares_no_language_with_any_group(
    client, one_short, online, carol
):
    client.force_login(carol)

    response = client.get(url(online, ""))

    assert [reasons for _application, reasons in response.context["page"].leftovers] == [
        ["No group could take them and still have one language everyone in it speaks well enough."]
    ]


def test_a_coordinator_approves_for_their_own_cities_only_whatever_they_ask(
    program_ab, city_a, city_b, carol
):
    """The service decides, not the caller: Carol (A) asking to approve for B approves A."""
    from exchange.models import MatchApproval
    from exchange.services import matching as matching_services
    from tests.messaging.conftest import confirmed

    confirmed(program_ab, city_a, "one@example.org")
    confirmed(program_ab, city_b, "two@example.org")
    matching_services.matching_run(program=program_ab, by=carol)

    approvals = matching_services.matching_approve(
        program=program_ab, city_ids={city_a.pk, city_b.pk}, by=carol
    )

    assert [a.city_id for a in approvals] == [city_a.pk]
    assert list(MatchApproval.objects.values_list("city_id", flat=True)) == [city_a.pk]
