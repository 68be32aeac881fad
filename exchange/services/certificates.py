"""Participation certificates: issue, revoke, reissue, render and batch them.

A certificate is issued when an application is completed (`set_application_state` calls
`certificate_issue_on_completion`), rendered once to PDF by a Celery task after commit, and
stored. A reissue revokes the old certificate and issues a new one with a new serial.
Verification codes are an HMAC of the serial, so the public page needs no token table.
"""

import io
import uuid
import zipfile
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from accounts.models import User
from exchange.models import Application, AuditEntry, Certificate, City, CityBranding, Program
from exchange.pdf import qr_svg, render_pdf, render_pdf_pages
from exchange.uploads import IMAGE_TYPES, clean_upload
from messaging.selectors import AttendanceProgress, attendance_progress

State = Application.State

VERIFY_SALT = "exchange.certificate"
CODE_DIGEST_LENGTH = 20
SERIAL_PREFIX = "YX"
# Certificate languages the template and the fonts support.
CERTIFICATE_LANGUAGES = ("en", "ko", "zh-hans", "ja", "vi")
# A city's main language (exchange.Language codes) as a certificate language.
CITY_LANGUAGE_TO_CERTIFICATE = {"ko": "ko", "zh": "zh-hans", "ja": "ja", "vi": "vi", "en": "en"}
REISSUE_REASON = "Reissued"


# --- Verification codes ------------------------------------------------------------------


def _digest(serial: str) -> str:
    return salted_hmac(VERIFY_SALT, serial, algorithm="sha256").hexdigest()[:CODE_DIGEST_LENGTH]


def verify_code(certificate: Certificate) -> str:
    """The code printed (as a URL and a QR code) on the certificate."""
    return f"{certificate.serial}.{_digest(certificate.serial)}"


def certificate_for_code(code: str) -> Certificate | None:
    """The certificate a code belongs to, or None when the code is tampered with or unknown."""
    serial, dot, digest = code.rpartition(".")
    if not dot or not serial or not constant_time_compare(digest, _digest(serial)):
        return None
    return (
        Certificate.objects.select_related("application__student", "application__program")
        .filter(serial=serial)
        .first()
    )


def verify_url(certificate: Certificate) -> str:
    return settings.SITE_URL + reverse("exchange:verify", kwargs={"code": verify_code(certificate)})


# --- Issuing -----------------------------------------------------------------------------


def attendance_shortfall(
    application: Application, *, now: datetime | None = None
) -> AttendanceProgress | None:
    """For an online program, the participant's attendance when it falls short of the
    program's requirement; None when it is met (or the program is a mutual visit).

    Sessions count once they have ended; with no session held, the requirement is met.
    """
    program = application.program
    if program.kind != Program.Kind.ONLINE:
        return None
    progress = attendance_progress(
        program=program, application_ids=[application.pk], now=now or timezone.now()
    )[application.pk]
    return None if progress.met else progress


def completion_requirements_met(application: Application, *, now: datetime | None = None) -> bool:
    """Whether a participant has earned completion and its certificate: for online programs,
    attending at least the program's share of the sessions held (see attendance_shortfall)."""
    return attendance_shortfall(application, now=now) is None


def attendance_shortfall_error(
    application: Application, progress: AttendanceProgress
) -> ValidationError:
    return ValidationError(
        _("%(name)s can’t be completed yet: %(progress)s (%(percent)d%% required).")
        % {
            "name": application.student.display_name,
            "progress": progress,
            "percent": progress.required_percent,
        },
        code="attendance_short",
    )


def _audit(*, action: str, certificate: Certificate, by: User | None, detail: str = "") -> None:
    application = certificate.application
    AuditEntry.objects.create(
        actor=by,
        action=action,
        program_id=application.program_id,
        city_id=application.city_id,
        application=application,
        detail=detail[:300],
    )


def _render_after_commit(certificate: Certificate) -> None:
    from exchange.tasks import render_certificate

    certificate_id = certificate.pk
    transaction.on_commit(lambda: render_certificate.delay(certificate_id))


def _new_certificate(application: Application, by: User | None) -> Certificate:
    now = timezone.now()
    # The serial comes from the row id, so it is unique without a counter table; the
    # placeholder only exists inside this transaction.
    certificate = Certificate.objects.create(
        application=application,
        serial=f"pending-{uuid.uuid4().hex[:20]}",
        issued_at=now,
        issued_by=by,
    )
    certificate.serial = f"{SERIAL_PREFIX}-{now.year}-{certificate.pk:06d}"
    certificate.save(update_fields=["serial"])
    return certificate


@transaction.atomic
def certificate_issue(*, application: Application, by: User | None) -> Certificate:
    """The application's valid certificate, issuing one if there is none yet.

    Only completed applications get one. The PDF is rendered by a task after commit.
    """
    # Locking the application serialises two issues of the same certificate (a coordinator's
    # click racing the completion hook), so the second finds the first instead of failing.
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.state != State.COMPLETED:
        raise ValidationError(
            _("Only a completed application gets a certificate."), code="not_completed"
        )
    existing = application.certificates.filter(revoked_at__isnull=True).first()
    if existing is not None:
        return existing
    shortfall = attendance_shortfall(application)
    if shortfall is not None:
        raise attendance_shortfall_error(application, shortfall)
    certificate = _new_certificate(application, by)
    _audit(action=AuditEntry.Action.CERTIFICATE_ISSUE, certificate=certificate, by=by)
    _render_after_commit(certificate)
    return certificate


def certificate_issue_on_completion(
    *, application: Application, by: User | None
) -> Certificate | None:
    """Called by `set_application_state` when an application becomes completed."""
    if not completion_requirements_met(application):
        return None
    return certificate_issue(application=application, by=by)


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, by: User, reason: str) -> Certificate:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the certificate is revoked."), code="reason_required")
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        raise ValidationError(_("This certificate is already revoked."), code="already_revoked")
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = by
    certificate.revoke_reason = reason[:300]
    certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    _audit(
        action=AuditEntry.Action.CERTIFICATE_REVOKE, certificate=certificate, by=by, detail=reason
    )
    return certificate


@transaction.atomic
def certificate_reissue(*, certificate: Certificate, by: User) -> Certificate:
    """Revoke the certificate if it is still valid and issue a new one with a new serial."""
    old = Certificate.objects.select_for_update().get(pk=certificate.pk)
    application = Application.objects.select_for_update().get(pk=old.application_id)
    if old.replaced_by_id is not None:
        raise ValidationError(
            _("This certificate was already replaced by %(serial)s.")
            % {"serial": old.replaced_by.serial},
            code="already_replaced",
        )
    if application.state != State.COMPLETED:
        raise ValidationError(
            _("Only a completed application gets a certificate."), code="not_completed"
        )
    if old.revoked_at is None:
        old.revoked_at = timezone.now()
        old.revoked_by = by
        old.revoke_reason = REISSUE_REASON
        # Saved before the new one exists: at most one valid certificate per application.
        old.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    elif application.certificates.filter(revoked_at__isnull=True).exists():
        raise ValidationError(
            _("This application already has a valid certificate."), code="valid_exists"
        )
    new = _new_certificate(application, by)
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    _audit(
        action=AuditEntry.Action.CERTIFICATE_REISSUE,
        certificate=new,
        by=by,
        detail=f"{old.serial} → {new.serial}",
    )
    _render_after_commit(new)
    return new


# --- Rendering ---------------------------------------------------------------------------


def _certificate_language(code: str | None) -> str | None:
    if not code:
        return None
    code = code.lower()
    if code in CERTIFICATE_LANGUAGES:
        return code
    return CITY_LANGUAGE_TO_CERTIFICATE.get(code.split("-")[0])


def _city_display(city: City) -> str:
    return f"{city.name_local} {city.name_en}"


def certificate_context(certificate: Certificate) -> dict:
    """What templates/exchange/certificate.html needs, from the certificate's application."""
    application = (
        Application.objects.select_related("student", "program", "city__branding")
        .prefetch_related("program__program_cities__city")
        .get(pk=certificate.application_id)
    )
    student, program = application.student, application.program
    cities = [pc.city for pc in program.program_cities.all()]
    # The applicant's city first, then the partners.
    cities.sort(key=lambda city: city.pk != application.city_id)
    partner = next((city for city in cities if city.pk != application.city_id), None)
    languages: list[str] = []
    for code in (
        _certificate_language(student.preferred_language) or "en",
        (_certificate_language(partner.main_language_id) if partner else None) or "en",
    ):
        if code not in languages:
            languages.append(code)
    try:
        branding = application.city.branding
    except CityBranding.DoesNotExist:
        branding = None
    url = verify_url(certificate)
    return {
        "holder_native": student.native_name or student.latin_name,
        "holder_latin": student.latin_name,
        # The native name is written in the applicant city's script.
        "holder_lang": _certificate_language(application.city.main_language_id) or languages[0],
        "program_title": program.title,
        "cities": [_city_display(city) for city in cities],
        "starts_on": program.starts_on,
        "ends_on": program.ends_on,
        "issued_on": timezone.localdate(certificate.issued_at),
        "serial": certificate.serial,
        "verify_url": url,
        "qr_svg": qr_svg(url),
        "emblem_url": f"storage:{branding.emblem.name}" if branding and branding.emblem else None,
        "signature_url": (
            f"storage:{branding.signature.name}" if branding and branding.signature else None
        ),
        "signatory_name": branding.signatory_name if branding else "",
        "languages": languages,
    }


def certificate_html(certificate: Certificate) -> str:
    return render_to_string("exchange/certificate.html", certificate_context(certificate))


@transaction.atomic
def certificate_render(*, certificate: Certificate) -> Certificate:
    """Render the certificate to PDF and store it. A stored PDF is never rendered again:
    what the holder downloaded stays what the portal serves."""
    # The task and a ZIP download may both find the PDF missing; the row lock makes the
    # second wait and then see the first one's file instead of storing another.
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.pdf:
        return certificate
    pdf = render_pdf(certificate_html(certificate))
    certificate.pdf.save(f"{certificate.serial}.pdf", ContentFile(pdf), save=False)
    certificate.rendered_at = timezone.now()
    certificate.save(update_fields=["pdf", "rendered_at"])
    return certificate


# --- Coordinators' batches ---------------------------------------------------------------


def _valid_certificates(program: Program, city_ids: Iterable[int]) -> list[Certificate]:
    return list(
        Certificate.objects.filter(
            application__program=program,
            application__city_id__in=list(city_ids),
            revoked_at__isnull=True,
        )
        .select_related("application")
        .order_by("application__city_id", "serial")
    )


def _audit_download(
    *, program: Program, certificates: list[Certificate], by: User | None, what: str
) -> None:
    counts: dict[int, int] = {}
    for certificate in certificates:
        counts[certificate.application.city_id] = counts.get(certificate.application.city_id, 0) + 1
    AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=by,
            action=AuditEntry.Action.CERTIFICATE_DOWNLOAD,
            program=program,
            city_id=city_id,
            detail=f"{what}, {count} certificates",
        )
        for city_id, count in sorted(counts.items())
    )


def certificates_batch_pdf(
    *, program: Program, city_ids: Iterable[int], by: User | None = None
) -> bytes | None:
    """One PDF, one page per valid certificate of the cities' applicants; None if there are none."""
    certificates = _valid_certificates(program, city_ids)
    if not certificates:
        return None
    pdf = render_pdf_pages([certificate_html(certificate) for certificate in certificates])
    _audit_download(program=program, certificates=certificates, by=by, what="PDF")
    return pdf


def certificates_batch_zip(
    *, program: Program, city_ids: Iterable[int], by: User | None = None
) -> bytes | None:
    """A ZIP of the stored PDFs (`<serial>.pdf`); None if there are none. Certificates whose
    PDF is not rendered yet are rendered now, so the ZIP is complete."""
    certificates = _valid_certificates(program, city_ids)
    if not certificates:
        return None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            if not certificate.pdf:
                certificate = certificate_render(certificate=certificate)
            with certificate.pdf.open("rb") as file:
                archive.writestr(f"{certificate.serial}.pdf", file.read())
    _audit_download(program=program, certificates=certificates, by=by, what="ZIP")
    return buffer.getvalue()


def certificate_record_download(*, certificate: Certificate, by: User) -> None:
    _audit(
        action=AuditEntry.Action.CERTIFICATE_DOWNLOAD,
        certificate=certificate,
        by=by,
        detail=certificate.serial,
    )


# --- City branding -----------------------------------------------------------------------


@transaction.atomic
def city_branding_save(
    *, city: City, by: User, signatory_name: str, emblem=None, signature=None
) -> CityBranding:
    """Save a city's branding. Uploaded images are cleaned (re-encoded) before storing."""
    branding, _created = CityBranding.objects.select_for_update().get_or_create(city=city)
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for field, uploaded in (("emblem", emblem), ("signature", signature)):
        if uploaded is None:
            continue
        try:
            cleaned[field] = clean_upload(uploaded, allowed=IMAGE_TYPES)
        except ValidationError as error:
            errors[field] = error.messages
    if errors:
        raise ValidationError(errors)
    for field, upload in cleaned.items():
        getattr(branding, field).save(
            f"{field}{upload.extension}", ContentFile(upload.content), save=False
        )
    branding.signatory_name = signatory_name.strip()[:100]
    branding.save()
    return branding
