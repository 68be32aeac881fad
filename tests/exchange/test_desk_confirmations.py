"""Releasing a city's decisions and reopening a published matching ask for confirmation first
(issue 14): the page says what happens and to how many, and only a POST carrying the number
shown acts. A bare POST, a double click that lost the field or a stale number changes
nothing and sends nothing."""

import pytest
from django.core.exceptions import ValidationError

from exchange.models import Application, AuditEntry, Matching
from exchange.services import applications as services
from exchange.services import matching as matching_services
from tests.exchange.helpers import applicant, new_participant, participant
from tests.helpers import login_redirect, message_texts, sign_in, table

pytestmark = pytest.mark.django_db


def release_url(program, city) -> str:
    return f"/coordinate/programs/{program.pk}/release/{city.pk}/"


def reopen_url(program) -> str:
    return f"/coordinate/programs/{program.pk}/matching/reopen/"


@pytest.fixture
def prepared(program_ab, city_a, city_b):
    """City A: two to accept, one to reject, one under review with nothing prepared. City B:
    one to waitlist, which no count of city A's may include."""
    return {
        "a": [
            applicant(program_ab, city_a, staged_decision="accepted"),
            applicant(program_ab, city_a, staged_decision="accepted"),
            applicant(program_ab, city_a, staged_decision="rejected"),
        ],
        "a_open": applicant(program_ab, city_a),
        "b": [applicant(program_ab, city_b, staged_decision="waitlisted")],
    }


def states(program) -> list[tuple[int, str, str]]:
    return list(
        Application.objects.filter(program=program)
        .order_by("pk")
        .values_list("pk", "state", "staged_decision")
    )


RELEASE_A_LINES = [
    "This emails 3 applicants in 광주시 (Gwangju (Gyeonggi)) their decision. It can’t be undone.",
    "2 accepted, 0 waitlisted, 1 not selected.",
    "Each accepted applicant has 7 days to confirm their place; a place not confirmed in time "
    "goes to the next person on the waiting list.",
]


def test_release_confirmation_page_says_how_many_are_emailed(
    client, carol, program_ab, city_a, prepared, mailoutbox
):
    before = states(program_ab)
    client.force_login(carol)

    response = client.get(release_url(program_ab, city_a))

    assert response.status_code == 200
    confirm = response.context["confirm"]
    assert confirm.lines == RELEASE_A_LINES
    assert (confirm.value, confirm.changed) == ("3", False)
    html = response.content.decode()
    assert '<input type="hidden" name="confirm" value="3">' in html
    assert f'<form method="post" action="{release_url(program_ab, city_a)}">' in html
    assert states(program_ab) == before
    assert mailoutbox == []


def test_release_confirmation_of_a_blind_program_says_names_become_visible(
    client, carol, program_ab, city_a, prepared
):
    program_ab.blind_review = True
    program_ab.save(update_fields=["blind_review"])
    client.force_login(carol)

    response = client.get(release_url(program_ab, city_a))

    assert response.context["confirm"].lines == [
        *RELEASE_A_LINES,
        "Blind review ends for them: their names, schools and email addresses become visible "
        "to their city’s coordinators.",
    ]


def test_release_confirmation_for_partner_city_counts_its_own_applicants_only(
    client, bob, program_ab, city_b, prepared
):
    client.force_login(bob)

    response = client.get(release_url(program_ab, city_b))

    assert response.context["confirm"].lines == [
        "This emails 1 applicant in 淄博市 (Zibo) their decision. It can’t be undone.",
        "0 accepted, 1 waitlisted, 0 not selected.",
    ]
    assert response.context["confirm"].value == "1"


def test_release_confirmation_of_partner_city_is_not_found(
    client, bob, program_ab, city_a, prepared
):
    client.force_login(bob)

    response = client.get(release_url(program_ab, city_a))

    assert response.status_code == 404


def test_release_confirmation_with_nothing_prepared_offers_no_form(
    client, carol, program_ab, city_a
):
    applicant(program_ab, city_a)
    client.force_login(carol)

    response = client.get(release_url(program_ab, city_a))

    assert response.context["confirm"].lines == ["There are no prepared decisions to release."]
    assert 'name="confirm"' not in response.content.decode()


@pytest.mark.parametrize("data", [{}, {"confirm": ""}, {"confirm": "yes"}, {"confirm": "2"}])
def test_release_post_without_the_confirmed_number_changes_nothing_and_sends_no_mail(
    client,
    carol,
    program_ab,
    city_a,
    prepared,
    mailoutbox,
    django_capture_on_commit_callbacks,
    data,
):
    before = states(program_ab)
    client.force_login(carol)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(release_url(program_ab, city_a), data)

    assert response.status_code == 200
    assert response.templates[0].name == "exchange/confirm_action.html"
    assert response.context["confirm"].lines == RELEASE_A_LINES
    # A number that is not the one shown now was confirmed on an out-of-date page.
    assert response.context["confirm"].changed is ("confirm" in data)
    assert states(program_ab) == before
    assert AuditEntry.objects.count() == 0
    assert mailoutbox == []


def test_release_post_with_the_confirmed_number_releases_and_emails_each_applicant(
    client, carol, program_ab, city_a, prepared, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(carol)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(release_url(program_ab, city_a), {"confirm": "3"})

    assert (response.status_code, response.url) == (
        302,
        f"/coordinate/programs/{program_ab.pk}/applications/",
    )
    assert message_texts(response) == [
        "Decisions released: 2 accepted, 0 waitlisted, 1 not selected. The emails are on their way."
    ]
    a1, a2, a3 = prepared["a"]
    b1 = prepared["b"][0]
    assert states(program_ab) == sorted(
        [
            (a1.pk, "accepted", ""),
            (a2.pk, "accepted", ""),
            (a3.pk, "rejected", ""),
            (prepared["a_open"].pk, "under_review", ""),
            (b1.pk, "under_review", "waitlisted"),
        ]
    )
    assert sorted(m.to[0] for m in mailoutbox) == sorted(a.student.email for a in prepared["a"])


def test_release_service_refuses_a_number_that_is_no_longer_true(
    carol, program_ab, city_a, prepared, mailoutbox
):
    """The number is checked again inside the release's lock: a decision prepared after
    carol's page was shown is not released behind her back."""
    before = states(program_ab)

    with pytest.raises(ValidationError) as error:
        services.decisions_release(program=program_ab, city_id=city_a.pk, by=carol, expected=2)

    assert error.value.code == "changed"
    assert error.value.messages == [
        "The prepared decisions changed since you confirmed. Check the numbers again."
    ]
    assert states(program_ab) == before
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 404, "oscar": 403}),
)
def test_release_confirmation_of_city_a_opens_for_city_a_coordinators_only(
    request, client, program_ab, city_a, prepared, persona, status
):
    url = release_url(program_ab, city_a)
    before = states(program_ab)
    sign_in(request, client, persona)

    response = client.get(url)

    assert response.status_code == status
    if status == 302:
        assert response.url == login_redirect(url)
    assert states(program_ab) == before


# --- reopening a published matching ------------------------------------------------------


@pytest.fixture
def published(alice, program_ab, city_a, city_b, carol, bob):
    """A published matching of two buddy pairs: four participants, two in each city."""
    people = [
        participant(program_ab, alice),
        new_participant(program_ab, city_a),
        new_participant(program_ab, city_b),
        new_participant(program_ab, city_b),
    ]
    matching_services.matching_run(program=program_ab, by=carol)
    matching_services.matching_approve(program=program_ab, city_ids={city_a.pk}, by=carol)
    matching_services.matching_approve(program=program_ab, city_ids={city_b.pk}, by=bob)
    matching_services.matching_publish(program=program_ab, by=carol)
    return people


REOPEN_LINES = [
    "Reopening withdraws the published matching for 4 participants.",
    "Their application pages stop showing their buddy or group until a new version is "
    "published. Nobody is emailed now; publishing again emails every participant their buddy "
    "or group.",
    "The pair and group chat rooms stay as they are until then. When a new version is "
    "published, a pair or group whose members changed gets a new room, and its old room "
    "closes to its participants.",
    "Every city’s coordinators must approve the new version before it is published.",
]


def matching_state(program) -> tuple[str, int]:
    return Matching.objects.values_list("status", "version").get(program=program)


@pytest.mark.parametrize("persona", ["carol", "bob"])
def test_reopen_confirmation_page_says_how_many_participants(
    request, client, program_ab, published, persona
):
    before = matching_state(program_ab)
    sign_in(request, client, persona)

    response = client.get(reopen_url(program_ab))

    assert response.status_code == 200
    assert response.context["confirm"].lines == REOPEN_LINES
    assert response.context["confirm"].value == "4"
    assert matching_state(program_ab) == before


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 200, "oscar": 403}),
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_reopen_confirmation_opens_for_the_programs_coordinators_only(
    request, client, program_ab, published, persona, status, method
):
    url = reopen_url(program_ab)
    before = matching_state(program_ab)
    sign_in(request, client, persona)

    response = getattr(client, method)(url)

    assert response.status_code == status
    if status == 302:
        assert response.url == login_redirect(url)
    assert matching_state(program_ab) == before


@pytest.mark.parametrize("data", [{}, {"confirm": "yes"}, {"confirm": "3"}])
def test_reopen_post_without_the_confirmed_number_changes_nothing(
    client, carol, program_ab, published, mailoutbox, django_capture_on_commit_callbacks, data
):
    before = matching_state(program_ab)
    audit = AuditEntry.objects.count()
    mailoutbox.clear()
    client.force_login(carol)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reopen_url(program_ab), data)

    assert response.status_code == 200
    assert response.context["confirm"].lines == REOPEN_LINES
    assert matching_state(program_ab) == before == ("published", 1)
    assert AuditEntry.objects.count() == audit
    assert mailoutbox == []


def test_reopen_post_with_the_confirmed_number_reopens(
    client, carol, program_ab, published, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    client.force_login(carol)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reopen_url(program_ab), {"confirm": "4"})

    assert (response.status_code, response.url) == (
        302,
        f"/coordinate/programs/{program_ab.pk}/matching/",
    )
    assert message_texts(response) == ["Reopened. Changes need both cities’ approval again."]
    assert matching_state(program_ab) == ("draft", 2)
    assert mailoutbox == []


def test_reopen_confirmation_of_an_unpublished_matching_offers_no_form(
    client, carol, program_ab, city_a, city_b
):
    new_participant(program_ab, city_a)
    new_participant(program_ab, city_b)
    matching_services.matching_run(program=program_ab, by=carol)
    client.force_login(carol)

    response = client.get(reopen_url(program_ab))

    assert response.context["confirm"].lines == ["This matching is not published."]
    assert 'name="confirm"' not in response.content.decode()
