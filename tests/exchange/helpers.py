"""Helpers the exchange tests share: applicants, documents, certificates, matching
participants and the application form's answers."""

from datetime import date

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone

from exchange.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    AuditEntry,
    Certificate,
    Review,
    ReviewComment,
    ReviewScore,
)
from exchange.pdf import qr_svg
from exchange.services import certificates as certificate_services
from tests import factories
from tests.exchange.visit_helpers import home_from_answers
from tests.files import pdf_bytes
from tests.helpers import table

VERIFY_URL = "https://exchange.example/verify/GJ-2026-000123"


def certificate_html(**overrides) -> str:
    context = {
        "holder_native": "김민지",
        "holder_latin": "Kim Minji",
        "program_title": "Gwangju–Zibo Youth Robotics Camp",
        "cities": ["광주시 Gwangju", "淄博市 Zibo"],
        "starts_on": date(2026, 7, 20),
        "ends_on": date(2026, 7, 31),
        "issued_on": date(2026, 8, 3),
        "serial": "GJ-2026-000123",
        "verify_url": VERIFY_URL,
        "qr_svg": qr_svg(VERIFY_URL),
        "emblem_url": None,
        "signature_url": None,
        "signatory_name": "Park Jiwon",
        "languages": ["ko", "zh-hans"],
        **overrides,
    }
    return render_to_string("exchange/certificate.html", context)


FAKE_PDF = b"%PDF-1.4 stored certificate"


def completed(program, student, *, state: str = "completed") -> Application:
    return factories.ApplicationFactory(program=program, student=student, state=state)


def issued(application, *, pdf: bytes | None = FAKE_PDF) -> Certificate:
    """A certificate issued without running the render task; `pdf` stands in for the render."""
    certificate = certificate_services.certificate_issue(application=application, by=None)
    if pdf is not None:
        certificate.pdf.save("x.pdf", ContentFile(pdf), save=True)
    return certificate


def participant(program, student):
    """A confirmed application that any other participant of the partner city can pair with."""
    application = factories.ApplicationFactory(
        program=program,
        student=student,
        state="confirmed",
        gender="female",
        can_host=True,
        household_pets=False,
    )
    home_from_answers(application)
    application.languages.create(language_id="en", level=3)
    return application


def new_participant(program, city):
    return participant(program, factories.StudentFactory(home_city=city))


def base(program) -> str:
    return f"/coordinate/programs/{program.pk}/matching/"


UNKNOWN = 999999


def make_document(application, requirement, *, name: str = "consent.pdf"):
    content = pdf_bytes()
    document = ApplicationDocument(
        application=application,
        requirement=requirement,
        content_type="application/pdf",
        size=len(content),
        original_name=name,
    )
    document.file.save("upload.pdf", ContentFile(content), save=True)
    return document


def snapshot(application) -> dict:
    """Everything a request on the application could write."""
    application = Application.objects.get(pk=application.pk)
    return {
        "state": application.state,
        "motivation": application.motivation,
        "staged_decision": application.staged_decision,
        "documents": sorted(
            ApplicationDocument.objects.filter(application=application).values_list("pk", "file")
        ),
        "events": ApplicationEvent.objects.filter(application=application).count(),
        "audit": AuditEntry.objects.count(),
        "reviews": Review.objects.count(),
        "scores": ReviewScore.objects.count(),
        "comments": ReviewComment.objects.count(),
    }


def applicant(program, city, state: str = "under_review", **fields):
    """An application by a new student of `city`, submitted now."""
    student = factories.StudentFactory(home_city=city)
    return factories.ApplicationFactory(
        program=program, student=student, state=state, submitted_at=timezone.now(), **fields
    )


PROGRAM_PAGE = table(
    {"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 200, "oscar": 403}
)


def make_queue(program, city_a, city_b) -> dict[str, list[Application]]:
    """Two applicants in each city, a draft in A, and an A applicant to another program."""
    other = factories.ProgramFactory(cities={city_a: 2, city_b: 2})
    applications = {
        "a": [applicant(program, city_a), applicant(program, city_a, state="submitted")],
        "b": [applicant(program, city_b), applicant(program, city_b, state="submitted")],
    }
    applicant(program, city_a, state="draft")
    applicant(other, city_a)
    return applications


def answers(**overrides) -> dict:
    data = {
        "motivation": "I love ceramics and want to learn how Zibo potters work with clay. " * 2,
        "availability": "Free all summer.",
        "interests": [],
        "lang_ko": "4",
        "lang_en": "2",
        "gender": "female",
        "can_host": "yes",
        "other_children": "1",
        "household_pets": "no",
        "household_smokers": "no",
        "own_room": "yes",
        "diets_offered": ["vegetarian"],
        "dietary_needs": [],
        "dietary_notes": "",
        "medical_needs": "",
        "passport": "valid",
    }
    data.update(overrides)
    return data
