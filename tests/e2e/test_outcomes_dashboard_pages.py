"""The dashboards (outcomes home, a program's, a partnership's, a city's network) in Chromium
under the real Content-Security-Policy, as carol in Korean and as vera (an observer): no
violation, no console error, no axe violation, SVG charts included."""

import pytest
from playwright.sync_api import BrowserContext, Page

from core.models import Partnership
from exchange.settings import content_security_policy
from tests.e2e.conftest import axe_violations, page_templates, visit
from tests.outcomes.dashboard_helpers import applications, ended_program, session

pytestmark = pytest.mark.e2e

REPORTER = """
window.addEventListener("securitypolicyviolation", (event) => {
  window.reportDashViolation(location.pathname + " " + event.violatedDirective);
});
"""


@pytest.fixture
def strict_site(settings, live_server) -> str:
    settings.SITE_URL = live_server.url
    settings.CONTENT_SECURITY_POLICY = content_security_policy(live_server.url)
    return live_server.url


def watched(context: BrowserContext, violations: list, errors: list) -> Page:
    context.expose_binding("reportDashViolation", lambda source, text: violations.append(text))
    context.add_init_script(REPORTER)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def test_dashboard_pages_have_no_csp_or_axe_violation(
    new_context, log_in, strict_site, rendered, city_a, city_b, carol, vera
):
    carol.preferred_language = "ko"
    carol.save(update_fields=["preferred_language"])
    program = ended_program([city_a, city_b], carol=carol)
    people = applications(program, city_a, 6)
    applications(program, city_b, 2)  # hidden: hatched bars
    session(program, present=people[:5], absent=people[5:])
    partnership = Partnership.objects.get(city_a=city_a, city_b=city_b)
    paths = (
        "/outcomes/",
        f"/outcomes/programs/{program.pk}/",
        f"/outcomes/partnerships/{partnership.pk}/",
        f"/outcomes/cities/{city_a.slug}/",
    )
    violations: list[str] = []
    errors: list[str] = []
    found: dict[str, list] = {}

    for user in (carol, vera):
        context = new_context()
        log_in(context, user)
        page = watched(context, violations, errors)
        for path in paths:
            visit(page, path)
            assert page.locator("svg.chart").count() == page.locator("table").count() or (
                path == "/outcomes/"
            )
            if axe := axe_violations(page):
                found[f"{user.email} {path}"] = axe

    assert violations == []
    assert errors == []
    assert found == {}
    assert page_templates("outcomes/dashboards/") - rendered == set()
