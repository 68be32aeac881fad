"""Coordinators and staff have a second factor before any of their pages opens, and the admin
signs in through allauth: the same rate limits and the same code step as everyone else.

Found from outside: /admin/login/ took 30 wrong passwords and then the right one, and never
asked for the code that /accounts/login/ asked for; coordinators could work without MFA.
"""

import time
from urllib.parse import urlencode

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.services import coordinator_add
from tests import factories

pytestmark = pytest.mark.django_db

SETUP = "/accounts/2fa/"
NOTICE = (
    "Coordinators and staff need a second factor: set up an authenticator app or a passkey "
    "to continue."
)


def setup_redirect(path: str) -> str:
    return f"{SETUP}?{urlencode({'next': path})}"


@pytest.fixture
def unenrolled(city_a):
    """A coordinator of city A with no authenticator yet."""
    return factories.CoordinatorFactory(
        email="new.coordinator@example.org", cities=[city_a], second_factor=False
    )


@pytest.mark.parametrize(
    "path",
    ["/coordinate/", "/me/profile/", "/programs/", "/chat/", "/admin/"],
)
def test_a_coordinator_without_a_second_factor_is_sent_to_set_one_up(client, unenrolled, path):
    client.force_login(unenrolled)

    response = client.get(path)

    assert (response.status_code, response["Location"]) == (302, setup_redirect(path))


def test_the_setup_page_says_why(client, unenrolled):
    client.force_login(unenrolled)

    response = client.get("/coordinate/", follow=True)

    assert response.redirect_chain[-1] == (setup_redirect("/coordinate/"), 302)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [NOTICE]


def test_an_htmx_request_is_sent_to_the_setup_page_too(client, unenrolled):
    client.force_login(unenrolled)

    response = client.post("/coordinate/", headers={"HX-Request": "true"})

    assert (response.status_code, response["HX-Redirect"]) == (204, setup_redirect("/coordinate/"))


def test_the_setup_page_opens(client, unenrolled):
    client.force_login(unenrolled)

    assert client.get(SETUP).status_code == 200


@pytest.mark.parametrize("path", ["/accounts/2fa/totp/activate/", "/accounts/2fa/webauthn/add/"])
def test_adding_a_factor_asks_for_the_password_first_and_that_page_opens(client, unenrolled, path):
    client.force_login(unenrolled)

    first = client.get(path)
    again = client.get(first["Location"])

    assert first["Location"] == f"/accounts/reauthenticate/?{urlencode({'next': path})}"
    assert again.status_code == 200


def test_setting_up_an_authenticator_app_opens_the_desk(client, unenrolled):
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

    sign_in(client, unenrolled.email)
    confirmed = client.post(
        "/accounts/reauthenticate/?next=/accounts/2fa/totp/activate/",
        {"password": factories.PASSWORD, "next": "/accounts/2fa/totp/activate/"},
    )
    assert confirmed["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session[SECRET_SESSION_KEY]

    done = client.post("/accounts/2fa/totp/activate/", {"code": factories.totp_code(secret)})

    assert done.status_code == 302
    assert Authenticator.objects.filter(user=unenrolled, type="totp").count() == 1
    assert client.get("/coordinate/").status_code == 200


def test_signing_out_is_always_possible(client, unenrolled):
    client.force_login(unenrolled)

    response = client.post("/accounts/logout/")

    assert (response.status_code, response["Location"]) == (302, "/")
    assert "_auth_user_id" not in client.session


def test_once_set_up_the_coordinators_pages_open(client, unenrolled):
    client.force_login(unenrolled)
    assert client.get("/coordinate/").status_code == 302

    factories.give_second_factor(unenrolled)

    assert client.get("/coordinate/").status_code == 200


def test_a_student_made_coordinator_is_led_to_set_up_at_the_next_request(client, alice, city_a):
    client.force_login(alice)
    assert client.get("/me/applications/").status_code == 200

    coordinator_add(user=alice, city=city_a)

    response = client.get("/me/applications/")
    assert (response.status_code, response["Location"]) == (
        302,
        setup_redirect("/me/applications/"),
    )


def test_students_need_no_second_factor(client, alice, mina):
    for student in (alice, mina):
        client.force_login(student)
        assert client.get("/me/profile/").status_code == 200
    assert Authenticator.objects.count() == 0


def test_staff_without_a_second_factor_cannot_open_the_admin(client):
    staff = factories.StaffFactory(email="root@example.org", second_factor=False)
    client.force_login(staff)

    response = client.get("/admin/accounts/user/")

    assert (response.status_code, response["Location"]) == (
        302,
        setup_redirect("/admin/accounts/user/"),
    )


# --- Signing in ---------------------------------------------------------------------------


def sign_in(client, email: str, password: str = factories.PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_a_coordinator_signs_in_with_password_then_code(client, carol):
    first = sign_in(client, carol.email)
    assert (first.status_code, first["Location"]) == (302, "/accounts/2fa/authenticate/")
    assert "_auth_user_id" not in client.session

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors == {"code": ["Incorrect code."]}
    assert "_auth_user_id" not in client.session

    right = client.post("/accounts/2fa/authenticate/", {"code": factories.totp_code()})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(carol.pk)
    assert client.get("/coordinate/").status_code == 200


def test_the_admin_login_is_allauths_login(client):
    staff = factories.StaffFactory(email="root@example.org")

    page = client.get("/admin/login/?next=/admin/")
    assert (page.status_code, page["Location"]) == (302, "/accounts/login/?next=%2Fadmin%2F")
    # Django's own admin form is never reached, even when posted to directly.
    posted = client.post("/admin/login/", {"username": staff.email, "password": factories.PASSWORD})
    assert posted.status_code == 302
    assert posted["Location"].startswith("/accounts/login/?next=")
    assert "_auth_user_id" not in client.session


def test_staff_sign_in_to_the_admin_asks_for_the_code(client):
    staff = factories.StaffFactory(email="root@example.org")

    first = client.post(
        "/accounts/login/?next=/admin/",
        {"login": staff.email, "password": factories.PASSWORD, "next": "/admin/"},
    )
    assert (first.status_code, first["Location"]) == (302, "/accounts/2fa/authenticate/")
    assert client.get("/admin/").status_code == 302  # not signed in yet

    done = client.post("/accounts/2fa/authenticate/", {"code": factories.totp_code()})
    assert (done.status_code, done["Location"]) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200


def test_a_used_code_does_not_work_twice(client, carol):
    code = factories.totp_code()
    sign_in(client, carol.email)
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    client.post("/accounts/logout/")

    sign_in(client, carol.email)
    again = client.post("/accounts/2fa/authenticate/", {"code": code})

    assert again.status_code == 200
    assert "_auth_user_id" not in client.session


WRONG = "The email address and/or password you specified are not correct."
TOO_MANY = "Too many failed login attempts. Try again later."


def form_errors(response) -> list[str]:
    assert response.status_code == 200
    return response.context["form"].non_field_errors()


@pytest.fixture
def production_rate_limits(settings):
    """allauth's own limits, as production has them (the suite's settings turn them off)."""
    del settings.ACCOUNT_RATE_LIMITS


def test_wrong_passwords_are_rate_limited_then_even_the_right_one_is_refused(
    client, production_rate_limits
):
    staff = factories.StaffFactory(email="root@example.org")

    answers = [form_errors(sign_in(client, staff.email, "wrong-password")) for _ in range(6)]
    right = sign_in(client, staff.email)

    # allauth: at most 5 failed attempts per account in 5 minutes; the form then refuses.
    assert answers == [[WRONG]] * 5 + [[TOO_MANY]]
    assert form_errors(right) == [TOO_MANY]
    assert "_auth_user_id" not in client.session


def test_the_admin_is_behind_the_same_limit(client, production_rate_limits):
    staff = factories.StaffFactory(email="root@example.org")
    for _ in range(5):
        sign_in(client, staff.email, "wrong-password")

    through_admin = client.post(
        "/admin/login/", {"username": staff.email, "password": factories.PASSWORD}, follow=True
    )
    login = sign_in(client, staff.email)

    assert through_admin.redirect_chain[0][0].startswith("/accounts/login/")
    assert form_errors(login) == [TOO_MANY]
    assert "_auth_user_id" not in client.session


def test_totp_code_helper_matches_allauth():
    """The code the tests type is the one allauth checks (so a test of a wrong code is real)."""
    from allauth.mfa.totp.internal.auth import validate_totp_code

    assert validate_totp_code(factories.TOTP_SECRET, factories.totp_code())
    assert not validate_totp_code(factories.TOTP_SECRET, factories.totp_code(at=time.time() - 3600))


def test_reverse_names_used_here():
    assert reverse("mfa_index") == SETUP


def test_the_chat_api_answers_a_script_in_json(client, unenrolled):
    client.force_login(unenrolled)

    response = client.get("/api/chat/rooms/")

    assert response.status_code == 403
    assert response.json() == {
        "type": "error",
        "code": "second_factor_required",
        "detail": NOTICE,
    }
