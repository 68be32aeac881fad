"""Who may open and change the matching page: every URL, every persona.

Coordinators of both cities work on one shared record; everyone else is refused, and a
refused request changes nothing: each refusal is checked against a snapshot of the matching,
its groups, members, leftovers, approvals and the audit log taken before the request.
"""

import pytest

from exchange.models import (
    AuditEntry,
    MatchApproval,
    MatchGroup,
    Matching,
    MatchLeftover,
    MatchMember,
    TripConsent,
)
from exchange.selectors.matching import published_participant_count
from exchange.services import applications as application_services
from exchange.services import matching as services
from tests import factories
from tests.exchange.helpers import base, new_participant, participant
from tests.helpers import PERSONAS, login_redirect, message_texts, sign_in, table

pytestmark = pytest.mark.django_db

UNKNOWN = 999999
NOT_APPROVED = "Every city’s coordinators must approve this version before it is published."


# --- helpers -----------------------------------------------------------------------------


def snapshot() -> dict:
    """Everything a request on a matching could write."""
    return {
        "matchings": sorted(Matching.objects.values_list("pk", "version", "status", "ran_at")),
        "groups": sorted(MatchGroup.objects.values_list("pk", "matching_id", "number", "locked")),
        "members": sorted(MatchMember.objects.values_list("pk", "group_id", "application_id")),
        "leftovers": sorted(MatchLeftover.objects.values_list("pk", "application_id")),
        "approvals": sorted(MatchApproval.objects.values_list("pk", "city_id", "version")),
        "audit": AuditEntry.objects.count(),
    }


def group_of(application) -> MatchGroup:
    return MatchMember.objects.select_related("group").get(application=application).group


def buddy_of(application):
    group = group_of(application)
    return MatchMember.objects.exclude(application=application).get(group=group).application


@pytest.fixture
def people(alice, program_ab, city_a, city_b):
    """Two confirmed participants in each city: alice and one more in A, two in B."""
    return {
        "a1": participant(program_ab, alice),
        "a2": new_participant(program_ab, city_a),
        "b1": new_participant(program_ab, city_b),
        "b2": new_participant(program_ab, city_b),
    }


@pytest.fixture
def ran(people, program_ab, carol):
    """The matching ran: two buddy pairs, each with one participant from A and one from B."""
    services.matching_run(program=program_ab, by=carol)
    return people


def approve_all(program, carol, bob):
    services.matching_approve(program=program, city_ids={program_city(program, 0)}, by=carol)
    services.matching_approve(program=program, city_ids={program_city(program, 1)}, by=bob)


def program_city(program, index: int) -> int:
    return sorted(pc.city_id for pc in program.program_cities.all())[index]


# --- the page ----------------------------------------------------------------------------


def test_matching_run_makes_two_pairs_across_the_cities(ran, program_ab, city_a, city_b):
    groups = list(MatchGroup.objects.filter(matching__program=program_ab))

    assert [g.kind for g in groups] == ["pair", "pair"]
    assert [sorted(m.application.city_id for m in g.members.all()) for g in groups] == [
        sorted([city_a.pk, city_b.pk])
    ] * 2
    assert MatchLeftover.objects.count() == 0


MATCHING_PAGE = table(
    {"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 200, "oscar": 403}
)


@pytest.mark.parametrize(("persona", "status"), MATCHING_PAGE)
def test_matching_page_opens_for_coordinators_of_the_program_only(
    request, client, ran, program_ab, persona, status
):
    url = base(program_ab)
    before = snapshot()
    sign_in(request, client, persona)

    response = client.get(url)

    assert response.status_code == status
    if status == 302:
        assert response.url == login_redirect(url)
    if status == 200:
        page = response.context["page"]
        assert page.matching == Matching.objects.get(program=program_ab)
        assert sorted(a.pk for view in page.groups for a in view.members) == sorted(
            a.pk for a in ran.values()
        )
    assert snapshot() == before


def test_matching_page_shows_the_same_record_to_both_cities(client, ran, program_ab, carol, bob):
    client.force_login(carol)
    seen_by_carol = [
        sorted(a.pk for a in view.members)
        for view in client.get(base(program_ab)).context["page"].groups
    ]
    client.force_login(bob)
    seen_by_bob = [
        sorted(a.pk for a in view.members)
        for view in client.get(base(program_ab)).context["page"].groups
    ]

    assert seen_by_bob == seen_by_carol
    assert Matching.objects.filter(program=program_ab).count() == 1


# --- every POST action -------------------------------------------------------------------
# Each action gets the state it needs to succeed, the URL and form data, and a check that
# it did what it says.


def prepare_run(program, people, carol, bob):
    return "run/", {}


def check_run(program, people):
    matching = Matching.objects.get(program=program)
    assert matching.version == 1
    assert MatchGroup.objects.filter(matching=matching).count() == 2


def prepare_approve(program, people, carol, bob):
    services.matching_run(program=program, by=carol)
    return "approve/", {}


def check_approve(program, people):
    assert MatchApproval.objects.filter(matching__program=program).count() == 1


def prepare_publish(program, people, carol, bob):
    services.matching_run(program=program, by=carol)
    approve_all(program, carol, bob)
    return "publish/", {}


def check_publish(program, people):
    assert Matching.objects.get(program=program).status == "published"


def prepare_reopen(program, people, carol, bob):
    prepare_publish(program, people, carol, bob)
    services.matching_publish(program=program, by=carol)
    # Reopening asks for confirmation: the POST carries the number of participants shown.
    return "reopen/", {"confirm": str(published_participant_count(program=program))}


def check_reopen(program, people):
    assert Matching.objects.values_list("status", flat=True).get(program=program) == "draft"


def prepare_lock(program, people, carol, bob):
    services.matching_run(program=program, by=carol)
    return f"groups/{group_of(people['a1']).pk}/lock/", {"locked": "1"}


def check_lock(program, people):
    assert group_of(people["a1"]).locked is True


def prepare_split(program, people, carol, bob):
    services.matching_run(program=program, by=carol)
    return f"groups/{group_of(people['a1']).pk}/split/", {}


def check_split(program, people):
    assert MatchMember.objects.filter(application=people["a1"]).count() == 0
    assert MatchGroup.objects.filter(matching__program=program).count() == 1
    assert MatchLeftover.objects.filter(matching__program=program).count() == 2


def prepare_swap(program, people, carol, bob):
    services.matching_run(program=program, by=carol)
    return "swap/", {"first": people["a1"].pk, "second": people["a2"].pk}


def check_swap(program, people):
    # The B participant alice was paired with is now a2's buddy.
    assert buddy_of(people["a2"]).pk == people["swapped_from"]


def prepare_pair(program, people, carol, bob):
    services.matching_run(program=program, by=carol)
    services.matching_unpair(group=group_of(people["a1"]), by=carol)
    left = sorted(MatchLeftover.objects.values_list("application_id", flat=True))
    return "pair/", {"first": left[0], "second": left[1]}


def check_pair(program, people):
    assert MatchGroup.objects.filter(matching__program=program).count() == 2
    assert MatchLeftover.objects.count() == 0


def prepare_move(program, people, carol, bob):
    # Split a pair, then take one of its two (now unmatched) people out for good.
    services.matching_run(program=program, by=carol)
    services.matching_unpair(group=group_of(people["a1"]), by=carol)
    return "move/", {"participant": people["a1"].pk, "group": ""}


def check_move(program, people):
    assert MatchLeftover.objects.filter(application=people["a1"]).count() == 1
    assert MatchMember.objects.filter(application=people["a1"]).count() == 0


def prepare_rules(program, people, carol, bob):
    return "", {
        "same_gender": "on",
        "max_age_gap": "3",
        "weight_interests": "2",
        "weight_language_practice": "1",
        "weight_age": "1",
    }


def check_rules(program, people):
    matching = Matching.objects.get(program=program)
    assert (matching.max_age_gap, matching.version) == (3, 1)


ACTIONS = {
    "rules": (
        prepare_rules,
        check_rules,
        "Matching rules saved. Run the matching to apply them.",
    ),
    "run": (prepare_run, check_run, "The matching ran. Locked pairs and groups were kept."),
    "approve": (prepare_approve, check_approve, "You approved this version for your city."),
    "publish": (
        prepare_publish,
        check_publish,
        "Published. Every participant is being told who their buddy or group is.",
    ),
    "reopen": (
        prepare_reopen,
        check_reopen,
        "Reopened. Changes need both cities’ approval again.",
    ),
    "lock": (prepare_lock, check_lock, "Locked: the next run keeps it."),
    "split": (prepare_split, check_split, "Split up. Its members are now unmatched."),
    "swap": (prepare_swap, check_swap, "The matching was changed."),
    "pair": (prepare_pair, check_pair, "The matching was changed."),
    # A visit's pairs change by swap, split or pair; moving is for online groups.
    "move": (
        prepare_move,
        check_move,
        "Pairs change by swapping two people of the same city, splitting a pair or making one.",
    ),
}

ACTION_PERMISSIONS = table(
    {"anonymous": 302, "alice": 403, "mina": 403, "carol": "ok", "bob": "ok", "oscar": 403}
)


@pytest.mark.parametrize(("persona", "status"), ACTION_PERMISSIONS)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_matching_action_works_for_coordinators_of_the_program_only(
    request,
    client,
    people,
    program_ab,
    carol,
    bob,
    django_capture_on_commit_callbacks,
    action,
    persona,
    status,
):
    prepare, check, success = ACTIONS[action]
    suffix, data = prepare(program_ab, people, carol, bob)
    if action == "swap":
        people = {**people, "swapped_from": buddy_of(people["a1"]).pk}
    url = base(program_ab) + suffix
    before = snapshot()
    sign_in(request, client, persona)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    if status == "ok":
        assert response.status_code == 302
        assert response.url == base(program_ab)
        assert message_texts(response) == [success]
        check(program_ab, people)
        return
    assert response.status_code == status
    if status == 302:
        assert response.url == login_redirect(url)
    assert snapshot() == before


# Reopening answers GET with its confirmation step (tests/exchange/test_desk_confirmations.py).
POST_ONLY = ["run/", "approve/", "publish/", "swap/", "move/", "pair/"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("suffix", [*POST_ONLY, "lock", "split"])
def test_matching_action_get_is_not_allowed(request, client, ran, program_ab, persona, suffix):
    if suffix in ("lock", "split"):
        suffix = f"groups/{group_of(ran['a1']).pk}/{suffix}/"
    before = snapshot()
    sign_in(request, client, persona)

    response = client.get(base(program_ab) + suffix)

    assert response.status_code == 405
    assert snapshot() == before


# --- groups of another program -----------------------------------------------------------


@pytest.fixture
def other_group(ran, city_a, city_b, carol):
    """A pair in another A–B program's matching, which carol and bob also coordinate."""
    other = factories.ProgramFactory(cities={city_a: 5, city_b: 5}, created_by=carol)
    new_participant(other, city_a)
    new_participant(other, city_b)
    services.matching_run(program=other, by=carol)
    return MatchGroup.objects.get(matching__program=other)


@pytest.mark.parametrize("persona", ["carol", "bob"])
@pytest.mark.parametrize("what", ["lock", "split"])
def test_matching_group_of_another_program_is_not_found(
    request, client, program_ab, other_group, persona, what
):
    url = f"{base(program_ab)}groups/{other_group.pk}/{what}/"
    before = snapshot()
    sign_in(request, client, persona)

    response = client.post(url, {"locked": "1"})

    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("what", ["lock", "split"])
def test_matching_unknown_group_is_not_found(client, ran, program_ab, carol, what):
    url = f"{base(program_ab)}groups/{UNKNOWN}/{what}/"
    before = snapshot()
    client.force_login(carol)

    response = client.post(url, {"locked": "1"})

    assert response.status_code == 404
    assert snapshot() == before


# --- approving and publishing ------------------------------------------------------------


def test_matching_approve_by_bob_approves_city_b_only(client, ran, program_ab, bob, city_b):
    client.force_login(bob)

    response = client.post(base(program_ab) + "approve/")

    assert response.status_code == 302
    assert list(MatchApproval.objects.values_list("city_id", "version", "approved_by")) == [
        (city_b.pk, 1, bob.pk)
    ]


def test_matching_publish_with_one_city_approved_is_refused(
    client, ran, program_ab, bob, carol, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(bob)
    client.post(base(program_ab) + "approve/", follow=True)
    audit = AuditEntry.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(base(program_ab) + "publish/")

    assert response.status_code == 302
    assert response.url == base(program_ab)
    assert message_texts(response) == [NOT_APPROVED]
    matching = Matching.objects.get(program=program_ab)
    assert (matching.status, matching.published_at) == ("draft", None)
    assert AuditEntry.objects.count() == audit
    assert mailoutbox == []


def test_matching_publish_after_both_cities_approved_emails_every_participant(
    client, ran, program_ab, bob, carol, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(bob)
    client.post(base(program_ab) + "approve/", follow=True)
    client.force_login(carol)
    client.post(base(program_ab) + "approve/", follow=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(base(program_ab) + "publish/")

    assert response.status_code == 302
    assert message_texts(response) == [
        "Published. Every participant is being told who their buddy or group is."
    ]
    assert Matching.objects.get(program=program_ab).status == "published"
    students = {a.student.email for a in ran.values()}
    assert sorted(tuple(m.to) for m in mailoutbox if m.to[0] in students) == sorted(
        (email,) for email in students
    )
    # The rest asks the placed minors' guardians for their trip consent (issue 15).
    asked = TripConsent.objects.filter(application__program=program_ab, is_current=True)
    assert sorted(tuple(m.to) for m in mailoutbox if m.to[0] not in students) == sorted(
        (consent.guardian_email,) for consent in asked.exclude(guardian_email="")
    )
    assert asked.exclude(guardian_email="").count() >= 1
    to_alice = next(m for m in mailoutbox if m.to == ["alice@example.org"])
    assert buddy_of(ran["a1"]).student.native_name in to_alice.body


def test_matching_lock_after_approval_clears_the_approvals(client, ran, program_ab, bob, carol):
    approve_all(program_ab, carol, bob)
    assert services.missing_approvals(Matching.objects.get(program=program_ab)) == []
    client.force_login(carol)

    locked = client.post(
        f"{base(program_ab)}groups/{group_of(ran['a1']).pk}/lock/", {"locked": "1"}, follow=True
    )
    response = client.post(base(program_ab) + "publish/")

    matching = Matching.objects.get(program=program_ab)
    assert MatchApproval.objects.filter(matching=matching).count() == 0
    assert sorted(services.missing_approvals(matching)) == sorted(
        pc.city_id for pc in program_ab.program_cities.all()
    )
    assert [str(m) for m in locked.context["messages"]] == ["Locked: the next run keeps it."]
    assert message_texts(response) == [NOT_APPROVED]
    assert matching.status == "draft"


def test_matching_page_after_a_change_offers_no_publishing(client, ran, program_ab, bob, carol):
    approve_all(program_ab, carol, bob)
    services.match_group_lock(group=group_of(ran["a1"]), locked=True, by=bob)
    client.force_login(carol)

    response = client.get(base(program_ab))

    assert response.context["page"].approved_city_ids == set()
    assert response.context["can_publish"] is False
    assert response.context["can_approve"] is True


# --- what students see -------------------------------------------------------------------


def test_my_application_before_publishing_shows_no_buddy(client, ran, program_ab, alice):
    buddy = buddy_of(ran["a1"]).student
    client.force_login(alice)

    response = client.get(f"/me/applications/{ran['a1'].pk}/")

    assert response.status_code == 200
    assert response.context["match"] is None
    assert buddy.native_name not in response.content.decode()
    assert buddy.latin_name not in response.content.decode()


def test_my_application_after_publishing_shows_the_buddy(
    client, ran, program_ab, alice, carol, bob
):
    approve_all(program_ab, carol, bob)
    services.matching_publish(program=program_ab, by=carol)
    buddy = buddy_of(ran["a1"]).student
    client.force_login(alice)

    response = client.get(f"/me/applications/{ran['a1'].pk}/")

    assert response.status_code == 200
    assert [o.student for o in response.context["match"].others] == [buddy]
    assert buddy.native_name in response.content.decode()
    assert buddy.latin_name in response.content.decode()


# --- an unknown program ------------------------------------------------------------------

UNKNOWN_PROGRAM = table(
    {"anonymous": 302, "alice": 403, "mina": 403, "carol": 403, "bob": 403, "oscar": 403}
)


@pytest.mark.parametrize(("persona", "status"), UNKNOWN_PROGRAM)
@pytest.mark.parametrize("suffix", ["", *POST_ONLY, "lock", "split"])
def test_matching_url_of_an_unknown_program_is_refused(
    request, client, ran, program_ab, persona, status, suffix
):
    if suffix in ("lock", "split"):
        suffix = f"groups/{group_of(ran['a1']).pk}/{suffix}/"
    url = f"/coordinate/programs/{UNKNOWN}/matching/{suffix}"
    before = snapshot()
    sign_in(request, client, persona)

    response = client.post(url, {"locked": "1"}) if suffix else client.get(url)

    assert response.status_code == status
    if status == 302:
        assert response.url == login_redirect(url)
    assert snapshot() == before


def test_my_application_after_reopening_shows_no_buddy(client, ran, program_ab, alice, carol, bob):
    approve_all(program_ab, carol, bob)
    services.matching_publish(program=program_ab, by=carol)
    services.matching_reopen(program=program_ab, by=bob)
    buddy = buddy_of(ran["a1"]).student
    client.force_login(alice)

    response = client.get(f"/me/applications/{ran['a1'].pk}/")

    assert response.status_code == 200
    assert response.context["match"] is None
    assert buddy.native_name not in response.content.decode()


# --- When people leave: hand changes and publishing say so instead of failing -----------


def test_matching_move_out_of_a_pair_is_refused_with_a_message(client, ran, program_ab, carol):
    client.force_login(carol)

    response = client.post(
        base(program_ab) + "move/", {"participant": ran["a1"].pk, "group": ""}, follow=True
    )

    assert response.redirect_chain == [(base(program_ab), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Pairs change by swapping two people of the same city, splitting a pair or making one."
    ]


def test_matching_swap_after_a_matched_participant_withdrew_says_who_left(
    client, ran, program_ab, carol
):
    withdrawn = buddy_of(ran["a1"])
    application_services.application_withdraw(application=withdrawn, by=withdrawn.student)
    client.force_login(carol)

    response = client.post(
        base(program_ab) + "swap/", {"first": ran["a1"].pk, "second": ran["a2"].pk}, follow=True
    )

    assert response.redirect_chain == [(base(program_ab), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        f"{withdrawn.student.display_name} no longer take part (their place is not confirmed). "
        "Run the matching again to replace them."
    ]


def test_matching_publish_with_a_departed_participant_is_refused(
    client, ran, program_ab, carol, bob, city_a, city_b, mailoutbox
):
    withdrawn = buddy_of(ran["a1"])
    for coordinator in (carol, bob):
        client.force_login(coordinator)
        client.post(base(program_ab) + "approve/")
    application_services.application_withdraw(application=withdrawn, by=withdrawn.student)
    client.force_login(bob)

    response = client.post(base(program_ab) + "publish/", follow=True)

    assert [str(m) for m in response.context["messages"]][-1].startswith(
        f"{withdrawn.student.display_name} no longer take part"
    )
    assert Matching.objects.get(program=program_ab).status == "draft"
    assert [m for m in mailoutbox if "buddy" in m.subject] == []
