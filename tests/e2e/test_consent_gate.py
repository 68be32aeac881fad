"""Under 14, a student reaches nothing but the consent page until a guardian consents."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import GuardianConsent, User
from tests import factories
from tests.e2e.conftest import email_to, link_path, verification_path

pytestmark = pytest.mark.e2e

STUDENT = "junho@example.org"
GUARDIAN = "parent.junho@example.org"


def test_consent_gate_under_fourteen_until_guardian_consents(
    page: Page, new_context, mailoutbox, live_server, program_ab
):
    page.goto("/accounts/signup/")
    page.locator("#id_email").fill(STUDENT)
    page.locator("#id_date_of_birth").fill(factories.birth_date_for(13).isoformat())
    page.locator("#id_password1").fill(factories.PASSWORD)
    page.locator("#id_password2").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))

    page.goto(verification_path(mailoutbox, STUDENT))
    page.get_by_role("button", name="Confirm").click()
    # Signed in, but sent to the consent page instead of the profile.
    expect(page).to_have_url(f"{live_server.url}/me/consent/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator(".consent-status .status")).to_have_text("Not asked yet")

    for path in ("/programs/", "/me/profile/", f"/programs/{program_ab.pk}/", "/cities/"):
        page.goto(path)
        expect(page).to_have_url(f"{live_server.url}/me/consent/")
        expect(page.locator("main h1")).to_have_text("Guardian consent")

    page.get_by_label("Your guardian’s email address").fill(GUARDIAN)
    page.get_by_role("button", name="Send the consent request").click()
    expect(page).to_have_url(f"{live_server.url}/me/consent/")
    expect(page.locator(".message-success")).to_have_text(
        "We sent your guardian an email with a consent link."
    )
    expect(page.locator(".consent-status .status")).to_have_text("Waiting for your guardian")
    page.goto("/programs/")
    expect(page).to_have_url(f"{live_server.url}/me/consent/")

    consent_path = link_path(email_to(mailoutbox, GUARDIAN).body, r"/me/guardian/[^/\s]+/")
    guardian = new_context().new_page()
    guardian.goto(consent_path)
    expect(guardian.locator("main h1")).to_have_text("Consent for a young person")
    expect(guardian.get_by_role("link", name="Sign in")).to_be_visible()
    guardian.get_by_label("Your full name").fill("Park Jiyoung")
    guardian.get_by_label("Your relationship to the student").select_option("mother")
    guardian.get_by_role("checkbox").check()
    guardian.get_by_role("button", name="I consent").click()
    expect(guardian).to_have_url(f"{live_server.url}{consent_path}")
    expect(guardian.locator(".notice-ok")).to_have_text(
        re.compile(r"^Thank you\. You gave your consent on .+\. We emailed you a link to withdraw")
    )
    expect(guardian.get_by_role("button", name="I consent")).to_have_count(0)

    student = User.objects.get(email=STUDENT)
    consent = GuardianConsent.objects.get(student=student)
    assert (
        consent.guardian_email,
        consent.guardian_name,
        consent.relationship,
        consent.status,
        consent.is_current,
    ) == (GUARDIAN, "Park Jiyoung", "mother", "given", True)
    assert [m.to for m in mailoutbox] == [[STUDENT], [GUARDIAN], [GUARDIAN]]
    link_path(mailoutbox[2].body, r"/me/guardian/[^/\s]+/withdraw/")

    page.goto("/programs/")
    expect(page).to_have_url(f"{live_server.url}/programs/")
    expect(page.locator("main h1")).to_have_text("Open programs")
    expect(page.locator("#results .program-card h3")).to_have_text([program_ab.title])
    page.goto("/me/consent/")
    expect(page.locator(".consent-status .status")).to_have_text("Given")
    expect(page.locator(".consent-status")).to_contain_text("(Park Jiyoung, Mother)")
    expect(page.locator(".consent-banner")).to_have_text(
        re.compile(r"^\s*Guardian consent: given by Park Jiyoung\.\s+See your consent\s*$")
    )
