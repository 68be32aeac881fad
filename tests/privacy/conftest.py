"""A world with one person to erase and one who stays: alice (A) and her Zibo buddy, matched
and published in program_ab, each with a document, chat lines, attendance and a certificate;
and jun, 13, of A, whose guardian acts for him."""

import uuid

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import GuardianConsent
from exchange.audit import audit
from exchange.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationLanguage,
    Attendance,
    AuditEntry,
    LiveSession,
    RequiredDocument,
    ReviewComment,
)
from exchange.services import certificates as certificate_services
from exchange.services import matching as matching_services
from messaging import services as chat_services
from messaging.models import Room
from tests import factories
from tests.exchange.visit_helpers import home_from_answers

ALICE_PHONE = "010-1234-5678"
BUDDY_LINE = "xiaoyu writes her own line"
JUN_PHONE = "010-9876-5432"


def document(application, requirement, content: bytes, name: str) -> ApplicationDocument:
    stored = ApplicationDocument(
        application=application,
        requirement=requirement,
        content_type="application/pdf",
        size=len(content),
        original_name=name,
    )
    stored.file.save("upload.pdf", ContentFile(content), save=True)
    return stored


def post(room, sender, body: str):
    return chat_services.message_post(
        room=room, sender=sender, body=body, client_id=uuid.uuid4()
    ).message


def certificate(application, content: bytes):
    Application.objects.filter(pk=application.pk).update(state="completed")
    application.refresh_from_db()
    issued = certificate_services.certificate_issue(application=application, by=None)
    issued.pdf.save("x.pdf", ContentFile(content), save=True)
    return issued


@pytest.fixture
def buddy(city_b):
    return factories.StudentFactory(
        email="xiaoyu@example.org",
        native_name="王晓雨",
        latin_name="Wang Xiaoyu",
        home_city=city_b,
        age=16,
        consent="given",
    )


@pytest.fixture
def world(program_ab, city_a, city_b, carol, bob, alice, buddy):
    passport = RequiredDocument.objects.create(program=program_ab, kind="passport")
    applications = {}
    for student in (alice, buddy):
        application = factories.ApplicationFactory(
            program=program_ab,
            student=student,
            state="confirmed",
            gender="female",
            can_host=True,
            household_pets=False,
            motivation=f"I am {student.latin_name}; I love ceramics.",
        )
        home_from_answers(application)
        ApplicationLanguage.objects.create(application=application, language_id="en", level=3)
        applications[student.pk] = application
    mine, theirs = applications[alice.pk], applications[buddy.pk]
    Application.objects.filter(pk=mine.pk).update(
        medical_needs=f"Call my mother at {ALICE_PHONE} first."
    )
    documents = {
        "alice": document(mine, passport, b"%PDF-1.4 Kim Alice \xea\xb9\x80 passport", "a.pdf"),
        "buddy": document(theirs, passport, b"%PDF-1.4 Wang Xiaoyu passport", "b.pdf"),
    }
    matching_services.matching_run(program=program_ab, by=carol)
    matching_services.matching_approve(program=program_ab, city_ids={city_a.pk}, by=carol)
    matching_services.matching_approve(program=program_ab, city_ids={city_b.pk}, by=bob)
    matching_services.matching_publish(program=program_ab, by=carol)
    pair = Room.objects.get(kind="pair")
    # Both are minors, so alice's phone number is masked and kept in an automatic report.
    masked = post(pair, alice, f"my number is {ALICE_PHONE}")
    post(pair, alice, "hello from 김앨리스")
    theirs_line = post(pair, buddy, BUDDY_LINE)
    chat_services.report_create(message=theirs_line, reporter=alice, reason="she was rude")
    session = LiveSession.objects.create(
        program=program_ab,
        title="Welcome call",
        starts_at=timezone.now(),
        ends_at=timezone.now() + timezone.timedelta(hours=1),
    )
    for application in (mine, theirs):
        Attendance.objects.create(session=session, application=application, seconds_present=3000)
    # Log text a coordinator wrote that names her.
    ApplicationEvent.objects.create(
        application=mine,
        actor=carol,
        from_state="accepted",
        to_state="confirmed",
        reason="Kim Alice confirmed on the phone",
    )
    ReviewComment.objects.create(application=mine, author=carol, body="김앨리스 is great")
    audit(
        action=AuditEntry.Action.EXPORT,
        by=carol,
        program_id=program_ab.pk,
        city_ids=[city_a.pk],
        detail="exported alice@example.org for the host families",
    )
    certificates = {
        "alice": certificate(mine, "%PDF-1.4 김앨리스 Kim Alice".encode()),
        "buddy": certificate(theirs, b"%PDF-1.4 Wang Xiaoyu"),
    }
    return {
        "mine": mine,
        "theirs": theirs,
        "documents": documents,
        "pair": pair,
        "masked": masked,
        "certificates": certificates,
    }


@pytest.fixture
def jun(city_a):
    """13: under 14, his guardian consented and acts for him."""
    student = factories.StudentFactory(
        email="jun@example.org",
        native_name="박준",
        latin_name="Park Jun",
        home_city=city_a,
        age=13,
    )
    GuardianConsent.objects.create(
        student=student,
        guardian_email="parent.jun@example.org",
        guardian_name="박부모",
        relationship="mother",
        consented_at=timezone.now(),
    )
    return student


@pytest.fixture
def jun_world(program_ab, jun, alice):
    """jun's submitted application with a document; alice has one too (and stays)."""
    consent_form = RequiredDocument.objects.create(program=program_ab, kind="guardian-consent")
    mine = factories.ApplicationFactory(
        program=program_ab,
        student=jun,
        state="submitted",
        submitted_at=timezone.now(),
        motivation=f"Text me at {JUN_PHONE}",
    )
    theirs = factories.ApplicationFactory(
        program=program_ab, student=alice, state="submitted", submitted_at=timezone.now()
    )
    return {
        "mine": mine,
        "theirs": theirs,
        "document": document(mine, consent_form, b"%PDF-1.4 Park Jun form", "jun.pdf"),
        "other_document": document(theirs, consent_form, b"%PDF-1.4 Kim Alice form", "a.pdf"),
    }


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    """Each test its own MEDIA_ROOT: the search of every stored file sees only this test's."""
    settings.MEDIA_ROOT = tmp_path / "media"
