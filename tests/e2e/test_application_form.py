"""In a browser: a student types, then uploads a scan; the typing is still there afterwards."""

import re

import pytest
from playwright.sync_api import expect

from exchange.models import Application
from tests.files import pdf_bytes

pytestmark = pytest.mark.e2e

MOTIVATION = "I want to learn how Zibo potters work, and show my buddy our kilns in Gwangju."


def test_uploading_a_document_keeps_what_was_typed(
    page, log_in, alice, program_ab, consent_form, tmp_path
):
    scan = tmp_path / "consent.pdf"
    scan.write_bytes(pdf_bytes())
    log_in(page.context, alice)
    page.goto(f"/programs/{program_ab.pk}/")
    page.locator(".apply-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/me/applications/\d+/edit/$"))

    page.locator("#id_motivation").fill(MOTIVATION)
    page.locator("#id_gender").select_option("female")
    page.locator(f"#file-{consent_form.pk}").set_input_files(str(scan))
    page.locator(f"#file-{consent_form.pk} ~ button[name=upload]").click()

    expect(page).to_have_url(re.compile(r"/edit/#documents$"))
    expect(page.locator("#documents .status-given")).to_contain_text("consent.pdf")
    expect(page.locator("#id_motivation")).to_have_value(MOTIVATION)
    expect(page.locator("#id_gender")).to_have_value("female")
    application = Application.objects.get(student=alice)
    assert (application.motivation, application.gender) == (MOTIVATION, "female")

    page.locator("#documents button[name=remove]").click()
    expect(page.locator("#documents .status-missing")).to_have_count(1)
    expect(page.locator("#id_motivation")).to_have_value(MOTIVATION)
