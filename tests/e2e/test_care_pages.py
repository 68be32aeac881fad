"""The care pages (locator, messages to travellers, household visits, incidents, and the
student's messages) in Chromium under the real Content-Security-Policy: no violation, no
console error, and no axe violation on any of them."""

from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from exchange.models import ItineraryItem
from exchange.services.care import incident_add_update, incident_log, trip_message_send
from exchange.settings import content_security_policy
from tests.e2e.conftest import axe_violations, page_templates, visit
from tests.exchange.visit_helpers import build_visit, on_day

pytestmark = pytest.mark.e2e

REPORTER = """
window.addEventListener("securitypolicyviolation", (event) => {
  window.reportCareViolation(location.pathname + " " + event.violatedDirective);
});
"""


@pytest.fixture
def strict_site(settings, live_server) -> str:
    settings.SITE_URL = live_server.url
    settings.CONTENT_SECURITY_POLICY = content_security_policy(live_server.url)
    return live_server.url


def watched(context: BrowserContext, violations: list, errors: list) -> Page:
    context.expose_binding("reportCareViolation", lambda source, text: violations.append(text))
    context.add_init_script(REPORTER)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def test_care_pages_have_no_csp_or_axe_violation(
    new_context, log_in, strict_site, rendered, city_a, city_b, carol
):
    trip = build_visit(city_a, city_b, pairs=2)
    leg = trip.leg_to_a
    day = on_day(trip, leg, 1)
    ItineraryItem.objects.create(
        leg=leg,
        day=day,
        starts_at=time(9),
        ends_at=time(12),
        kind="group",
        place="Gonjiam Ceramic Park",
        activity="Wheel-throwing workshop",
        responsible_adult="Ms Park",
        meeting_point="Main gate",
    )
    message = trip_message_send(
        program=trip.program,
        by=carol,
        audience={"kind": "everyone"},
        subject="Bus leaves at 8",
        body="Meet at the school gate at 7:45.",
        to_guardians=True,
    )
    incident = incident_log(
        program=trip.program,
        by=carol,
        category="health",
        severity="low",
        involved=[trip.b[0]],
        occurred_at=timezone.now() - timedelta(hours=2),
        what_happened="Twisted an ankle.",
        what_was_done="Ice and rest.",
    )
    incident_add_update(incident=incident, by=carol, note="Seen by the nurse.")
    program = trip.program.pk
    violations: list[str] = []
    errors: list[str] = []
    found: dict[str, list] = {}

    coordinator_context = new_context()
    log_in(coordinator_context, carol)
    coordinator = watched(coordinator_context, violations, errors)
    for path in (
        f"/coordinate/programs/{program}/locator/?day={day.isoformat()}",
        f"/coordinate/programs/{program}/locator/?day=not-a-day",
        f"/coordinate/programs/{program}/locator/message/?kind=group&group={trip.groups[0].pk}",
        f"/coordinate/programs/{program}/trip-messages/",
        f"/coordinate/programs/{program}/trip-messages/{message.pk}/",
        f"/coordinate/programs/{program}/household-visits/",
        f"/coordinate/programs/{program}/legs/{leg.pk}/household-visits/",
        f"/coordinate/programs/{program}/incidents/",
        f"/coordinate/programs/{program}/incidents/new/",
        f"/coordinate/programs/{program}/incidents/{incident.pk}/",
    ):
        visit(coordinator, path)
        if axe := axe_violations(coordinator):
            found[path] = axe

    student_context = new_context()
    log_in(student_context, trip.a[0].student)
    student = watched(student_context, violations, errors)
    path = f"/me/applications/{trip.a[0].pk}/"
    visit(student, path)
    expect(student.locator("#trip-messages-list")).to_contain_text("Bus leaves at 8")
    if axe := axe_violations(student):
        found[path] = axe
    student.get_by_role("button", name="Mark as read").click()
    expect(student.locator("#trip-messages-list")).not_to_contain_text("Mark as read")
    path = f"/me/applications/{trip.a[0].pk}/trip-messages/"
    visit(student, path)
    if axe := axe_violations(student):
        found[path] = axe

    assert violations == []
    assert errors == []
    assert found == {}
    assert message.deliveries.get(recipient=trip.a[0].student).read_at is not None
    # This sweep stands in for test_csp.py's on these pages: it saw every one of them.
    assert page_templates("exchange/care/") - rendered == set()
