"""On a 375px-wide phone the header and the program list fit, with nothing to scroll sideways."""

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests import factories

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone(new_context) -> BrowserContext:
    """A phone: narrow viewport, touch, and the meta viewport honoured as on a real device."""
    return new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


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


def _assert_program_list_fits(page: Page, *, nav: list[str], titles: list[str]) -> None:
    page.goto("/programs/")
    nav_links = page.get_by_role("navigation", name="Main").get_by_role("link")
    expect(nav_links).to_have_text(nav)
    for link in nav_links.all():
        expect(link).to_be_in_viewport()
    expect(page.locator("#language-select")).to_be_in_viewport()
    expect(page.locator("#results .program-card h3")).to_have_text(titles)

    assert _page_width(page) == [375, 375]
    _assert_inside_viewport(page, ".main-nav a, .main-nav button, .language-form select")
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
        nav=["Programs", "Partner cities", "Coordinate", "Chat", "My profile"],
        titles=[p.title for p in programs],
    )
    expect(page.get_by_role("button", name="Sign out")).to_be_in_viewport()


def test_program_page_on_phone_fits_without_horizontal_scroll(phone, programs):
    page = phone.new_page()
    page.goto(f"/programs/{programs[1].pk}/")
    expect(page.locator("main h1")).to_have_text(programs[1].title)
    assert _page_width(page) == [375, 375]
    _assert_inside_viewport(page, "main h1, main table, main .facts")
