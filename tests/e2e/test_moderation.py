"""The moderation page on a 375px phone: it fits, and an action posts through htmx, which swaps
in the page it redirects to without a full reload."""

import pytest
from playwright.sync_api import BrowserContext, expect

from messaging.models import Message, ModerationAction
from tests.e2e.conftest import htmx_swap, scripts_ready
from tests.messaging import conftest as chat_fixtures

pytestmark = pytest.mark.e2e

# The chat fixtures, shared with tests/messaging/.
published = chat_fixtures.published
chat = chat_fixtures.chat

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone(new_context) -> BrowserContext:
    return new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


def test_moderation_page_on_a_phone_deletes_a_message_in_place(phone, log_in, chat, carol):
    log_in(phone, carol)
    page = phone.new_page()
    page.goto(chat["url"])
    scripts_ready(page)
    # A full reload would drop this mark; an htmx swap keeps it.
    page.evaluate("() => { window.e2eSamePage = true; }")

    widths = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )
    report = page.locator(f"#report-{chat['reports']['rude'].pk}")
    report.get_by_text("Delete the message").first.click()
    report.get_by_label("Reason").fill("an insult")
    with htmx_swap(page):
        report.get_by_role("button", name="Delete the message").click()

    assert widths == [375, 375]
    expect(page.locator(".messages")).to_have_text(
        "The message is deleted; the room sees that it was removed."
    )
    expect(page.locator(".report-list > li")).to_have_count(1)  # only the spam report is open
    expect(page.get_by_role("link", name="1 open report")).to_be_visible()
    assert page.evaluate("() => window.e2eSamePage") is True
    assert Message.objects.get(pk=chat["lines"][3].pk).deleted_at is not None
    assert list(ModerationAction.objects.values_list("action", "detail")) == [
        ("delete", "line 4\n---\nan insult")
    ]
