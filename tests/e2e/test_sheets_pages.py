"""The trip sheet and check-in pages in Chromium under the strict Content-Security-Policy:
no violation, no console error, no axe violation. The coordinators' trip sheets page (with a
ready and a pending batch, so it polls) and check-ins page, and the traveller's application
page with its check-in card, before and after the one tap."""

import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from exchange.models import Application, CheckIn, EmergencyInfo, TripSheetBatch
from exchange.services import sheets as sheet_services
from exchange.settings import content_security_policy
from tests import factories
from tests.e2e.conftest import axe_violations, page_templates, visit
from tests.exchange.visit_helpers import build_visit

pytestmark = pytest.mark.e2e

LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(`${location.pathname} ${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def strict_site(settings, live_server) -> str:
    settings.SITE_URL = live_server.url
    settings.CONTENT_SECURITY_POLICY = content_security_policy(live_server.url)
    return live_server.url


class Watched:
    def __init__(self) -> None:
        self.violations: list[str] = []
        self.errors: list[str] = []

    def page(self, context: BrowserContext) -> Page:
        context.expose_binding("reportViolation", lambda source, text: self.violations.append(text))
        context.add_init_script(LISTENER)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page


@pytest.fixture
def trip(city_a, city_b, carol, alice):
    trip = build_visit(city_a, city_b, pairs=2, starts_in_days=3)
    alices = factories.ApplicationFactory(
        program=trip.program, student=alice, state=Application.State.CONFIRMED
    )
    EmergencyInfo.objects.create(
        application=trip.b[0],
        contact_1_name="王芳",
        contact_1_relation="mother",
        contact_1_phone="+86 138 0000 0000",
        contact_2_name="王伟",
        contact_2_relation="father",
        contact_2_phone="+86 139 0000 0000",
        insurer="PICC",
        policy_number="P-1",
        insurance_phone="+86 95518",
    )
    ready = sheet_services.trip_sheet_batch_request(leg=trip.leg_to_a, by=carol)
    sheet_services.trip_sheet_batch_render(batch=ready)
    TripSheetBatch.objects.create(leg=trip.leg_to_a, requested_by=carol)  # still queued
    zibo_yesterday = timezone.now().astimezone(zoneinfo.ZoneInfo("Asia/Shanghai")).date()
    check_in = CheckIn.objects.create(
        application=alices, leg=trip.leg_to_b, evening=zibo_yesterday - timedelta(days=1)
    )
    CheckIn.objects.create(
        application=trip.b[0],
        leg=trip.leg_to_a,
        evening=trip.leg_to_a.departs_on + timedelta(days=1),
        answer="talk",
    )
    return {"trip": trip, "alices": alices, "check_in": check_in}


def test_sheets_pages_have_no_csp_or_axe_violation(
    new_context, log_in, strict_site, rendered, trip, carol, alice
):
    watched = Watched()
    program = trip["trip"].program
    found: dict[str, list[dict]] = {}

    coordinator = new_context()
    log_in(coordinator, carol)
    page = watched.page(coordinator)
    for path in (
        f"/coordinate/programs/{program.pk}/trip-sheets/",
        f"/coordinate/programs/{program.pk}/check-ins/",
    ):
        visit(page, path)
        found[path] = axe_violations(page)

    student = new_context()
    log_in(student, alice)
    page = watched.page(student)
    path = f"/me/applications/{trip['alices'].pk}/"
    visit(page, path)
    found[path] = axe_violations(page)
    page.get_by_role("button", name="I want to talk to someone").click()
    expect(page.get_by_text("A coordinator will contact you soon.").first).to_be_visible()
    found[path + " (answered)"] = axe_violations(page)

    assert {name: violations for name, violations in found.items() if violations} == {}
    assert (watched.violations, watched.errors) == ([], [])
    trip["check_in"].refresh_from_db()
    assert trip["check_in"].answer == "talk"
    # This sweep stands in for test_csp.py's on these pages: it saw every one of them.
    pages = page_templates("exchange/sheets/") | page_templates("exchange/checkins/")
    assert pages - rendered == set()
