"""On a 375 × 740 phone: the navigation folds behind a menu button, every main page fits with
nothing to scroll sideways, and the chat's message box shows without scrolling."""

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import User
from tests import factories
from tests.e2e.conftest import axe_violations, daphne_site, sign_in_at, visit

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
PHONE_OPTIONS = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture
def phone(new_context) -> BrowserContext:
    """A phone: narrow viewport, touch, and the meta viewport honoured as on a real device."""
    return new_context(**PHONE_OPTIONS)


@pytest.fixture
def programs(program_ab, city_a, city_b):
    long = factories.ProgramFactory(
        title="International youth ceramics, traditional tea culture and storytelling exchange",
        kind="online",
        cities={city_a: 12, city_b: 12},
        themes=["ceramics", "culture-arts", "history", "languages"],
        languages=["ko", "zh", "en"],
    )
    return [program_ab, long]


def _page_width(page: Page) -> list[int]:
    return page.evaluate(
        "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )


def _assert_inside_viewport(page: Page, selector: str) -> None:
    """Every element matching `selector` lies wholly between the screen's left and right edges."""
    elements = page.locator(selector).all()
    assert elements, selector
    for element in elements:
        box = element.bounding_box()
        assert box is not None, (selector, element)
        assert box["x"] >= 0, (selector, box)
        assert box["x"] + box["width"] <= PHONE["width"], (selector, box)


def _open_menu(page: Page) -> None:
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")


def _assert_program_list_fits(page: Page, *, nav: list[str], titles: list[str]) -> None:
    visit(page, "/programs/")
    _open_menu(page)
    nav_links = page.get_by_role("navigation", name="Main").get_by_role("link")
    expect(nav_links).to_have_text(nav)
    for link in nav_links.all():
        expect(link).to_be_in_viewport()
    expect(page.locator("#language-select")).to_be_in_viewport()
    expect(page.locator("#results .program-card h3")).to_have_text(titles)

    assert _page_width(page) == [375, 375]
    _assert_inside_viewport(
        page, ".menu-button, .main-nav a, .main-nav button, .language-form select"
    )
    _assert_inside_viewport(page, ".filters select, .filters button")
    _assert_inside_viewport(page, "#results .program-card")


def test_program_list_on_phone_fits_for_visitor(phone, programs):
    _assert_program_list_fits(
        phone.new_page(),
        nav=["Programs", "Partner cities", "Sign in", "Sign up"],
        titles=[p.title for p in programs],
    )


def test_program_list_on_phone_fits_for_coordinator(phone, log_in, carol, programs):
    # A coordinator's header is the longest: two more links and the sign-out button.
    log_in(phone, carol)
    page = phone.new_page()
    _assert_program_list_fits(
        page,
        nav=["Programs", "Partner cities", "Coordinate", "Outcomes", "Chat", "My profile"],
        titles=[p.title for p in programs],
    )
    expect(page.get_by_role("button", name="Sign out")).to_be_in_viewport()


def test_program_page_on_phone_fits_without_horizontal_scroll(phone, programs):
    page = phone.new_page()
    page.goto(f"/programs/{programs[1].pk}/")
    expect(page.locator("main h1")).to_have_text(programs[1].title)
    assert _page_width(page) == [375, 375]
    _assert_inside_viewport(page, "main h1, main table, main .facts")


def test_menu_button_opens_and_closes_the_navigation_on_phone(phone, programs):
    page = phone.new_page()
    visit(page, "/programs/")
    menu = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")
    expect(menu).to_be_in_viewport()
    expect(menu).to_have_attribute("aria-controls", "main-nav")
    expect(page.locator("#main-nav")).to_have_count(1)
    # Folded: one header row (the brand, the menu button, the language), no link showing.
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#main-nav a").first).to_be_hidden()
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 80, header

    assert axe_violations(page) == []

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link")).to_have_text(
        ["Programs", "Partner cities", "Sign in", "Sign up"]
    )
    for link in nav.get_by_role("link").all():
        expect(link).to_be_in_viewport()
    assert axe_violations(page) == []

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#main-nav a").first).to_be_hidden()

    # Escape folds it too, and gives the focus back to the button.
    menu.click()
    nav.get_by_role("link", name="Partner cities").focus()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()


def test_navigation_without_javascript_shows_every_link_on_phone(new_context, programs):
    """No script, no button: the links are simply there."""
    context = new_context(**PHONE_OPTIONS, java_script_enabled=False)
    page = context.new_page()
    page.goto("/programs/")
    expect(page.locator(".menu-button")).to_be_hidden()
    nav_links = page.get_by_role("navigation", name="Main").get_by_role("link")
    expect(nav_links).to_have_text(["Programs", "Partner cities", "Sign in", "Sign up"])
    for link in nav_links.all():
        expect(link).to_be_visible()
    assert _page_width(page) == [375, 375]


def _pages_for(role: str, cast, program_ab, city_a) -> list[str]:
    pk = program_ab.pk
    draft = cast["draft"].pk
    return {
        "visitor": [
            "/",
            "/programs/",
            f"/programs/{pk}/",
            "/cities/",
            f"/cities/{city_a.slug}/",
            "/accounts/login/",
            "/accounts/signup/",
            cast["verify"],
        ],
        "guardian": [cast["consent_link"], cast["withdraw_link"], cast["rights_link"]],
        "student": [
            "/me/profile/",
            "/me/consent/",
            "/me/applications/",
            f"/me/applications/{draft}/",
            f"/me/applications/{draft}/edit/",
            f"/me/applications/{draft}/submit/",
            "/chat/",
            "/me/data/",
            "/accounts/2fa/",
        ],
        "coordinator": [
            "/coordinate/",
            f"/coordinate/programs/{pk}/applications/",
            f"/coordinate/applications/{cast['under_review'].pk}/",
            f"/coordinate/programs/{pk}/setup/",
            f"/coordinate/programs/{pk}/participants/",
            f"/coordinate/programs/{pk}/audit/",
            f"/coordinate/programs/{pk}/matching/",
            f"/coordinate/programs/{pk}/certificates/",
            f"/coordinate/programs/{pk}/moderation/",
            f"/coordinate/programs/{cast['online'].pk}/sessions/",
            "/coordinate/data-requests/",
            "/programs/new/",
            f"/programs/{pk}/edit/",
        ],
        "staff": ["/", "/accounts/2fa/"],
    }[role]


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("role", ["visitor", "guardian", "student", "coordinator", "staff"])
def test_main_pages_on_phone_have_no_horizontal_scroll(
    role, language, new_context, log_in, cast, alice, carol, program_ab, city_a
):
    phone = new_context(locale={"en": "en-US", "ko": "ko-KR"}[language], **PHONE_OPTIONS)
    user = {"student": alice, "coordinator": carol, "staff": cast["staff"]}.get(role)
    if user is not None:
        User.objects.filter(pk=user.pk).update(preferred_language=language)
        log_in(phone, user)
    page = phone.new_page()
    wide = {}
    for path in _pages_for(role, cast, program_ab, city_a):
        visit(page, path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        width = _page_width(page)
        if width != [375, 375]:
            wide[path] = width
    assert wide == {}


def test_chat_composer_shows_without_scrolling_on_phone(browser: Browser, alice, chat):
    with daphne_site() as url:
        context = browser.new_context(base_url=url, locale="en-US", **PHONE_OPTIONS)
        sign_in_at(context, url, alice)
        page = context.new_page()
        page.goto(f"/chat/{chat['room'].pk}/", timeout=60_000)
        expect(page.locator("#chat-status")).to_have_text("Connected", timeout=30_000)
        expect(page.locator("#chat-log .chat-message")).to_have_count(7)
        assert page.evaluate("() => window.scrollY") == 0
        for selector in ("#chat-input", "#chat-send"):
            box = page.locator(selector).bounding_box()
            assert box is not None, selector
            assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (selector, box)
        assert _page_width(page) == [375, 375]
        context.close()
