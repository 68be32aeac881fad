"""A person's data rights, across every app: the download of everything the portal holds
about them, the request to delete it, its decision by their city's coordinators, and the
erasure itself. Each app erases and exports its own part (accounts.services,
exchange.services.privacy, messaging.services and their selectors); this module puts them
in order and records each step with exchange.audit.audit.
"""

import io
import json
import zipfile
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import GuardianConsent, User
from accounts.selectors import consent_current, person_data, person_identifiers
from core.mail import build_templated_email, send_batch
from core.policy import require
from exchange.audit import audit
from exchange.models import Application, AuditEntry
from exchange.selectors.privacy import student_data
from exchange.services.privacy import applications_erase
from messaging import services as messaging_services
from messaging.selectors import person_chat_data
from outcomes.selectors.surveys import person_surveys_data
from outcomes.services.surveys import person_surveys_erase
from privacy.models import DeletionRequest

ERASED_REASON = "erased"


def _already_open() -> ValidationError:
    return ValidationError(
        _(
            "You have already asked for your data to be deleted. Your city’s coordinators "
            "will decide by the date shown."
        ),
        code="already_open",
    )


def person_city_id(student: User) -> int | None:
    """The city whose coordinators handle the person's requests: their home city, or the
    city of their latest application."""
    if student.home_city_id:
        return student.home_city_id
    return (
        Application.objects.filter(student=student)
        .order_by("-created_at", "-id")
        .values_list("city_id", flat=True)
        .first()
    )


def _not_erased(student: User) -> None:
    if student.erased_at is not None:
        raise ValidationError(_("This person’s data has already been erased."), code="erased")


def _who(consent: GuardianConsent | None) -> str:
    return "guardian" if consent is not None else "student"


# --- Download ----------------------------------------------------------------------------


def person_data_export(
    *, student: User, by: User | None, consent: GuardianConsent | None = None
) -> bytes:
    """A ZIP of everything the portal holds about `student`: data.json and their own files
    (documents, certificate PDFs). `by` is the student asking for their own, or None when
    their guardian asks through `consent`'s signed link. Built in memory, refused above
    DATA_EXPORT_MAX_BYTES; audited."""
    _not_erased(student)
    if consent is None:
        require(by, "privacy.use_data_rights", message=_("You can’t download this person’s data."))
        if by.pk != student.pk:
            raise ValidationError(_("You can download only your own data."), code="forbidden")
    exchange_data, files = student_data(student=student)
    requests = [
        {
            "requested_at": request.requested_at.isoformat(),
            "requested_by": request.requested_by,
            "due_on": request.due_on.isoformat(),
            "status": request.status,
            "decided_at": request.decided_at.isoformat() if request.decided_at else None,
            "reason": request.reason,
        }
        for request in DeletionRequest.objects.filter(student=student).order_by("requested_at")
    ]
    data = {
        "exported_at": timezone.now().isoformat(),
        **person_data(user=student),
        **exchange_data,
        **person_chat_data(user=student),
        # Outcomes (issue 16): survey requests, answers and learning outcomes.
        **person_surveys_data(student=student),
        "deletion_requests": requests,
    }
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    total = len(body) + sum(stored.size for _name, stored in files)
    if total > settings.DATA_EXPORT_MAX_BYTES:
        raise ValidationError(
            _(
                "Your data is too large to download at once. Ask your city’s coordinators "
                "for a copy."
            ),
            code="too_large",
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", body)
        for name, stored in files:
            with stored.open("rb") as file:
                archive.writestr(name, file.read())
    audit(
        action=AuditEntry.Action.DATA_EXPORT,
        by=by,
        program_id=None,
        city_ids=[city_id] if (city_id := person_city_id(student)) else [],
        subject_id=student.pk,
        detail=f"by the {_who(consent)}, {len(files)} files",
    )
    return out.getvalue()


# --- Deletion requests -------------------------------------------------------------------


@transaction.atomic
def deletion_request_create(
    *, student: User, by: User | None, consent: GuardianConsent | None = None
) -> DeletionRequest:
    """Record the student's request (or their guardian's, through `consent`) to delete their
    data, due DELETION_REQUEST_DUE_DAYS from today. One open request at a time."""
    student = User.objects.select_for_update().get(pk=student.pk)
    _not_erased(student)
    if consent is None:
        require(by, "privacy.use_data_rights", message=_("You can’t ask for this person’s data."))
        if by.pk != student.pk:
            raise ValidationError(_("You can ask only about your own data."), code="forbidden")
    if DeletionRequest.objects.filter(student=student, status=DeletionRequest.Status.OPEN).exists():
        raise _already_open()
    city_id = person_city_id(student)
    if city_id is None:
        raise ValidationError(
            _("Choose your home city in your profile first: its coordinators decide."),
            code="no_city",
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            deletion_request = DeletionRequest.objects.create(
                student=student,
                city_id=city_id,
                requested_by=DeletionRequest.RequestedBy.GUARDIAN
                if consent is not None
                else DeletionRequest.RequestedBy.STUDENT,
                consent=consent,
                requested_at=now,
                due_on=timezone.localdate(now) + timedelta(days=settings.DELETION_REQUEST_DUE_DAYS),
            )
    except IntegrityError:  # a second request raced this one past the check
        raise _already_open() from None
    audit(
        action=AuditEntry.Action.ERASURE_REQUEST,
        by=by,
        program_id=None,
        city_ids=[city_id],
        subject_id=student.pk,
        detail=f"request #{deletion_request.pk} by the {_who(consent)}, "
        f"due {deletion_request.due_on.isoformat()}",
    )
    return deletion_request


def _lock_open(deletion_request: DeletionRequest) -> DeletionRequest:
    deletion_request = (
        DeletionRequest.objects.select_for_update(of=("self",))
        .select_related("student", "student__home_city", "consent")
        .get(pk=deletion_request.pk)
    )
    if deletion_request.status != DeletionRequest.Status.OPEN:
        raise ValidationError(_("This request has already been decided."), code="decided")
    return deletion_request


def _decision_emails(deletion_request: DeletionRequest) -> list:
    """The messages telling the student (and the guardian who asked) of the decision, built
    now: after an erasure there is no address left to build them from."""
    student = deletion_request.student
    recipients = [student.email]
    consent = deletion_request.consent or consent_current(student=student)
    if deletion_request.requested_by == DeletionRequest.RequestedBy.GUARDIAN and consent:
        recipients.append(consent.guardian_email)
    time_zone = student.home_city.time_zone if student.home_city_id else ""
    return [
        build_templated_email(
            to=address,
            template="privacy/email/deletion_decided",
            context={
                "request": deletion_request,
                "approved": deletion_request.status == DeletionRequest.Status.APPROVED,
            },
            language=student.preferred_language,
            time_zone=time_zone,
        )
        for address in dict.fromkeys(recipients)
    ]


@transaction.atomic
def deletion_request_approve(*, deletion_request: DeletionRequest, by: User) -> DeletionRequest:
    """Approve the request and erase the student's data, all at once or not at all; the
    student (and the guardian who asked) are told after commit."""
    deletion_request = _lock_open(deletion_request)
    require(
        by,
        "privacy.decide_deletion",
        deletion_request,
        message=_("Only a coordinator of the student’s city decides this request."),
    )
    now = timezone.now()
    deletion_request.status = DeletionRequest.Status.APPROVED
    deletion_request.decided_at = now
    deletion_request.decided_by = by
    messages = _decision_emails(deletion_request)
    deletion_request.save(update_fields=["status", "decided_at", "decided_by"])
    audit(
        action=AuditEntry.Action.ERASURE_APPROVE,
        by=by,
        program_id=None,
        city_ids=[deletion_request.city_id],
        subject_id=deletion_request.student_id,
        detail=f"request #{deletion_request.pk}",
    )
    person_erase(student=deletion_request.student, by=by, now=now)
    transaction.on_commit(lambda: send_batch(messages))
    return deletion_request


@transaction.atomic
def deletion_request_refuse(
    *, deletion_request: DeletionRequest, by: User, reason: str
) -> DeletionRequest:
    """Refuse the request, with the reason the student is told (a legal duty to keep a
    record, an open safeguarding case)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the request is refused.")}, code="no_reason")
    deletion_request = _lock_open(deletion_request)
    require(
        by,
        "privacy.decide_deletion",
        deletion_request,
        message=_("Only a coordinator of the student’s city decides this request."),
    )
    deletion_request.status = DeletionRequest.Status.REFUSED
    deletion_request.decided_at = timezone.now()
    deletion_request.decided_by = by
    deletion_request.reason = reason
    deletion_request.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    audit(
        action=AuditEntry.Action.ERASURE_REFUSE,
        by=by,
        program_id=None,
        city_ids=[deletion_request.city_id],
        subject_id=deletion_request.student_id,
        detail=f"request #{deletion_request.pk}",
    )
    messages = _decision_emails(deletion_request)
    transaction.on_commit(lambda: send_batch(messages))
    return deletion_request


# --- Erasure -----------------------------------------------------------------------------


@transaction.atomic
def person_erase(*, student: User, by: User | None, now: datetime | None = None) -> User:
    """Erase or anonymise everything that names or reaches `student`, in every app, and lock
    their account; keep every number (applications, places, matching groups, attendance,
    certificates stay, without their name). The one erasure: a deletion request's approval
    and site staff's delete in the admin both come here."""
    student = User.objects.select_for_update().get(pk=student.pk)
    _not_erased(student)
    now = now or timezone.now()
    city_id = person_city_id(student)
    # Collected first: each app's part looks for these in its free text.
    identifiers = person_identifiers(user=student)
    messaging_services.messages_erase(user=student, identifiers=identifiers)
    # Outcomes (issue 16): survey answers and requests and the learning outcome go; figures
    # already published in reports stay in those files.
    person_surveys_erase(student=student)
    applications_erase(student=student, identifiers=identifiers)
    DeletionRequest.objects.filter(student=student, status=DeletionRequest.Status.REFUSED).update(
        reason=ERASED_REASON
    )
    student = account_services.user_erase(user=student, now=now)
    audit(
        action=AuditEntry.Action.ERASURE_DONE,
        by=by,
        program_id=None,
        city_ids=[city_id] if city_id else [],
        subject_id=student.pk,
    )
    return student


@transaction.atomic
def person_erase_by_staff(*, student: User, by: User) -> User:
    """Site staff delete a person in the admin: the same erasure, and any open request of
    theirs is closed as approved by staff."""
    if not (by.is_active and by.is_staff):
        raise ValidationError(_("Only site staff erase a person directly."), code="forbidden")
    now = timezone.now()
    DeletionRequest.objects.filter(student=student, status=DeletionRequest.Status.OPEN).update(
        status=DeletionRequest.Status.APPROVED, decided_at=now, decided_by=by
    )
    return person_erase(student=student, by=by, now=now)
