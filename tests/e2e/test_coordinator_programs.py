"""A coordinator creates a program with a partner city, then opens it for applications."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.models import Theme
from exchange.models import Program
from tests import factories

pytestmark = pytest.mark.e2e

TITLE = "Pottery and tea: Gwangju meets Zibo"
DESCRIPTION = "Two weeks of ceramics workshops.\nStudents host each other at home."


def _local_input(day_offset: int, at: time) -> tuple[str, datetime]:
    """What a datetime-local input takes, and the aware moment it means in carol's city (Seoul)."""
    moment = datetime.combine(timezone.localdate() + timedelta(days=day_offset), at)
    return moment.strftime("%Y-%m-%dT%H:%M"), timezone.make_aware(moment)


def _fill_program(page: Page, city_a, city_b, *, min_age: str, max_age: str) -> dict:
    opens, opens_at = _local_input(-1, time(9, 0))
    closes, closes_at = _local_input(30, time(18, 0))
    starts = timezone.localdate() + timedelta(days=60)
    ends = timezone.localdate() + timedelta(days=74)
    page.locator("input[name=kind][value=visit]").check()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Description").fill(DESCRIPTION)
    for slug in ("ceramics", "culture-arts"):
        page.locator(f"input[name=themes][value='{Theme.objects.get(slug=slug).pk}']").check()
    page.get_by_label("Applications open").fill(opens)
    page.get_by_label("Applications close").fill(closes)
    page.get_by_label("Program starts").fill(starts.isoformat())
    page.get_by_label("Program ends").fill(ends.isoformat())
    page.get_by_label("Minimum age").fill(min_age)
    page.get_by_label("Maximum age").fill(max_age)
    for code in ("ko", "zh", "en"):
        page.locator(f"input[name=working_languages][value={code}]").check()
    page.locator(f"#id_quota_{city_a.pk}").fill("6")
    page.locator(f"#id_quota_{city_b.pk}").fill("4")
    return {
        "opens": opens,
        "opens_at": opens_at,
        "closes": closes,
        "closes_at": closes_at,
        "starts": starts,
        "ends": ends,
    }


def test_coordinator_creates_program_then_opens_it(
    page: Page, live_server, carol, bob, city_a, city_b, city_c
):
    page.goto("/accounts/login/")
    page.locator("#id_login").fill("carol@example.org")
    page.locator("#id_password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    # A coordinator's second step: the code from the authenticator app.
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/authenticate/")
    page.locator("#id_code").fill(factories.totp_code())
    page.get_by_role("button", name="Sign In").click()
    # Signing in leads a coordinator to the desk.
    expect(page).to_have_url(f"{live_server.url}/coordinate/")
    expect(page.locator("main h1")).to_have_text("Coordinator desk")
    page.get_by_role("link", name="New program").click()
    expect(page).to_have_url(f"{live_server.url}/programs/new/")
    # Carol's own city first, then its active partner; Siheung is no partner of hers.
    expect(page.locator(".quota-fields label")).to_have_text(
        ["광주시 (Gwangju (Gyeonggi)):", "淄博市 (Zibo):"]
    )

    entered = _fill_program(page, city_a, city_b, min_age="14", max_age="17")
    page.get_by_role("button", name="Save").click()

    program = Program.objects.get()
    expect(page).to_have_url(f"{live_server.url}/programs/{program.pk}/")
    expect(page.locator(".message-success")).to_have_text("The program was saved as a draft.")
    expect(page.locator("main h1")).to_have_text(TITLE)
    expect(page.locator(".badge-status-draft")).to_have_text("Draft")
    expect(page.locator("table.table tbody tr")).to_have_text(
        [
            re.compile(r"^광주시 \(Gwangju \(Gyeonggi\)\)\s*6\s*Asia/Seoul$"),
            re.compile(r"^淄博市 \(Zibo\)\s*4\s*Asia/Shanghai$"),
        ]
    )
    assert (
        program.kind,
        program.title,
        program.description,
        program.status,
        program.created_by,
        program.applications_open,
        program.applications_close,
        program.starts_on,
        program.ends_on,
        program.min_age,
        program.max_age,
    ) == (
        "visit",
        TITLE,
        # Browsers submit a textarea's line breaks as CRLF, and the form stores them as sent.
        DESCRIPTION.replace("\n", "\r\n"),
        "draft",
        carol,
        entered["opens_at"],
        entered["closes_at"],
        entered["starts"],
        entered["ends"],
        14,
        17,
    )
    assert set(program.program_cities.values_list("city__slug", "quota")) == {
        ("gwangju-gyeonggi", 6),
        ("zibo", 4),
    }
    assert set(program.themes.values_list("slug", flat=True)) == {"ceramics", "culture-arts"}
    assert set(program.working_languages.values_list("code", flat=True)) == {"ko", "zh", "en"}

    page.get_by_role("button", name="Set status: Open for applications").click()
    expect(page).to_have_url(f"{live_server.url}/programs/{program.pk}/")
    expect(page.locator(".message-success")).to_have_text("The program’s status was changed.")
    expect(page.locator(".badge-status-open")).to_have_text("Open for applications")
    expect(page.get_by_role("button", name="Set status: Applications closed")).to_be_visible()
    program.refresh_from_db()
    assert program.status == "open"

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programs").click()
    expect(page.locator("#results .program-card h3")).to_have_text([TITLE])


def test_program_form_max_age_below_min_shows_error_and_keeps_input(
    page: Page, context, log_in, live_server, carol, city_a, city_b
):
    log_in(context, carol)
    page.goto("/programs/new/")
    entered = _fill_program(page, city_a, city_b, min_age="16", max_age="12")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(f"{live_server.url}/programs/new/")
    max_age_field = page.locator(".field", has=page.locator("#id_max_age"))
    expect(max_age_field).to_have_class(re.compile(r"(^|\s)field-invalid(\s|$)"))
    expect(max_age_field.locator(".errorlist")).to_have_text(
        "The maximum age can’t be below the minimum age."
    )
    expect(page.locator("#id_max_age")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".errorlist")).to_have_count(1)
    expect(page.locator(".field-invalid")).to_have_count(1)

    expect(page.locator("input[name=kind][value=visit]")).to_be_checked()
    expect(page.locator("#id_title")).to_have_value(TITLE)
    expect(page.locator("#id_description")).to_have_value(DESCRIPTION)
    expect(page.locator("input[name=themes]:checked")).to_have_count(2)
    expect(page.locator("#id_applications_open")).to_have_value(entered["opens"])
    expect(page.locator("#id_applications_close")).to_have_value(entered["closes"])
    expect(page.locator("#id_starts_on")).to_have_value(entered["starts"].isoformat())
    expect(page.locator("#id_ends_on")).to_have_value(entered["ends"].isoformat())
    expect(page.locator("#id_min_age")).to_have_value("16")
    expect(page.locator("#id_max_age")).to_have_value("12")
    expect(page.locator("input[name=working_languages]:checked")).to_have_count(3)
    expect(page.locator(f"#id_quota_{city_a.pk}")).to_have_value("6")
    expect(page.locator(f"#id_quota_{city_b.pk}")).to_have_value("4")
    assert Program.objects.count() == 0
