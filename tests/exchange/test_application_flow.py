"""A student's application through the pages, end to end with the test client."""

import pytest
from django.core import mail

from exchange.models import Application, ApplicationDocument, AuditEntry
from tests import factories
from tests.exchange.helpers import answers
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db


def test_application_flow_draft_documents_submit_and_confirm(
    client, alice, carol, program_ab, consent_form, django_capture_on_commit_callbacks
):
    client.force_login(alice)

    response = client.post(f"/programs/{program_ab.pk}/apply/")
    application = Application.objects.get(student=alice)
    assert response.status_code == 302
    assert response["Location"] == f"/me/applications/{application.pk}/edit/"
    assert application.state == "draft"
    assert application.city_id == alice.home_city_id

    page = client.get(f"/me/applications/{application.pk}/edit/")
    assert page.status_code == 200
    assert page.context["missing"] == [
        "Your motivation: at least 50 characters.",
        "Your gender, for matching homestays.",
        "Your passport status.",
        "Document: Signed guardian consent form.",
    ]

    response = client.post(f"/me/applications/{application.pk}/edit/", answers(save=""))
    assert response.status_code == 302
    assert response["Location"] == f"/me/applications/{application.pk}/edit/"
    application.refresh_from_db()
    assert (application.state, application.gender, application.passport) == (
        "draft",
        "female",
        "valid",
    )

    response = client.post(
        f"/me/applications/{application.pk}/documents/{consent_form.pk}/",
        {"file": upload("consent.pdf", pdf_bytes())},
    )
    assert response.status_code == 302
    document = ApplicationDocument.objects.get(application=application)
    assert (document.content_type, document.original_name) == ("application/pdf", "consent.pdf")

    confirm_page = client.get(f"/me/applications/{application.pk}/submit/")
    assert confirm_page.context["missing"] == []
    assert "Yes, submit my application" in confirm_page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/me/applications/{application.pk}/submit/")
    assert response["Location"] == f"/me/applications/{application.pk}/"
    application.refresh_from_db()
    assert application.state == "submitted"
    assert [m.subject for m in mail.outbox] == [f"{program_ab.title}: Submitted"]

    client.force_login(carol)
    queue = client.get(f"/coordinate/programs/{program_ab.pk}/applications/")
    assert [a.pk for a in queue.context["page"]] == [application.pk]

    download = client.get(f"/documents/{document.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        f'attachment; filename="guardian-consent-{application.pk}.pdf"'
    )
    assert b"".join(download.streaming_content) == pdf_bytes()
    assert list(AuditEntry.objects.values_list("actor__email", "action")) == [
        ("carol@example.org", "document-download"),
        ("alice@example.org", "document-upload"),
    ]


def test_application_submit_by_minor_without_consent_says_what_is_missing(client, mina, program_ab):
    application = factories.ApplicationFactory(
        program=program_ab, student=mina, state="draft", motivation="x" * 60
    )
    client.force_login(mina)

    page = client.get(f"/me/applications/{application.pk}/submit/")
    response = client.post(f"/me/applications/{application.pk}/submit/", follow=True)

    assert page.context["missing"][0] == (
        "Your guardian’s consent (ask for it on your consent page)."
    )
    application.refresh_from_db()
    assert application.state == "draft"
    assert [str(m) for m in response.context["messages"]][:2] == [
        "Before you can submit, add what is missing:",
        "Your guardian’s consent (ask for it on your consent page).",
    ]
