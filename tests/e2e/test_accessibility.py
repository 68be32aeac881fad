"""The most used pages pass axe-core in English and Korean, and the chat works with a keyboard.

axe-core is vendored under tests/e2e/vendor/axe-core/ (conftest's AXE_VERSION; nothing is
downloaded when the tests run). conftest's axe_violations runs it in the page under the
Content-Security-Policy the page really has.

The sweep visits the pages as the persona who uses them: a visitor (program list and page,
partner cities, sign-in, sign-up), a guardian through the signed links (consent, data rights),
a student (profile, consent, applications, the application form with a saved-draft message,
review before submitting, the chat rooms and a chat room on daphne with its report dialog
open, data rights), a coordinator (the desk, review queue, an application, matching,
certificates, moderation, data requests, the program form, the chat room with its remove
buttons) and staff (the two-factor page; the rest of staff's pages are
Django's admin). axe runs every rule it runs by default (WCAG 2 A and AA, and best practices
such as heading order and landmarks).
"""

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from tests.e2e.conftest import axe_violations, daphne_site, scripts_ready, sign_in_at, visit

pytestmark = pytest.mark.e2e

BROWSER_LOCALES = {"en": "en-US", "ko": "ko-KR"}


class Sweep:
    """Runs axe on each page visited and keeps what it found, page by page."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.checked: list[str] = []
        self.found: dict[str, list[dict]] = {}

    def check(self, page: Page, path: str | None = None, *, name: str | None = None) -> None:
        if path is not None:
            visit(page, path)
        # The page is in the language under test (a signed-in person's own, or the browser's).
        expect(page.locator("html")).to_have_attribute("lang", self.language)
        name = name or path or page.url
        self.checked.append(name)
        violations = axe_violations(page)
        if violations:
            self.found[name] = violations

    def report(self) -> list[str]:
        return [
            f"{page} {v['id']} ({v['impact']}): {v['help']} -> {' | '.join(v['targets'])}"
            for page, violations in self.found.items()
            for v in violations
        ]


def speak(users: list[User], language: str) -> None:
    User.objects.filter(pk__in=[user.pk for user in users]).update(preferred_language=language)


@pytest.mark.parametrize("language", ["en", "ko"])
def test_accessibility_most_used_pages_have_no_axe_violation(
    language, browser: Browser, new_context, log_in, cast, alice, carol, program_ab, city_a, chat
):
    speak([alice, carol, cast["staff"]], language)
    sweep = Sweep(language)
    locale = BROWSER_LOCALES[language]

    visitor = new_context(locale=locale).new_page()
    for path in (
        "/",
        "/programs/",
        f"/programs/{program_ab.pk}/",
        "/cities/",
        "/accounts/login/",
        "/accounts/signup/",
    ):
        sweep.check(visitor, path)
    guardian = new_context(locale=locale).new_page()
    sweep.check(guardian, cast["consent_link"], name="guardian consent link")
    sweep.check(guardian, cast["rights_link"], name="guardian data-rights link")

    student_context = new_context(locale=locale)
    log_in(student_context, alice)
    student = student_context.new_page()
    draft = cast["draft"].pk
    for path in (
        "/me/profile/",
        "/me/consent/",
        "/me/applications/",
        f"/me/applications/{draft}/",
        f"/me/applications/{draft}/edit/",
        f"/me/applications/{draft}/submit/",
        "/chat/",
        "/me/data/",
    ):
        sweep.check(student, path)
    # A message after saving: the flash-message list on top of the form.
    visit(student, f"/me/applications/{draft}/edit/")
    student.locator("main button[name=save]").click()
    expect(student.locator(".messages li")).to_have_count(1)
    scripts_ready(student)
    sweep.check(student, name="application form, draft saved")

    coordinator_context = new_context(locale=locale)
    log_in(coordinator_context, carol)
    coordinator = coordinator_context.new_page()
    pk = program_ab.pk
    for path in (
        "/coordinate/",
        f"/coordinate/programs/{pk}/applications/",
        f"/coordinate/applications/{cast['under_review'].pk}/",
        f"/coordinate/programs/{pk}/matching/",
        f"/coordinate/programs/{pk}/certificates/",
        f"/coordinate/programs/{pk}/moderation/",
        "/coordinate/data-requests/",
        f"/programs/{pk}/edit/",
    ):
        sweep.check(coordinator, path)

    staff_context = new_context(locale=locale)
    log_in(staff_context, cast["staff"])
    sweep.check(staff_context.new_page(), "/accounts/2fa/")

    with daphne_site() as url:
        for user, name in ((alice, "chat room"), (carol, "chat room, coordinator")):
            context = browser.new_context(base_url=url, locale=locale)
            sign_in_at(context, url, user)
            room = context.new_page()
            room.goto(f"/chat/{chat['room'].pk}/", timeout=60_000)
            expect(room.locator("#chat-status")).to_have_attribute(
                "data-state", "connected", timeout=30_000
            )
            expect(room.locator("#chat-log .chat-message")).to_have_count(7)
            sweep.check(room, name=name)
            # The report dialog, open over the room.
            room.locator("#chat-log .chat-report").last.click()
            expect(room.locator("#chat-report-dialog")).to_be_visible()
            sweep.check(room, name=f"{name}, report dialog")
            context.close()

    assert len(sweep.checked) == 30
    problems = sweep.report()
    assert problems == [], f"{len(problems)} axe violations:\n" + "\n".join(problems)


def test_accessibility_chat_works_with_the_keyboard_alone(browser: Browser, alice, chat):
    with daphne_site() as url:
        context = browser.new_context(base_url=url, locale="en-US")
        sign_in_at(context, url, alice)
        page = context.new_page()
        page.goto(f"/chat/{chat['room'].pk}/", timeout=60_000)
        expect(page.locator("#chat-status")).to_have_text("Connected", timeout=30_000)
        expect(page.locator("#chat-log .chat-message")).to_have_count(7)

        # New messages are announced politely: the history is a log region.
        history = page.locator("#chat-history")
        expect(history).to_have_attribute("role", "log")
        expect(history).to_have_attribute("aria-live", "polite")
        expect(page.get_by_role("log", name="Chat history")).to_have_count(1)

        # Tab from the top of the page: each of the buddy's four lines offers "Report", then the
        # composer.
        reached: list[str] = []
        for _ in range(80):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                """() => { const e = document.activeElement;
                           return e.id || e.className || e.tagName; }"""
            )
            reached.append(focused)
            if focused == "chat-input":
                break
        assert reached[-1] == "chat-input", reached
        assert reached.count("link-button chat-report") == 4, reached

        page.keyboard.type("Hello from the keyboard")
        page.keyboard.press("Enter")
        expect(page.locator("#chat-log .chat-body").last).to_have_text("Hello from the keyboard")
        expect(page.locator("#chat-input")).to_be_focused()
        expect(page.locator("#chat-input")).to_have_value("")

        # Back to the buddy's last line and report it, keys only.
        for _ in range(80):
            page.keyboard.press("Shift+Tab")
            if page.evaluate("() => document.activeElement.classList.contains('chat-report')"):
                break
        report = page.locator("#chat-log .chat-message").nth(6).locator(".chat-report")
        expect(report).to_be_focused()
        page.keyboard.press("Enter")
        dialog = page.locator("#chat-report-dialog")
        expect(dialog).to_be_visible()
        expect(page.locator("#chat-report-reason")).to_be_focused()
        page.keyboard.type("Not nice")
        page.keyboard.press("Tab")
        expect(dialog.get_by_role("button", name="Send report")).to_be_focused()
        page.keyboard.press("Enter")
        expect(report).to_have_text("Reported")
        expect(dialog).to_be_hidden()
        # The focus is back on the button, which now says so and does nothing more.
        expect(report).to_be_focused()
        expect(report).to_have_attribute("aria-disabled", "true")
        page.keyboard.press("Enter")
        expect(dialog).to_be_hidden()
        context.close()
