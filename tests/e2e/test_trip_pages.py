"""The Trip pages (issue 15) in Chromium under the real Content-Security-Policy: no violation,
no console error and no axe violation, for each persona who uses them (the coordinators, the
traveller, the guardian through the signed links)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext

from exchange import trip_tokens
from exchange.models import EmergencyInfo, ItineraryItem, TripConsent
from tests.e2e.conftest import axe_violations, page_templates, visit
from tests.exchange.visit_helpers import build_visit, on_day

pytestmark = pytest.mark.e2e

REPORTER = """
window.tripViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.tripViolations.push(`${location.pathname} ${event.violatedDirective}`);
});
"""


def _watched(context: BrowserContext, errors: list[str]) -> BrowserContext:
    context.add_init_script(REPORTER)
    context.on(
        "page",
        lambda page: page.on(
            "console",
            lambda m: errors.append(f"{page.url} {m.text}") if m.type == "error" else None,
        ),
    )
    return context


def test_trip_pages_have_no_csp_or_axe_violation(
    new_context, log_in, rendered, city_a, city_b, carol
):
    visit_ = build_visit(city_a, city_b, pairs=1, starts_in_days=2)
    traveller = visit_.a[0]
    leg = visit_.leg_to_b
    item = ItineraryItem.objects.create(
        leg=leg,
        day=on_day(visit_, leg, 1),
        starts_at="14:00",
        ends_at="16:00",
        place="Zibo Ceramics Museum",
        activity="Pottery workshop",
        responsible_adult="Ms Wang",
        meeting_point="Hotel lobby",
        transport="Bus",
    )
    EmergencyInfo.objects.create(
        application=traveller,
        contact_1_name="김영희",
        contact_1_relation="Mother",
        contact_1_phone="+82 10 1234 5678",
        contact_2_name="김철수",
        contact_2_relation="Father",
        contact_2_phone="+82 10 8765 4321",
        allergies="Peanuts",
        insurer="Samsung Fire",
        policy_number="P-123",
        insurance_phone="+82 1588 5114",
    )
    consent = TripConsent.objects.create(
        application=traveller,
        household=visit_.households[visit_.b[0].pk],
        guardian_email="parent@example.org",
        requested_at=timezone.now() - timedelta(hours=1),
    )
    program = visit_.program.pk
    pages = {
        "coordinator": [
            f"/coordinate/programs/{program}/trip/",
            f"/coordinate/programs/{program}/trip/legs/{city_b.pk}/",
            f"/coordinate/programs/{program}/trip/legs/{leg.pk}/items/new/",
            f"/coordinate/programs/{program}/trip/items/{item.pk}/",
            f"/coordinate/applications/{traveller.pk}/emergency/",
        ],
        "traveller": [
            f"/me/applications/{traveller.pk}/",
            f"/me/applications/{traveller.pk}/trip/",
            f"/me/applications/{traveller.pk}/emergency/",
        ],
        "guardian": [
            f"/trip-consent/{trip_tokens.sign_token(consent)}/",
            f"/trip-consent/withdraw/{trip_tokens.withdraw_token(consent)}/",
        ],
    }
    errors: list[str] = []
    found: dict[str, list[str]] = {}
    violations: list[str] = []
    for who, paths in pages.items():
        context = _watched(new_context(), errors)
        if who == "coordinator":
            log_in(context, carol)
        elif who == "traveller":
            log_in(context, traveller.student)
        page = context.new_page()
        for path in paths:
            visit(page, path)
            result = axe_violations(page)
            if result:
                found[path] = [f"{v['id']}: {v['help']} -> {v['targets']}" for v in result]
            violations += page.evaluate("window.tripViolations")
        if who == "guardian":
            visit(page, "/trip-consent/not-a-token/", status=404)
            violations += page.evaluate("window.tripViolations")
    assert violations == []
    assert found == {}
    assert [e for e in errors if "/trip-consent/not-a-token/" not in e] == []
    # This sweep stands in for test_csp.py's on these pages: it saw every one of them.
    assert page_templates("exchange/trips/") - rendered == set()
