"""A city's observers page in Chromium under the real Content-Security-Policy: no violation,
no console error and no axe violation, empty, with observers, and with a refused e-mail."""

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from exchange.settings import content_security_policy
from tests.e2e.conftest import axe_violations, page_templates, visit

pytestmark = pytest.mark.e2e

REPORTER = """
window.addEventListener("securitypolicyviolation", (event) => {
  window.reportObserverViolation(location.pathname + " " + event.violatedDirective);
});
"""


@pytest.fixture
def strict_site(settings, live_server) -> str:
    settings.SITE_URL = live_server.url
    settings.CONTENT_SECURITY_POLICY = content_security_policy(live_server.url)
    return live_server.url


def watched(context: BrowserContext, violations: list, errors: list) -> Page:
    context.expose_binding("reportObserverViolation", lambda source, text: violations.append(text))
    context.add_init_script(REPORTER)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def test_observers_page_has_no_csp_or_axe_violation(
    new_context, log_in, strict_site, rendered, city_a, city_c, carol, oscar, vera
):
    violations: list[str] = []
    errors: list[str] = []
    found: dict[str, list] = {}
    context = new_context()
    log_in(context, oscar)
    page = watched(context, violations, errors)

    empty = f"/coordinate/cities/{city_c.slug}/observers/"
    visit(page, empty)
    if axe := axe_violations(page):
        found["empty"] = axe

    context = new_context()
    log_in(context, carol)
    page = watched(context, violations, errors)
    path = f"/coordinate/cities/{city_a.slug}/observers/"
    visit(page, path)
    expect(page.locator("table")).to_contain_text("vera@example.org")
    if axe := axe_violations(page):
        found["listed"] = axe
    page.get_by_label("E-mail of the observer’s account").fill("nobody@example.org")
    page.get_by_role("button", name="Name observer").click()
    expect(page.locator("form.stacked-form")).to_contain_text("Ask them to sign up first")
    if axe := axe_violations(page):
        found["refused"] = axe

    assert violations == []
    assert errors == []
    assert found == {}
    assert page_templates("outcomes/observers/") - rendered == set()
