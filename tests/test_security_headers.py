"""The security headers on every response: the Content-Security-Policy, the Permissions-Policy
and `Cache-Control: no-store` on pages with personal data (core/cache.py). The browser sweep
that proves the pages hold under the policy is tests/e2e/test_csp.py."""

import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core import mail

from accounts import services as account_services
from accounts import tokens
from exchange.services import certificates as certificate_services
from tests import factories
from tests.exchange.helpers import completed, issued
from tests.helpers import run_with_env

pytestmark = pytest.mark.django_db

NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"

POLICY = [
    "base-uri 'none'",
    "connect-src 'self' ws://testserver",
    "default-src 'self'",
    "font-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "img-src 'self'",
    "object-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
]

PERMISSIONS = (
    "accelerometer=(), ambient-light-sensor=(), autoplay=(), bluetooth=(), "
    "browsing-topics=(), camera=(), display-capture=(), encrypted-media=(), geolocation=(), "
    "gyroscope=(), hid=(), idle-detection=(), interest-cohort=(), local-fonts=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), screen-wake-lock=(), serial=(), "
    "usb=(), xr-spatial-tracking=()"
)


def directives(header: str) -> list[str]:
    # django-csp joins the directives in no fixed order (it walks a set).
    return sorted(header.split("; "))


@pytest.fixture
def guardian_paths(mina) -> dict[str, str]:
    consent = account_services.guardian_consent_request(
        student=mina, guardian_email="mum@example.org"
    )
    return {
        "consent": f"/me/guardian/{tokens.consent_token(consent)}/",
        "withdraw": f"/me/guardian/{tokens.withdraw_token(consent)}/withdraw/",
    }


def test_csp_header_on_home_page_is_the_strict_policy(client):
    response = client.get("/")

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == POLICY


def test_csp_header_on_signed_in_page_is_the_same_policy(client, carol):
    client.force_login(carol)

    response = client.get("/coordinate/")

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == POLICY


@pytest.mark.parametrize(
    ("site_url", "origin"),
    [
        ("https://exchange.gwangju.example", "wss://exchange.gwangju.example"),
        ("http://127.0.0.1:8000", "ws://127.0.0.1:8000"),
        ("https://portal.example.org:8443/", "wss://portal.example.org:8443"),
    ],
)
def test_csp_connect_src_names_the_websocket_origin_of_site_url(site_url, origin):
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['connect-src'])"
    )
    result = run_with_env({"SITE_URL": site_url}, "-c", script)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"[\"'self'\", '{origin}']\n"


def test_permissions_policy_header_denies_every_listed_feature(client):
    response = client.get("/")

    assert response["Permissions-Policy"] == PERMISSIONS


def test_cache_home_page_for_anonymous_visitor_is_not_no_store(client):
    response = client.get("/")

    assert response.status_code == 200
    assert response.has_header("Cache-Control") is False


def test_cache_program_list_for_anonymous_visitor_is_not_no_store(client, program_ab):
    response = client.get("/programs/")

    assert response.status_code == 200
    assert response.has_header("Cache-Control") is False


def test_cache_home_page_for_signed_in_student_is_no_store(client, alice):
    client.force_login(alice)

    response = client.get("/")

    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_cache_profile_page_is_no_store(client, alice):
    client.force_login(alice)

    response = client.get("/me/profile/")

    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_cache_redirect_for_signed_in_user_is_no_store(client, alice):
    client.force_login(alice)

    response = client.get("/accounts/login/")

    assert (response.status_code, response.url) == (302, "/start/")
    assert response["Cache-Control"] == NO_STORE


def test_cache_not_found_for_signed_in_user_is_no_store(client, alice):
    client.force_login(alice)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Cache-Control"] == NO_STORE


def test_cache_guardian_consent_link_is_no_store(client, guardian_paths):
    response = client.get(guardian_paths["consent"])

    assert response.status_code == 200
    assert "이민아" in response.content.decode()
    assert response["Cache-Control"] == NO_STORE


def test_cache_guardian_withdraw_link_is_no_store(client, guardian_paths):
    response = client.get(guardian_paths["withdraw"])

    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_cache_guardian_link_invalid_is_no_store(client):
    response = client.get("/me/guardian/not-a-token/")

    assert response.status_code == 404
    assert response["Cache-Control"] == NO_STORE


def test_cache_verify_page_for_anonymous_visitor_is_no_store(client, alice, program_ab):
    certificate = issued(completed(program_ab, alice))

    response = client.get(f"/verify/{certificate_services.verify_code(certificate)}/")

    assert response.status_code == 200
    assert "김앨리스" in response.content.decode()
    assert response["Cache-Control"] == NO_STORE


def test_cache_email_confirmation_link_for_anonymous_visitor_is_no_store(client, db):
    user = factories.UserFactory(email="new@example.org")
    address = EmailAddress.objects.get_or_create(user=user, email=user.email)[0]
    EmailAddress.objects.filter(pk=address.pk).update(verified=False)
    address.refresh_from_db()

    response = client.get(f"/accounts/confirm-email/{EmailConfirmationHMAC(address).key}/")

    assert response.status_code == 200
    assert "new@example.org" in response.content.decode()
    assert response["Cache-Control"] == NO_STORE


def test_cache_password_reset_link_for_anonymous_visitor_is_no_store(client, alice):
    client.post("/accounts/password/reset/", {"email": alice.email})
    [message] = mail.outbox
    [path] = re.findall(r"https?://testserver(/accounts/password/reset/key/\S+/)", message.body)

    response = client.get(path, follow=True)

    uid = path.split("/")[-2].split("-")[0]
    # allauth moves the key into the session and shows the form at a keyless address.
    assert response.redirect_chain == [(f"/accounts/password/reset/key/{uid}-set-password/", 302)]
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_cache_static_file_keeps_whitenoise_caching_for_signed_in_user(client, alice):
    client.force_login(alice)

    response = client.get("/static/css/portal.css")

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=60, public"
    response.close()
    assert response.has_header("Content-Security-Policy") is True
