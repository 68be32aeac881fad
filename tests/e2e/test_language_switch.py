"""The header's language switcher: a signed-in student's choice is kept in their profile."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e.conftest import scripts_ready

pytestmark = pytest.mark.e2e


def test_language_switcher_signed_in_saves_preference(
    new_context, log_in, live_server, alice, program_ab
):
    context = new_context()
    log_in(context, alice)
    page = context.new_page()
    page.goto("/programs/")
    expect(page.locator("main h1")).to_have_text("Open programs")

    scripts_ready(page)
    page.locator("#language-select").select_option(label="한국어")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page).to_have_url(f"{live_server.url}/programs/")
    expect(page.locator("main h1")).to_have_text("모집 중인 프로그램")
    expect(page.locator("#language-select")).to_have_value("ko")
    # Each language is offered in its own name, so a reader lost in Korean still finds theirs.
    expect(page.locator("#language-select option")).to_have_text(
        ["English", "한국어", "简体中文", "Tiếng Việt", "日本語"]
    )
    assert User.objects.get(pk=alice.pk).preferred_language == "ko"

    # Another device: no language cookie, yet the portal speaks Korean once she signs in.
    elsewhere = new_context()
    log_in(elsewhere, alice)
    other_page = elsewhere.new_page()
    other_page.goto(f"/programs/{program_ab.pk}/")
    expect(other_page.locator("html")).to_have_attribute("lang", "ko")
    expect(other_page.locator("main h1")).to_have_text(program_ab.title)
    assert "django_language" not in {cookie["name"] for cookie in elsewhere.cookies()}

    scripts_ready(other_page)
    other_page.locator("#language-select").select_option(label="English")
    expect(other_page.locator("html")).to_have_attribute("lang", "en")
    expect(other_page).to_have_url(re.compile(rf"/programs/{program_ab.pk}/$"))
    assert User.objects.get(pk=alice.pk).preferred_language == "en"
