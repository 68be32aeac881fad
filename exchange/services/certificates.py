"""Participation certificates: issue, revoke, reissue, render and batch them.

A certificate is issued when an application is completed (`set_application_state` calls
`certificate_issue_on_completion`), rendered once to PDF by a Celery task after commit, and
stored. A reissue revokes the old certificate and issues a new one with a new serial.
Verification codes are an HMAC of the serial, so the public page needs no token table.
Coordinators print a program's certificates through a batch: asking for one creates the row,
a task renders the PDF or ZIP into private storage, and the page offers it once it is ready.
"""

import logging
import tempfile
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import BinaryIO

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.mail import build_templated_email, send_batch
from core.models import City
from exchange.audit import audit
from exchange.models import (
    Application,
    AuditEntry,
    Certificate,
    CertificateBatch,
    CityBranding,
    Program,
)
from exchange.pdf import join_pdfs, qr_svg, render_pdf
from exchange.rules import coordinated_city_ids
from exchange.selectors.matching import published_match_for
from exchange.selectors.sessions import AttendanceProgress, attendance_progress
from exchange.signals import certificate_extra_pages
from exchange.uploads import IMAGE_TYPES, clean_upload

State = Application.State
logger = logging.getLogger(__name__)

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
    audit(
        action=action,
        by=by,
        program_id=application.program_id,
        city_ids=[application.city_id],
        application_id=application.pk,
        detail=detail,
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


def certificate_languages(*, application: Application, cities: list[City]) -> list[str]:
    """The holder's own language, then the partner city's: whatever language either browses in.

    The holder's language is their city's: the one their name is written in and their family
    reads. The partner is the city of the people they were matched with when the matching is
    published, else the first partner city; among partners, the first whose language differs
    from the holder's. Two cities of one language give one.
    """
    holder = _certificate_language(application.city.main_language_id) or "en"
    partners = [city for city in cities if city.pk != application.city_id]
    match = published_match_for(application)
    matched = {other.city_id for other in match.others} if match else set()
    partners.sort(key=lambda city: city.pk not in matched)
    languages = [holder]
    for city in partners:
        code = _certificate_language(city.main_language_id) or "en"
        if code != holder:
            languages.append(code)
            break
    return languages


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
    languages = certificate_languages(application=application, cities=cities)
    try:
        branding = application.city.branding
    except CityBranding.DoesNotExist:
        branding = None
    url = verify_url(certificate)
    return {
        "holder_native": student.native_name or student.latin_name,
        "holder_latin": student.latin_name,
        # The native name is written in the applicant city's script.
        "holder_lang": languages[0],
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
    """The certificate's HTML: its page, then any pages the apps above add (the outcomes'
    learning page), asked through exchange.signals.certificate_extra_pages."""
    context = certificate_context(certificate)
    replies = certificate_extra_pages.send(
        sender=Certificate, certificate=certificate, languages=context["languages"]
    )
    context["extra_pages"] = mark_safe("".join(str(html) for _receiver, html in replies if html))  # noqa: S308  (rendered templates)
    return render_to_string("exchange/certificate.html", context)


@transaction.atomic
def certificate_render(*, certificate: Certificate) -> Certificate:
    """Render the certificate to PDF and store it. A stored PDF is never rendered again:
    what the holder downloaded stays what the portal serves."""
    # The task and a ZIP download may both find the PDF missing; the row lock makes the
    # second wait and then see the first one's file instead of storing another.
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.pdf or certificate.application.student.erased_at is not None:
        # An erased holder's name is gone: there is nothing to print it with.
        return certificate
    pdf = render_pdf(certificate_html(certificate))
    certificate.pdf.save(f"{certificate.serial}.pdf", ContentFile(pdf), save=False)
    certificate.rendered_at = timezone.now()
    certificate.save(update_fields=["pdf", "rendered_at"])
    # The PDF is stored once (the row lock above), so the holder hears of it once.
    _notify_ready_after_commit(certificate)
    return certificate


def _notify_ready_after_commit(certificate: Certificate) -> None:
    from exchange.tasks import notify_certificate_ready

    certificate_id = certificate.pk
    transaction.on_commit(lambda: notify_certificate_ready.delay(certificate_id))


def certificate_send_ready_email(*, certificate: Certificate) -> int:
    """Tell the holder their certificate is ready, in their language, with the link to their
    application page, where they download it signed in. Never the PDF itself: a mailbox is
    forwarded and shared, and the portal's download is the holder's and recorded. Nothing
    for a certificate revoked or erased since it was rendered."""
    application = certificate.application
    student = application.student
    if not certificate.is_valid or not certificate.pdf or student.erased_at is not None:
        return 0
    message = build_templated_email(
        to=student.email,
        template="exchange/email/certificate_ready",
        context={
            "certificate": certificate,
            "application": application,
            "student": student,
            "verify_url": verify_url(certificate),
        },
        language=student.preferred_language,
        time_zone=application.city.time_zone,
    )
    return send_batch([message])


# A certificate still without its PDF this long after it was issued lost its render: the
# task failed (memory, time) or its worker died. render_overdue_certificates sends it again.
RENDER_RETRY_AFTER = timedelta(minutes=10)
RENDER_RETRY_BATCH = 100


def certificates_render_overdue(*, now: datetime | None = None) -> int:
    """Send the render task again for valid certificates issued more than RENDER_RETRY_AFTER
    ago and still without a PDF, the oldest first, at most RENDER_RETRY_BATCH a run (beat
    runs it every 10 minutes). Returns how many were sent. Safe to overlap: a render finds
    a certificate already rendered and does nothing."""
    from exchange.tasks import render_certificate

    cutoff = (now or timezone.now()) - RENDER_RETRY_AFTER
    overdue = list(
        Certificate.objects.filter(
            revoked_at__isnull=True,
            pdf="",
            issued_at__lt=cutoff,
            application__student__erased_at__isnull=True,
        )
        .order_by("issued_at", "id")
        .values_list("pk", flat=True)[:RENDER_RETRY_BATCH]
    )
    for certificate_id in overdue:
        logger.warning("Certificate %s has no PDF yet: rendering it again", certificate_id)
        transaction.on_commit(lambda pk=certificate_id: render_certificate.delay(pk))
    return len(overdue)


# --- Coordinators' batches ---------------------------------------------------------------

# A batch joins stored PDFs (~1 ms a page); what takes time is rendering certificates whose
# task has not run yet (~80 ms each). 300 such stay well inside the task's time limit.
BATCH_MAX_PDF_PAGES = 300
# Why a batch failed: stored in English, shown translated.
BATCH_NO_CERTIFICATES = gettext_noop("None of these cities’ certificates is valid any more.")
BATCH_TOO_SLOW = gettext_noop(
    "Preparing the file took too long. Ask for fewer cities, or for a ZIP."
)
BATCH_FAILED = gettext_noop(
    "The file could not be prepared. Ask for it again; if it fails again, tell the portal’s "
    "administrators."
)


def _valid_certificates(program: Program, city_ids: Iterable[int]) -> list[Certificate]:
    return list(
        Certificate.objects.filter(
            application__program=program,
            application__city_id__in=list(city_ids),
            revoked_at__isnull=True,
            # An erased holder's certificate stays valid but is never printed again.
            application__student__erased_at__isnull=True,
        )
        .select_related("application")
        .order_by("application__city_id", "serial")
    )


def _stored_pdfs(certificates: Iterable[Certificate]) -> Iterator[tuple[Certificate, bytes]]:
    """Each certificate with its stored PDF, rendering and storing any not rendered yet."""
    for certificate in certificates:
        stored = certificate if certificate.pdf else certificate_render(certificate=certificate)
        with stored.pdf.open("rb") as file:
            yield stored, file.read()


def certificates_batch_write(
    *, program: Program, city_ids: Iterable[int], fmt: str, out: BinaryIO
) -> list[Certificate]:
    """Write the cities' valid certificates to `out`: their stored PDFs joined into one, a
    page each (`pdf`), or a ZIP of them named `<serial>.pdf` (`zip`). Any certificate not
    rendered yet is rendered and stored first, so a printed page is the holder's file.
    Returns the certificates written; with none, writes nothing.

    Rendering missing certificates takes seconds for a few hundred: only the batch task
    calls this."""
    if fmt not in CertificateBatch.Format.values:
        raise ValueError(f"Unknown batch format {fmt!r}")
    certificates = _valid_certificates(program, city_ids)
    if not certificates:
        return []
    if fmt == CertificateBatch.Format.PDF:
        join_pdfs((data for _, data in _stored_pdfs(certificates)), out, title=program.title)
        return certificates
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for stored, data in _stored_pdfs(certificates):
            archive.writestr(f"{stored.serial}.pdf", data)
    return certificates


def _batch_audit(*, batch: CertificateBatch, action: str, counts: dict[int, int], by: User | None):
    what = f"{batch.format.upper()} #{batch.pk}"
    for city_id, count in sorted(counts.items()):
        audit(
            action=action,
            by=by,
            program_id=batch.program_id,
            city_ids=[city_id],
            detail=f"{what}, {count} certificates",
        )


@transaction.atomic
def certificate_batch_request(
    *, program: Program, city_ids: Iterable[int], fmt: str, by: User
) -> CertificateBatch:
    """Ask for the valid certificates of some of the coordinator's cities in the program, as
    one PDF or a ZIP. A task renders it after commit; each city's audit log records the
    request with its number of certificates."""
    if fmt not in CertificateBatch.Format.values:
        raise ValidationError(
            _("Certificates print as one PDF or as a ZIP."), code="unknown_format"
        )
    wanted = set(city_ids)
    if not wanted or not wanted <= coordinated_city_ids(by, program):
        raise ValidationError(
            _("Choose one or more of your own cities in this program."), code="not_your_cities"
        )
    counts = dict(
        Certificate.objects.filter(
            application__program=program,
            application__city_id__in=wanted,
            revoked_at__isnull=True,
        )
        .values_list("application__city_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    total = sum(counts.values())
    if not total:
        raise ValidationError(
            _("These cities have no valid certificate to print."), code="no_certificates"
        )
    if fmt == CertificateBatch.Format.PDF and total > BATCH_MAX_PDF_PAGES:
        raise ValidationError(
            _(
                "One PDF holds at most %(max)d certificates, and these cities have %(count)d. "
                "Ask for fewer cities, or for a ZIP."
            )
            % {"max": BATCH_MAX_PDF_PAGES, "count": total},
            code="too_many",
        )
    batch = CertificateBatch.objects.create(program=program, requested_by=by, format=fmt)
    batch.cities.set(sorted(wanted))
    _batch_audit(batch=batch, action=AuditEntry.Action.CERTIFICATE_BATCH, counts=counts, by=by)

    from exchange.tasks import render_certificate_batch

    batch_id = batch.pk
    transaction.on_commit(lambda: render_certificate_batch.delay(batch_id))
    return batch


@transaction.atomic
def _batch_claim(batch_id: int) -> CertificateBatch | None:
    # acks_late redelivers a task whose worker died; the row lock and the state make sure a
    # batch is rendered by one delivery at a time, and a stalled one can be taken over.
    batch = CertificateBatch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None or not (batch.state == CertificateBatch.State.QUEUED or batch.is_stalled):
        return None
    batch.state = CertificateBatch.State.RENDERING
    batch.started_at = timezone.now()
    batch.save(update_fields=["state", "started_at"])
    return batch


@transaction.atomic
def _batch_finish(*, batch_id: int, name: str, pages: int, error: str) -> CertificateBatch | None:
    batch = CertificateBatch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None:
        # Deleted while it was rendering: nobody can download this file any more.
        if name:
            default_storage.delete(name)
        return None
    batch.state = CertificateBatch.State.FAILED if error else CertificateBatch.State.READY
    batch.file.name = name
    batch.pages = pages
    batch.error = error
    batch.finished_at = timezone.now()
    batch.save(update_fields=["state", "file", "pages", "error", "finished_at"])
    return batch


def certificate_batch_render(*, batch: CertificateBatch) -> CertificateBatch | None:
    """Render a queued batch and store its file in private storage (the task calls this).

    It ends `ready` with the file and its number of certificates, or `failed` with a reason
    and no file. Returns None when there is nothing to do: the batch is gone, or another
    delivery of the task has it. Runs outside a transaction: a render takes seconds, and
    the batch row is locked only to claim it and to record the outcome."""
    batch = _batch_claim(batch.pk)
    if batch is None:
        return None
    storage = batch.file.storage
    # The name is chosen first, so whatever a failed write left under it can be removed.
    name = batch.file.field.generate_filename(batch, "")
    certificates: list[Certificate] = []
    try:
        with tempfile.TemporaryFile() as out:
            certificates = certificates_batch_write(
                program=batch.program,
                city_ids=batch.cities.values_list("pk", flat=True),
                fmt=batch.format,
                out=out,
            )
            if certificates:
                name = storage.save(name, File(out))
        error = "" if certificates else BATCH_NO_CERTIFICATES
    except SoftTimeLimitExceeded:
        error = BATCH_TOO_SLOW
    except Exception:
        logger.exception("Certificate batch %s failed", batch.pk)
        error = BATCH_FAILED
    if error:
        if storage.exists(name):
            storage.delete(name)
        name = ""
    return _batch_finish(
        batch_id=batch.pk, name=name, pages=0 if error else len(certificates), error=error
    )


def certificate_batch_record_download(*, batch: CertificateBatch, by: User) -> None:
    """Each of the batch's cities' audit logs records the download of the file."""
    _batch_audit(
        batch=batch,
        action=AuditEntry.Action.CERTIFICATE_DOWNLOAD,
        counts={city.pk: batch.pages for city in batch.cities.all()},
        by=by,
    )


@transaction.atomic
def certificate_batch_delete(*, batch: CertificateBatch) -> None:
    """Delete a batch and, once that is committed, its file. A batch still rendering is
    deleted too: the task then finds it gone and throws its file away."""
    name = batch.file.name
    storage = batch.file.storage
    batch.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


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
