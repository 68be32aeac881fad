"""The learning outcome and annual report pages in Chromium under the real
Content-Security-Policy: no violation, no console error, and no axe violation on any of them."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page

from core.models import Partnership
from exchange.settings import content_security_policy
from outcomes.models import AnnualReport
from outcomes.services import learning as learning_services
from tests import factories
from tests.e2e.conftest import axe_violations, page_templates, visit

pytestmark = pytest.mark.e2e

REPORTER = """
window.addEventListener("securitypolicyviolation", (event) => {
  window.reportOutcomeViolation(location.pathname + " " + event.violatedDirective);
});
"""


@pytest.fixture
def strict_site(settings, live_server) -> str:
    settings.SITE_URL = live_server.url
    settings.CONTENT_SECURITY_POLICY = content_security_policy(live_server.url)
    return live_server.url


def watched(context: BrowserContext, violations: list, errors: list) -> Page:
    context.expose_binding("reportOutcomeViolation", lambda source, text: violations.append(text))
    context.add_init_script(REPORTER)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def test_outcome_report_pages_have_no_csp_or_axe_violation(
    new_context, log_in, strict_site, rendered, program_ab, alice, mina, carol, vera, city_a, city_b
):
    program_ab.starts_on = timezone.localdate() - timedelta(days=20)
    program_ab.ends_on = timezone.localdate() - timedelta(days=10)
    program_ab.status = "closed"
    program_ab.save()
    application = factories.ApplicationFactory(program=program_ab, student=alice, state="completed")
    learning_services.learning_outcome_save(
        application=application,
        by=alice,
        competences=["language"],
        reflection="많이 배웠어요",
        print_on_certificate=True,
    )
    later = factories.ProgramFactory(cities={city_a: 5, city_b: 5}, created_by=carol)
    waiting = factories.ApplicationFactory(program=later, student=mina, state="confirmed")
    partnership = Partnership.objects.get()
    year = timezone.localdate().year - 1
    AnnualReport.objects.create(
        partnership=partnership,
        year=year,
        languages=["ko", "zh-hans"],
        state="failed",
        error="The report could not be prepared.",
        requested_by=carol,
    )
    violations: list[str] = []
    errors: list[str] = []
    found: dict[str, list] = {}

    def sweep(user, paths):
        context = new_context()
        log_in(context, user)
        page = watched(context, violations, errors)
        for path in paths:
            visit(page, path)
            if axe := axe_violations(page):
                found[path] = axe

    sweep(alice, [f"/me/applications/{application.pk}/learning/"])
    sweep(mina, [f"/me/applications/{waiting.pk}/learning/"])
    sweep(
        carol,
        [
            f"/coordinate/programs/{program_ab.pk}/learning/",
            f"/outcomes/partnerships/{partnership.pk}/reports/",
        ],
    )
    sweep(vera, [f"/outcomes/partnerships/{partnership.pk}/reports/"])

    assert violations == []
    assert errors == []
    assert found == {}
    assert (
        page_templates("outcomes/learning/") | page_templates("outcomes/reports/")
    ) - rendered == set()
