"""The household pages in Chromium: no Content-Security-Policy violation and no axe-core
violation, each as the persona who uses it (the student's home page and application form,
the host city's list, household with its screening checklist and care policy, the published
matching with backup households, the guest's "Where you will stay" card, and the guardian's
page through the signed link)."""

import pytest
from playwright.sync_api import BrowserContext

from accounts.models import GuardianConsent
from exchange.household_tokens import household_token
from exchange.models import HouseholdScreening
from tests import factories
from tests.e2e.conftest import axe_violations, page_templates, visit
from tests.exchange.visit_helpers import build_visit, household_for

pytestmark = pytest.mark.e2e

REPORTER = """
window.seenViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.seenViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def watched(context: BrowserContext) -> BrowserContext:
    context.add_init_script(REPORTER)
    return context


def check(context: BrowserContext, path: str) -> tuple[str, list, list]:
    page = context.new_page()
    visit(page, path)
    found = (path, page.evaluate("window.seenViolations"), axe_violations(page))
    page.close()
    return found


def test_house_pages_have_no_csp_or_axe_violation(
    new_context, log_in, rendered, city_a, city_b, carol, alice
):
    trip = build_visit(city_a, city_b, pairs=1)
    draft = factories.ApplicationFactory(
        program=factories.ProgramFactory(cities={city_a: 2, city_b: 2}, kind="visit"),
        student=alice,
        state="draft",
    )
    home = household_for(draft, approved=False, pets="a cat")
    HouseholdScreening.objects.create(household=home, city=city_a)
    guest = trip.b[0]

    student = watched(new_context())
    log_in(student, alice)
    coordinator = watched(new_context())
    log_in(coordinator, carol)
    visitor = watched(new_context())
    log_in(visitor, guest.student)
    guardian = watched(new_context())
    consent = GuardianConsent.objects.get(student=alice, is_current=True)

    results = [
        check(student, "/me/household/"),
        check(student, f"/me/applications/{draft.pk}/edit/"),
        check(student, f"/me/applications/{draft.pk}/"),
        check(coordinator, "/coordinate/households/"),
        check(coordinator, "/coordinate/households/?show=needs"),
        check(coordinator, f"/coordinate/households/{home.pk}/"),
        check(coordinator, f"/coordinate/cities/{city_a.pk}/care-policy/"),
        check(coordinator, f"/coordinate/programs/{trip.program.pk}/matching/"),
        check(visitor, f"/me/applications/{guest.pk}/"),
        check(guardian, f"/household/guardian/{household_token(consent)}/"),
    ]

    assert [(path, csp, axe) for path, csp, axe in results if csp or axe] == []
    # This sweep stands in for test_csp.py's on these pages: it saw every one of them.
    assert page_templates("exchange/households/") - rendered == set()
