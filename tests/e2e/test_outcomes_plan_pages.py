"""The working groups' and action plans' pages in Chromium under the real
Content-Security-Policy, as a Jilin coordinator reading Chinese and as an observer of
Siheung: no CSP violation, no console error, no axe violation, and every page template of
templates/outcomes/plans/ rendered."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page

from exchange.settings import content_security_policy
from outcomes.models import Indicator
from outcomes.services import plans as services
from tests import factories
from tests.e2e.conftest import axe_violations, page_templates, visit

pytestmark = pytest.mark.e2e

REPORTER = """
window.addEventListener("securitypolicyviolation", (event) => {
  window.reportPlanViolation(location.pathname + " " + event.violatedDirective);
});
"""


@pytest.fixture
def strict_site(settings, live_server) -> str:
    settings.SITE_URL = live_server.url
    settings.CONTENT_SECURITY_POLICY = content_security_policy(live_server.url)
    return live_server.url


def watched(context: BrowserContext, violations: list, errors: list) -> Page:
    context.expose_binding("reportPlanViolation", lambda source, text: violations.append(text))
    context.add_init_script(REPORTER)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def test_plan_pages_have_no_csp_or_axe_violation(
    new_context, log_in, strict_site, rendered, city_c, oscar
):
    siheung = city_c
    jilin = factories.CityFactory(
        slug="jilin",
        name_local="吉林市",
        name_en="Jilin City",
        country="CN",
        time_zone="Asia/Shanghai",
        main_language_id="zh",
    )
    partnership = factories.PartnershipFactory(cities=(siheung, jilin), kind="friendship")
    jin = factories.CoordinatorFactory(
        email="jin@example.org", cities=[jilin], native_name="金哲", latin_name="Jin Zhe"
    )
    jin.preferred_language = "zh-hans"
    jin.save(update_fields=["preferred_language"])
    observer = factories.ObserverFactory(email="mayor@example.org", cities=[siheung])
    today = timezone.localdate()
    group = services.working_group_create(
        partnership=partnership, name="Youth exchange working group", purpose="Plans", by=oscar
    )
    for person in (oscar, jin, observer):
        services.working_group_add_member(group=group, user=person, by=oscar)
    for title, start, end, status in (
        ("Kick-off", -90, -80, "done"),
        ("Online interviews", -60, -20, "under-way"),
        ("Visit to Jilin", 60, 67, "planned"),
    ):
        activity = services.plan_activity_create(
            group=group,
            data=services.ActivityInput(
                title=title,
                description="",
                owner_id=jin.pk,
                starts_on=today + timedelta(days=start),
                ends_on=today + timedelta(days=end),
                status=status,
            ),
            by=oscar,
        )
        for city, amount in ((siheung, 1_000_000), (jilin, 5_000)):
            services.budget_line_add(
                activity=activity,
                city_id=city.pk,
                label="Travel",
                planned=Decimal(amount),
                spent=Decimal(amount) / 2,
                by=oscar,
            )
    manual = services.indicator_save(
        group=group,
        data=services.IndicatorInput(
            name="Schools taking part",
            measure=Indicator.Measure.MANUAL,
            unit="schools",
            targets={today.year: Decimal(4)},
            values={today.year: (Decimal(5), "Three in Siheung, two in Jilin")},
        ),
        by=oscar,
    )
    services.indicator_save(
        group=group,
        data=services.IndicatorInput(
            name="Participants from Jilin",
            measure=Indicator.Measure.PARTICIPANTS_FROM_B,
            targets={today.year: Decimal(8)},
        ),
        by=oscar,
    )
    violations: list[str] = []
    errors: list[str] = []
    found: dict[str, list] = {}

    coordinator_context = new_context(locale="zh-CN")
    log_in(coordinator_context, jin)
    coordinator = watched(coordinator_context, violations, errors)
    for path in (
        f"/outcomes/partnerships/{partnership.pk}/groups/",
        f"/outcomes/groups/{group.pk}/",
        f"/outcomes/groups/{group.pk}/settings/",
        f"/outcomes/groups/{group.pk}/activities/new/",
        f"/outcomes/activities/{activity.pk}/",
        f"/outcomes/groups/{group.pk}/indicators/new/",
        f"/outcomes/indicators/{manual.pk}/",
    ):
        visit(coordinator, path)
        if axe := axe_violations(coordinator):
            found[f"jin {path}"] = axe
    # A bad form, as the coordinator sees it: the end before the start.
    visit(coordinator, f"/outcomes/groups/{group.pk}/activities/new/")
    coordinator.fill("#id_title", "Bad dates")
    coordinator.fill("#id_starts_on", (today + timedelta(days=20)).isoformat())
    coordinator.fill("#id_ends_on", (today + timedelta(days=10)).isoformat())
    coordinator.locator("form.stacked-form button[type=submit]").click()
    coordinator.wait_for_load_state()
    if axe := axe_violations(coordinator):
        found["jin bad activity"] = axe
    assert coordinator.locator("html").get_attribute("lang") == "zh-hans"

    observer_context = new_context()
    log_in(observer_context, observer)
    watcher = watched(observer_context, violations, errors)
    for path in (
        f"/outcomes/partnerships/{partnership.pk}/groups/",
        f"/outcomes/groups/{group.pk}/",
        f"/outcomes/activities/{activity.pk}/",
        f"/outcomes/indicators/{manual.pk}/",
    ):
        visit(watcher, path)
        if axe := axe_violations(watcher):
            found[f"observer {path}"] = axe
    assert watcher.locator("form.stacked-form").count() == 0

    assert violations == []
    assert errors == []
    assert found == {}
    assert page_templates("outcomes/plans/") - rendered == set()
