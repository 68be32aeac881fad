"""A coordinator in a real browser: made coordinator without a second factor, led to set one
up, then signing in with the password and the code from their authenticator app."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories

pytestmark = pytest.mark.e2e

NOTICE = (
    "Coordinators and staff need a second factor: set up an authenticator app or a passkey "
    "to continue."
)


def sign_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_a_new_coordinator_sets_up_an_app_then_signs_in_with_its_code(
    page: Page, live_server, city_a, context
):
    coordinator = factories.CoordinatorFactory(
        email="new.coordinator@example.org", cities=[city_a], second_factor=False
    )

    sign_in(page, coordinator.email)
    page.goto("/coordinate/")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/\?next=%2Fcoordinate%2F$"))
    expect(page.get_by_text(NOTICE)).to_be_visible()

    page.goto("/accounts/2fa/totp/activate/")
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.locator("#id_password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/totp/activate/")
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("#id_code").fill(factories.totp_code(secret))
    page.get_by_role("button", name="Activate").click()

    page.goto("/coordinate/")
    expect(page).to_have_url(f"{live_server.url}/coordinate/")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, coordinator.email)
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/authenticate/")
    page.locator("#id_code").fill("000000")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("Incorrect code.")).to_be_visible()
    page.locator("#id_code").fill(factories.totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    page.goto("/coordinate/")
    expect(page).to_have_url(f"{live_server.url}/coordinate/")


def test_the_admin_login_asks_for_the_code_in_a_browser(page: Page, live_server):
    staff = factories.StaffFactory(email="root@example.org")

    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.locator("#id_login").fill(staff.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/authenticate/")
    page.locator("#id_code").fill(factories.totp_code())
    page.get_by_role("button", name="Sign In").click()

    expect(page).to_have_url(re.compile(r"/admin/"))
    expect(page.locator("#site-name")).to_be_visible()
