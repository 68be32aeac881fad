"""Signing up with a date of birth, verifying the email, and signing in by email."""

import re
from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from accounts.models import User
from tests import factories
from tests.helpers import message_texts

# Every test here touches the database, including those that reach it through
# request.getfixturevalue: marking them lets pytest-django run them with the other
# database tests, before any transactional test flushes the migrated vocabulary.
pytestmark = pytest.mark.django_db

PASSWORD = "a-long-Unusual-passphrase-42"
# DEBUG is off in tests, so allauth writes https links (ACCOUNT_DEFAULT_HTTP_PROTOCOL).
CONFIRM_LINK = re.compile(r"https://testserver(/accounts/confirm-email/[^/\s]+/)")


def signup_post(**overrides) -> dict:
    data = {
        "email": "Minji@Example.org",
        "date_of_birth": "2010-03-14",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def written() -> dict:
    return {
        "users": list(User.objects.order_by("pk").values_list("email", flat=True)),
        "addresses": list(EmailAddress.objects.order_by("pk").values_list("email", flat=True)),
    }


@pytest.fixture
def signup(db, client, django_capture_on_commit_callbacks):
    def signup(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/accounts/signup/", signup_post(**overrides))

    return signup


def test_signup_page_asks_for_date_of_birth(client, db):
    response = client.get("/accounts/signup/")

    assert response.status_code == 200
    assert list(response.context["form"].fields)[:2] == ["email", "date_of_birth"]
    assert 'type="date" name="date_of_birth"' in response.content.decode()


def test_signup_valid_creates_one_user_and_sends_one_verification(client, signup):
    response = signup()

    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    [user] = User.objects.all()
    assert user.email == "minji@example.org"
    assert user.date_of_birth == date(2010, 3, 14)
    assert user.preferred_language == "en"
    assert user.check_password(PASSWORD)
    assert list(EmailAddress.objects.values_list("email", "verified", "primary")) == [
        ("minji@example.org", False, True)
    ]
    [message] = mail.outbox
    assert message.to == ["minji@example.org"]
    assert message.subject.startswith("[Youth Exchange] ")
    assert len(CONFIRM_LINK.findall(message.body)) == 1
    assert "_auth_user_id" not in client.session


def test_signup_in_korean_keeps_korean_as_interface_language(client, signup):
    client.cookies["django_language"] = "ko"

    signup()

    assert User.objects.get().preferred_language == "ko"


@pytest.mark.parametrize(
    ("date_of_birth", "error"),
    [
        pytest.param("TOMORROW", "The date of birth can’t be in the future.", id="future"),
        pytest.param(None, "This field is required.", id="missing"),
        pytest.param("", "This field is required.", id="empty"),
        pytest.param("2010-02-30", "Enter a valid date.", id="no-such-day"),
        pytest.param("1901-01-01", "Please check the year of your date of birth.", id="too-old"),
        pytest.param("YOUNG", "The portal is for young people aged 8 and over.", id="too-young"),
    ],
)
def test_signup_bad_date_of_birth_is_refused_and_writes_nothing(
    client, signup, date_of_birth, error
):
    date_of_birth = {
        "TOMORROW": (timezone.localdate() + timedelta(days=1)).isoformat(),
        "YOUNG": factories.birth_date_for(7).isoformat(),
    }.get(date_of_birth, date_of_birth)
    before = written()

    response = signup(date_of_birth=date_of_birth)

    assert response.status_code == 200
    assert response.context["form"].errors == {"date_of_birth": [error]}
    assert '<ul class="errorlist" id="id_date_of_birth_error">' in response.content.decode()
    assert 'value="minji@example.org"' in response.content.decode().lower()
    assert written() == before
    assert mail.outbox == []


def test_signup_with_taken_email_creates_nobody_and_reveals_nothing(client, signup, alice):
    """allauth prevents account enumeration: the page looks like a fresh signup, and the
    address's owner is told by email instead."""
    before = written()

    response = signup(email="ALICE@example.org")

    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    assert written() == before
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert CONFIRM_LINK.findall(mail.outbox[0].body) == []


def test_signup_then_confirming_email_signs_in(client, signup):
    signup()
    [path] = CONFIRM_LINK.findall(mail.outbox[0].body)

    assert client.get(path).status_code == 200  # confirmation needs a POST
    response = client.post(path)

    assert response.status_code == 302
    assert EmailAddress.objects.get().verified is True
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)


# --- signing in --------------------------------------------------------------------------


def test_login_by_email_signs_in(client, alice):
    response = client.post(
        "/accounts/login/", {"login": "Alice@Example.org", "password": factories.PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == "/start/"
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_login_from_an_english_page_greets_in_the_persons_own_language(client, alice):
    """Found in a user trial: an English "Successfully signed in as …" above a Korean page."""
    alice.preferred_language = "ko"
    alice.save()

    response = client.post(
        "/accounts/login/",
        {"login": alice.email, "password": factories.PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )

    assert message_texts(response) == [f"{alice.display_name} 으로 로그인 되었습니다."]


def test_login_with_wrong_password_is_refused(client, alice):
    response = client.post("/accounts/login/", {"login": "alice@example.org", "password": "nope"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The email address and/or password you specified are not correct."
    ]
    assert "_auth_user_id" not in client.session


def test_login_with_unverified_email_is_refused(db, client, django_capture_on_commit_callbacks):
    user = factories.UserFactory(email="unverified@example.org")
    EmailAddress.objects.filter(user=user).update(verified=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/login/", {"login": "unverified@example.org", "password": factories.PASSWORD}
        )

    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert client.get("/me/profile/").url == "/accounts/login/?next=/me/profile/"
    assert [m.to for m in mail.outbox] == [["unverified@example.org"]]


# --- where signing in leads ----------------------------------------------------------------
# Found on the embedded default: everyone landed on the student profile, coordinators too.


def test_a_coordinator_lands_on_the_desk(client, carol):
    client.force_login(carol)

    assert client.get("/start/").url == "/coordinate/"


def test_staff_without_a_team_land_on_the_admin(client):
    client.force_login(factories.StaffFactory(email="root@example.org"))

    assert client.get("/start/").url == "/admin/"


def test_a_student_with_applications_lands_on_them(client, alice, program_ab):
    factories.ApplicationFactory(program=program_ab, student=alice)
    client.force_login(alice)

    assert client.get("/start/").url == "/me/applications/"


def test_a_student_with_no_application_yet_lands_on_the_programs(client, alice):
    client.force_login(alice)

    assert client.get("/start/").url == "/programs/"


def test_a_new_student_finishes_the_profile_first(client):
    newcomer = factories.UserFactory(email="new@example.org")
    client.force_login(newcomer)

    assert client.get("/start/").url == "/me/profile/"


def test_the_landing_needs_a_sign_in(client, db):
    assert client.get("/start/").url == "/accounts/login/?next=/start/"
