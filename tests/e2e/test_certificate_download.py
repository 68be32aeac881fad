"""After the program: a coordinator marks a participant completed from the review queue, the
certificate is rendered (by the eager Celery task, as under `make run`), and the student
downloads it from their application page: a real PDF with their name on it."""

import re
import unicodedata
from datetime import timedelta

import pypdfium2
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exchange.models import Application, AuditEntry, Certificate
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.journey]


def pdf_words(data: bytes) -> str:
    """The text PDFium reads off every page, NFC-normalised, without whitespace (where a line
    wraps is layout, not content)."""
    document = pypdfium2.PdfDocument(data)
    try:
        text = "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    return "".join(unicodedata.normalize("NFC", text).split())


def test_completed_participant_downloads_a_certificate_with_their_name(
    new_context, log_in, alice, carol, city_a, city_b
):
    today = timezone.localdate()
    program = factories.ProgramFactory(
        title="Ceramics summer in Gwangju",
        cities={city_a: 5, city_b: 5},
        applications_open=timezone.now() - timedelta(days=60),
        applications_close=timezone.now() - timedelta(days=40),
        starts_on=today - timedelta(days=12),
        ends_on=today - timedelta(days=2),
    )
    application = factories.ApplicationFactory(program=program, student=alice, state="confirmed")
    coordinator_context, student_context = new_context(), new_context()
    log_in(coordinator_context, carol)
    log_in(student_context, alice)

    coordinator = coordinator_context.new_page()
    coordinator.goto(f"/coordinate/programs/{program.pk}/applications/")
    coordinator.locator(f"#pick-{application.pk}").check()
    coordinator.locator("#id_action").select_option("complete")
    coordinator.get_by_role("button", name="Apply to selected").click()
    expect(coordinator.locator(".message-success")).to_have_count(1)
    certificate = Certificate.objects.get(application=application)
    assert Application.objects.get(pk=application.pk).state == Application.State.COMPLETED
    assert certificate.rendered_at is not None

    student = student_context.new_page()
    student.goto(f"/me/applications/{application.pk}/")
    with student.expect_download() as download_info:
        student.get_by_role("link", name="Download your certificate (PDF)").click()
    download = download_info.value
    data = download.path().read_bytes()

    assert download.suggested_filename == f"{certificate.serial}.pdf"
    assert data.startswith(b"%PDF-")
    words = pdf_words(data)
    for expected in ("김앨리스", "KimAlice", certificate.serial, "CeramicssummerinGwangju"):
        assert expected in words, (expected, words)
    assert list(
        AuditEntry.objects.filter(action="certificate-download").values_list("actor", "detail")
    ) == [(alice.pk, certificate.serial)]
    expect(student).to_have_url(re.compile(rf"/me/applications/{application.pk}/$"))
