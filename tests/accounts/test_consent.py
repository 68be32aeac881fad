"""Guardian consent: the request, the guardian's signed links, and the under-14 gate.

Emails are sent from `transaction.on_commit`, which never fires inside a test's transaction;
`django_capture_on_commit_callbacks(execute=True)` runs them, and Celery runs them eagerly.
"""

import re
import time

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from accounts import services, tokens
from accounts.models import GuardianConsent
from tests import factories

# Every test here touches the database, including those that reach it through
# request.getfixturevalue: marking them lets pytest-django run them with the other
# database tests, before any transactional test flushes the migrated vocabulary.
pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/me/guardian/[^/\s\"]+/(?:withdraw/)?)")


def in_language(language: str, msgid: str, **params) -> str:
    """A catalogue string as the portal shows it in `language`."""
    with translation.override(language):
        return gettext(msgid) % params


def link_in(message) -> str:
    """The one portal link in an email, checked to be the same in its text and HTML parts."""
    [path] = LINK.findall(message.body)
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f'<a href="http://testserver{path}">' in html
    return path


def signed_days_ago(payload: dict, *, salt: str, days: float) -> str:
    """A token exactly as `accounts.tokens` makes it, but stamped `days` ago."""

    class SignedEarlier(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time() - days * 24 * 3600))

    return SignedEarlier(salt=salt).sign_object(payload, compress=True)


def current_consent(student) -> GuardianConsent:
    return GuardianConsent.objects.get(student=student, is_current=True)


@pytest.fixture
def jun(city_a):
    """A 12-year-old in city A: under 14, so the consent gate applies."""
    return factories.StudentFactory(
        email="jun@example.org",
        native_name="박준",
        latin_name="Park Jun",
        home_city=city_a,
        age=12,
    )


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """The signed-in student asks `email` for consent through the page; returns the response."""

    def ask(email: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/me/consent/", {"guardian_email": email})

    return ask


class Guardian:
    """The guardian's browser: never signed in, separate from the student's client."""

    def __init__(self, capture_on_commit):
        self.client = Client()
        self._capture_on_commit = capture_on_commit

    def consent(self, path: str, **data):
        form = {"guardian_name": "김미자", "relationship": "mother", "confirm": "on", **data}
        with self._capture_on_commit(execute=True):
            return self.client.post(path, form)


@pytest.fixture
def guardian(django_capture_on_commit_callbacks):
    return Guardian(django_capture_on_commit_callbacks)


# --- asking ------------------------------------------------------------------------------


def test_consent_request_creates_pending_request_and_emails_guardian(client, mina, ask):
    client.force_login(mina)

    response = ask(" Mum@Example.org ")

    assert response.status_code == 302
    assert response.url == "/me/consent/"
    consent = current_consent(mina)
    assert (consent.guardian_email, consent.status) == ("mum@example.org", "pending")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mum@example.org"]
    assert message.subject == "이민아 (Lee Mina) asks for your consent on the Youth Exchange portal"
    assert message.body.startswith(
        "이민아 (Lee Mina) (mina@example.org) named you as their parent or guardian"
    )
    assert "The link is valid for 7 days." in message.body
    token = link_in(message).removeprefix("/me/guardian/").removesuffix("/")
    assert tokens.consent_from_token(token) == consent


def test_consent_request_email_is_in_the_students_language(client, mina, ask):
    mina.preferred_language = "ko"
    mina.save(update_fields=["preferred_language"])
    client.force_login(mina)

    with translation.override("en"):
        ask("mum@example.org")

    [message] = mail.outbox
    subject = in_language(
        "ko",
        "%(name)s asks for your consent on the Youth Exchange portal",
        name="이민아 (Lee Mina)",
    )
    assert subject != "이민아 (Lee Mina) asks for your consent on the Youth Exchange portal"
    assert message.subject == subject
    instruction = in_language(
        "ko", "Please read what they signed up for and give your consent here:"
    )
    assert instruction in message.body
    assert instruction in message.alternatives[0][0]
    link_in(message)


def test_consent_request_with_own_email_is_refused_beside_the_field(client, mina, ask):
    client.force_login(mina)

    response = ask("MINA@example.org")

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "guardian_email": ["Enter your guardian's email address, not your own."]
    }
    assert '<ul class="errorlist" id="id_guardian_email_error">' in response.content.decode()
    assert 'value="MINA@example.org"' in response.content.decode()
    assert GuardianConsent.objects.count() == 0
    assert mail.outbox == []


def test_consent_request_with_invalid_email_is_refused(client, mina, ask):
    client.force_login(mina)

    response = ask("not-an-address")

    assert response.context["form"].errors == {"guardian_email": ["Enter a valid email address."]}
    assert GuardianConsent.objects.count() == 0
    assert mail.outbox == []


def test_consent_request_after_consent_given_is_refused(client, alice, ask):
    client.force_login(alice)
    before = list(GuardianConsent.objects.values())

    response = ask("someone.else@example.org")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Your guardian has already consented."]
    assert list(GuardianConsent.objects.values()) == before
    assert mail.outbox == []


def test_consent_request_replaced_invalidates_the_old_link(client, mina, ask, guardian):
    client.force_login(mina)
    ask("mum@example.org")
    ask("dad@example.org")

    mum_link, dad_link = (link_in(m) for m in mail.outbox)
    assert [m.to for m in mail.outbox] == [["mum@example.org"], ["dad@example.org"]]
    assert guardian.client.get(mum_link).status_code == 404
    assert guardian.client.get(dad_link).status_code == 200
    assert guardian.consent(mum_link).status_code == 404
    assert list(
        GuardianConsent.objects.order_by("pk").values_list("guardian_email", "is_current")
    ) == [("mum@example.org", False), ("dad@example.org", True)]
    assert current_consent(mina).status == "pending"


def test_consent_request_to_same_guardian_again_invalidates_the_first_email(
    client, mina, ask, guardian
):
    client.force_login(mina)
    ask("mum@example.org")
    ask("mum@example.org")

    first, second = (link_in(m) for m in mail.outbox)
    assert first != second
    assert guardian.client.get(first).status_code == 404
    assert guardian.client.get(second).status_code == 200


def test_consent_request_replaced_before_commit_sends_only_the_newer_email(
    mina, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.guardian_consent_request(student=mina, guardian_email="mum@example.org")
        services.guardian_consent_request(student=mina, guardian_email="dad@example.org")

    assert [m.to for m in mail.outbox] == [["dad@example.org"]]


# --- the guardian's link -----------------------------------------------------------------


def test_guardian_link_shows_who_asks_and_the_consent_form(client, mina, ask, guardian):
    client.force_login(mina)
    ask("mum@example.org")

    response = guardian.client.get(link_in(mail.outbox[0]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "이민아 (Lee Mina) (mina@example.org) named you as their parent or guardian" in body
    assert "I consent" in body


def test_guardian_consent_given_records_guardian_and_confirms_by_email(client, mina, ask, guardian):
    client.force_login(mina)
    ask("mum@example.org")
    link = link_in(mail.outbox[0])

    response = guardian.consent(link)

    assert response.status_code == 302
    assert response.url == link
    consent = current_consent(mina)
    assert (consent.status, consent.guardian_name, consent.relationship) == (
        "given",
        "김미자",
        "mother",
    )
    assert len(mail.outbox) == 2
    confirmation = mail.outbox[1]
    assert confirmation.to == ["mum@example.org"]
    assert confirmation.subject == "You gave consent for 이민아 (Lee Mina)"
    token = link_in(confirmation).removeprefix("/me/guardian/").removesuffix("/withdraw/")
    assert tokens.consent_from_withdraw_token(token) == consent
    assert "Thank you. You gave your consent on" in guardian.client.get(link).content.decode()


def test_guardian_confirmation_email_is_in_the_students_language(client, mina, ask, guardian):
    mina.preferred_language = "ko"
    mina.save(update_fields=["preferred_language"])
    client.force_login(mina)
    ask("mum@example.org")

    guardian.consent(link_in(mail.outbox[0]))

    confirmation = mail.outbox[1]
    subject = in_language("ko", "You gave consent for %(name)s", name="이민아 (Lee Mina)")
    assert subject != "You gave consent for 이민아 (Lee Mina)"
    assert confirmation.subject == subject
    link_in(confirmation)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"confirm": ""}, {"confirm": ["This field is required."]}),
        ({"guardian_name": "   "}, {"guardian_name": ["This field is required."]}),
        (
            {"relationship": "neighbour"},
            {
                "relationship": [
                    "Select a valid choice. neighbour is not one of the available choices."
                ]
            },
        ),
    ],
)
def test_guardian_consent_incomplete_form_writes_nothing(client, mina, ask, guardian, data, errors):
    client.force_login(mina)
    ask("mum@example.org")
    before = list(GuardianConsent.objects.values())

    response = guardian.consent(link_in(mail.outbox[0]), **data)

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert list(GuardianConsent.objects.values()) == before
    assert len(mail.outbox) == 1


def test_guardian_consent_posted_twice_keeps_the_first_answer(client, mina, ask, guardian):
    client.force_login(mina)
    ask("mum@example.org")
    link = link_in(mail.outbox[0])
    guardian.consent(link)
    given = list(GuardianConsent.objects.values())

    response = guardian.consent(link, guardian_name="Someone Else", relationship="father")

    assert response.status_code == 200
    assert list(GuardianConsent.objects.values()) == given
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(("days", "status"), [(6.9, 200), (7.1, 404)])
def test_guardian_link_expires_after_max_age(guardian, mina, days, status):
    consent = GuardianConsent.objects.create(student=mina, guardian_email="mum@example.org")
    token = signed_days_ago(
        {"c": consent.pk, "e": "mum@example.org"}, salt=tokens.CONSENT_SALT, days=days
    )

    response = guardian.client.get(f"/me/guardian/{token}/")

    assert response.status_code == status
    if status == 404:
        assert "This link is not valid" in response.content.decode()
        assert guardian.consent(f"/me/guardian/{token}/").status_code == 404
        assert current_consent(mina).status == "pending"


def test_guardian_link_max_age_follows_the_setting(guardian, mina, settings):
    settings.GUARDIAN_LINK_MAX_AGE_DAYS = 2
    consent = GuardianConsent.objects.create(student=mina, guardian_email="mum@example.org")
    token = signed_days_ago(
        {"c": consent.pk, "e": "mum@example.org"}, salt=tokens.CONSENT_SALT, days=3
    )

    assert guardian.client.get(f"/me/guardian/{token}/").status_code == 404


def test_guardian_link_crafted_here_matches_the_real_token_format(guardian, mina):
    """The expiry tests sign their own tokens; this proves they are made the same way."""
    consent = GuardianConsent.objects.create(student=mina, guardian_email="mum@example.org")
    token = signed_days_ago(
        {"c": consent.pk, "e": "mum@example.org"}, salt=tokens.CONSENT_SALT, days=0
    )

    assert tokens.consent_from_token(token) == consent
    assert token.split(":")[0] == tokens.consent_token(consent).split(":")[0]


def tampered(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def signed(payload, salt: str) -> str:
    return signing.dumps(payload, salt=salt, compress=True)


@pytest.mark.parametrize(
    ("make_token", "page"),
    [
        pytest.param(lambda c: tampered(tokens.consent_token(c)), "", id="signature"),
        pytest.param(lambda c: "not-a-token", "", id="garbage"),
        pytest.param(lambda c: tokens.withdraw_token(c), "", id="withdraw-token"),
        pytest.param(lambda c: tokens.consent_token(c), "withdraw/", id="consent-token"),
        pytest.param(
            lambda c: signed({"c": c.pk, "e": c.guardian_email}, "other"), "", id="other-salt"
        ),
        pytest.param(
            lambda c: signed({"c": c.pk, "e": "other@example.org"}, tokens.CONSENT_SALT),
            "",
            id="other-email",
        ),
        pytest.param(lambda c: signed([c.pk], tokens.CONSENT_SALT), "", id="not-a-dict"),
    ],
)
def test_guardian_link_tampered_shows_invalid_link_page(guardian, mina, make_token, page):
    consent = GuardianConsent.objects.create(student=mina, guardian_email="mum@example.org")
    path = f"/me/guardian/{make_token(consent)}/{page}"

    get = guardian.client.get(path)
    post = guardian.consent(path)

    assert get.status_code == 404
    assert get.templates[0].name == "accounts/guardian_link_invalid.html"
    assert "This link is not valid" in get.content.decode()
    assert post.status_code == 404
    assert current_consent(mina).status == "pending"
    assert mail.outbox == []


# --- withdrawing -------------------------------------------------------------------------


@pytest.fixture
def given(client, mina, ask, guardian):
    """Mina asked her mother, who consented. Returns the withdraw link from the email."""
    client.force_login(mina)
    ask("mum@example.org")
    guardian.consent(link_in(mail.outbox[0]))
    return link_in(mail.outbox[1])


def test_guardian_withdraw_marks_consent_withdrawn(guardian, mina, given):
    page = guardian.client.get(given)
    response = guardian.client.post(given)

    assert page.status_code == 200
    assert "Withdraw my consent" in page.content.decode()
    assert response.status_code == 302
    assert response.url == given
    consent = current_consent(mina)
    assert consent.status == "withdrawn"
    assert consent.consented_at is not None
    assert "Your consent was withdrawn on" in guardian.client.get(given).content.decode()


def test_guardian_withdraw_twice_shows_an_error(guardian, mina, given):
    guardian.client.post(given)
    withdrawn_at = current_consent(mina).withdrawn_at

    response = guardian.client.post(given)

    assert response.status_code == 200
    assert response.context["error"] == "Only a consent that was given can be withdrawn."
    assert current_consent(mina).withdrawn_at == withdrawn_at


def test_guardian_withdraw_link_does_not_expire(guardian, mina, given):
    consent = current_consent(mina)
    token = signed_days_ago(
        {"c": consent.pk, "e": "mum@example.org"}, salt=tokens.WITHDRAW_SALT, days=400
    )

    response = guardian.client.post(f"/me/guardian/{token}/withdraw/")

    assert response.status_code == 302
    assert current_consent(mina).status == "withdrawn"


def test_guardian_withdraw_link_tampered_keeps_consent(guardian, mina, given):
    token = given.removeprefix("/me/guardian/").removesuffix("/withdraw/")

    response = guardian.client.post(f"/me/guardian/{tampered(token)}/withdraw/")

    assert response.status_code == 404
    assert current_consent(mina).status == "given"


def test_guardian_withdraw_of_pending_request_is_refused(guardian, mina):
    consent = GuardianConsent.objects.create(student=mina, guardian_email="mum@example.org")

    response = guardian.client.post(f"/me/guardian/{tokens.withdraw_token(consent)}/withdraw/")

    assert response.context["error"] == "Only a consent that was given can be withdrawn."
    assert current_consent(mina).status == "pending"


def test_consent_after_withdrawal_can_be_asked_again(client, mina, ask, guardian, given):
    guardian.client.post(given)

    ask("mum@example.org")

    assert [
        (c.guardian_email, c.is_current, c.status) for c in GuardianConsent.objects.order_by("pk")
    ] == [("mum@example.org", False, "withdrawn"), ("mum@example.org", True, "pending")]
    assert current_consent(mina).status == "pending"
    assert len(mail.outbox) == 3


# --- the status, always visible ----------------------------------------------------------


def banner(response) -> str:
    """The consent banner as `<status>: <text>`, or "" when the page has none."""
    match = re.search(
        r'<div class="consent-banner consent-(\w+)" role="status">(.*?)</div>\s*</div>',
        response.content.decode(),
        re.S,
    )
    if match is None:
        return ""
    text = " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())
    return f"{match.group(1)}: {text}"


def test_consent_banner_follows_each_step(client, mina, ask, guardian):
    client.force_login(mina)
    steps = [banner(client.get("/programs/"))]
    ask("mum@example.org")
    steps.append(banner(client.get("/cities/")))
    guardian.consent(link_in(mail.outbox[0]))
    steps.append(banner(client.get("/")))
    guardian.client.post(link_in(mail.outbox[1]))
    steps.append(banner(client.get("/me/profile/")))

    assert steps == [
        "missing: Guardian consent: not asked yet. You need it to apply to programs."
        " See your consent",
        "pending: Guardian consent: waiting for mum@example.org to answer. See your consent",
        "given: Guardian consent: given by 김미자. See your consent",
        "withdrawn: Guardian consent: withdrawn. Ask your guardian again to apply to programs."
        " See your consent",
    ]


def test_consent_banner_for_student_with_consent_names_the_guardian(client, alice):
    client.force_login(alice)

    assert banner(client.get("/programs/")) == (
        "given: Guardian consent: given by Guardian. See your consent"
    )


def test_consent_status_page_follows_each_step(client, mina, ask, guardian):
    client.force_login(mina)

    def status():
        match = re.search(
            r'<p class="status status-(\w+)"><strong>(.*?)</strong></p>',
            client.get("/me/consent/").content.decode(),
        )
        return match.groups()

    steps = [status()]
    ask("mum@example.org")
    steps.append(status())
    guardian.consent(link_in(mail.outbox[0]))
    steps.append(status())
    guardian.client.post(link_in(mail.outbox[1]))
    steps.append(status())

    assert steps == [
        ("missing", "Not asked yet"),
        ("pending", "Waiting for your guardian"),
        ("given", "Given"),
        ("withdrawn", "Withdrawn"),
    ]


def test_consent_banner_is_in_the_students_language(client, mina):
    mina.preferred_language = "ko"
    mina.save(update_fields=["preferred_language"])
    client.force_login(mina)

    response = client.get("/programs/")

    expected = in_language(
        "ko", "Guardian consent: not asked yet. You need it to apply to programs."
    )
    assert expected != "Guardian consent: not asked yet. You need it to apply to programs."
    assert expected in banner(response)


@pytest.mark.parametrize("persona", ["carol", "bob", "oscar"])
def test_consent_banner_hidden_for_adults(request, client, persona):
    client.force_login(request.getfixturevalue(persona))

    assert banner(client.get("/programs/")) == ""


def test_consent_banner_hidden_for_anonymous(client, city_a):
    assert banner(client.get("/programs/")) == ""


# --- the under-14 gate -------------------------------------------------------------------


GATED = [
    "/",
    "/programs/",
    "/cities/",
    "/cities/gwangju-gyeonggi/",
    "/me/profile/",
    "/coordinate/",
    "/programs/new/",
    "/accounts/email/",
    "/accounts/password/change/",
]


@pytest.mark.parametrize("url", [*GATED, "PROGRAM"])
def test_gate_redirects_under_14_to_consent_page(client, jun, program_ab, url):
    url = f"/programs/{program_ab.pk}/" if url == "PROGRAM" else url
    client.force_login(jun)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == "/me/consent/"


def test_gate_blocks_posts_too_and_writes_nothing(client, jun, city_a):
    client.force_login(jun)
    before = (jun.native_name, jun.latin_name)

    response = client.post("/me/profile/", {"native_name": "바뀐이름", "latin_name": "Changed"})

    assert response.url == "/me/consent/"
    jun.refresh_from_db()
    assert (jun.native_name, jun.latin_name) == before


def test_gate_lets_under_14_reach_the_consent_page(client, jun):
    client.force_login(jun)

    response = client.get("/me/consent/")

    assert response.status_code == 200
    assert "You are under 14." in response.content.decode()


def test_gate_lets_under_14_ask_for_consent(client, jun, ask):
    client.force_login(jun)

    response = ask("mum@example.org")

    assert response.url == "/me/consent/"
    assert current_consent(jun).status == "pending"
    assert [m.to for m in mail.outbox] == [["mum@example.org"]]


def test_gate_lets_under_14_sign_out(client, jun):
    client.force_login(jun)

    assert client.get("/accounts/logout/").status_code == 200
    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_gate_lets_under_14_switch_language(client, jun):
    client.force_login(jun)

    response = client.post("/me/language/", {"language": "ko", "next": "/me/consent/"})

    assert response.status_code == 302
    assert response.url == "/me/consent/"
    jun.refresh_from_db()
    assert jun.preferred_language == "ko"


def test_gate_lets_under_14_open_a_guardian_link(client, jun):
    """A child may open the link on the family computer; the guardian consents from there."""
    consent = GuardianConsent.objects.create(student=jun, guardian_email="mum@example.org")
    client.force_login(jun)

    response = client.get(f"/me/guardian/{tokens.consent_token(consent)}/")

    assert response.status_code == 200


@pytest.mark.parametrize(("url", "status"), [("/static/css/portal.css", 200), ("/nowhere/", 404)])
def test_gate_lets_static_files_and_not_found_through(client, jun, url, status):
    client.force_login(jun)

    response = client.get(url)
    response.close()  # a static file streams from an open file

    assert response.status_code == status


def test_gate_opens_once_guardian_consents(client, jun, ask, guardian):
    client.force_login(jun)
    ask("mum@example.org")
    assert client.get("/programs/").status_code == 302

    guardian.consent(link_in(mail.outbox[0]))

    assert client.get("/programs/").status_code == 200


def test_gate_closes_again_when_consent_is_withdrawn(client, jun, ask, guardian):
    client.force_login(jun)
    ask("mum@example.org")
    guardian.consent(link_in(mail.outbox[0]))
    guardian.client.post(link_in(mail.outbox[1]))

    response = client.get("/programs/")

    assert response.status_code == 302
    assert response.url == "/me/consent/"


@pytest.mark.parametrize("persona", ["mina", "alice"])
def test_gate_leaves_students_of_14_and_over_alone(request, client, persona):
    """Mina (15) has no consent yet; she needs it to apply, not to use the portal."""
    client.force_login(request.getfixturevalue(persona))

    assert client.get("/programs/").status_code == 200


# --- found from outside: invisible names, and consent e-mails to any address on every post ---

INVISIBLE = (
    "Names can’t hold invisible or direction-changing characters. Type the name again without "
    "copying it from elsewhere."
)


def test_guardian_name_is_held_to_the_same_rule(client, mina, django_capture_on_commit_callbacks):
    client.force_login(mina)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/me/consent/", {"guardian_email": "mum@example.org"})
    guardian = Guardian(django_capture_on_commit_callbacks)

    response = guardian.consent(link_in(mail.outbox[0]), guardian_name="\u202e자미김")

    assert response.context["form"].errors == {"guardian_name": [INVISIBLE]}
    assert GuardianConsent.objects.get().status == GuardianConsent.Status.PENDING


# --- Consent e-mails ----------------------------------------------------------------------

ENOUGH = (
    "We have sent enough consent e-mails for today. Ask your guardian to look in their inbox "
    "and spam folder, or try again tomorrow."
)


def ask_as(client, capture, email: str):
    with capture(execute=True):
        return client.post("/me/consent/", {"guardian_email": email})


def test_one_student_sends_at_most_five_consent_emails_a_day(
    client, mina, django_capture_on_commit_callbacks
):
    client.force_login(mina)
    addresses = [f"guardian{number}@example.org" for number in range(6)]

    answers = [ask_as(client, django_capture_on_commit_callbacks, a).status_code for a in addresses]
    refused = ask_as(client, django_capture_on_commit_callbacks, "guardian9@example.org")

    assert answers == [302] * 5 + [200]
    assert refused.context["form"].non_field_errors() == [ENOUGH]
    assert [message.to for message in mail.outbox] == [[a] for a in addresses[:5]]
    assert GuardianConsent.objects.count() == 5


def test_one_address_gets_at_most_three_consent_emails_a_day_whoever_asks(
    city_a, django_capture_on_commit_callbacks
):
    students = [
        factories.StudentFactory(email=f"kid{number}@example.org", home_city=city_a, age=15)
        for number in range(4)
    ]
    answers = []
    for student in students:
        client = Client()
        client.force_login(student)
        response = ask_as(client, django_capture_on_commit_callbacks, "Victim@Example.org")
        answers.append(
            response.status_code
            if response.status_code == 302
            else response.context["form"].non_field_errors()
        )

    assert answers == [302, 302, 302, [ENOUGH]]
    assert len(mail.outbox) == 3
    assert GuardianConsent.objects.filter(guardian_email="victim@example.org").count() == 3
