"""Thin tasks: they take ids, fetch, and call the service."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from exchange.limits import address_space_limit, runs_alone
from exchange.models import ApplicationEvent, Certificate, CertificateBatch, Matching
from exchange.models.certificates import RENDER_SOFT_TIME_LIMIT, RENDER_TIME_LIMIT
from exchange.services import applications as services
from exchange.services import certificates as certificate_services
from exchange.services import matching as matching_services
from exchange.services import privacy as privacy_services


@shared_task
def notify_application_events(event_ids: list[int]) -> int:
    """Email students about their applications' new states, the whole batch on one connection."""
    events = list(
        ApplicationEvent.objects.select_related(
            "application__student", "application__program", "application__city"
        ).filter(pk__in=event_ids)
    )
    return services.application_send_state_emails(events=events)


@shared_task
def send_deadline_reminders() -> int:
    return services.reminders_send_due()


@shared_task
def expire_offers() -> int:
    return services.offers_expire()


@shared_task
def expire_documents() -> int:
    """Daily: delete documents of programs that ended more than DOCUMENT_RETENTION_DAYS ago."""
    return privacy_services.documents_expire(today=timezone.localdate())


@shared_task
def notify_matching_published(matching_id: int) -> int:
    matching = Matching.objects.select_related("program").filter(pk=matching_id).first()
    if matching is None or matching.status != Matching.Status.PUBLISHED:
        return 0
    return matching_services.matching_send_published_emails(matching=matching)


@shared_task
def notify_certificate_ready(certificate_id: int) -> int:
    certificate = (
        Certificate.objects.select_related(
            "application__student", "application__program", "application__city"
        )
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is None:
        return 0
    return certificate_services.certificate_send_ready_email(certificate=certificate)


def _render_memory_limit(request):
    budget = settings.CERTIFICATE_RENDER_MEMORY_MB * 2**20
    return address_space_limit(budget, enabled=runs_alone(request))


@shared_task(bind=True, time_limit=RENDER_TIME_LIMIT, soft_time_limit=RENDER_SOFT_TIME_LIMIT)
def render_certificate(self, certificate_id: int) -> bool:
    """Render and store a certificate's PDF; False if it is gone or was already rendered."""
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None or certificate.pdf:
        return False
    with _render_memory_limit(self.request):
        certificate_services.certificate_render(certificate=certificate)
    return True


@shared_task
def render_overdue_certificates() -> int:
    return certificate_services.certificates_render_overdue()


@shared_task(bind=True, time_limit=RENDER_TIME_LIMIT, soft_time_limit=RENDER_SOFT_TIME_LIMIT)
def render_certificate_batch(self, batch_id: int) -> str:
    """Render and store a coordinator's batch; its final state, or "" if there was nothing to
    do (gone, or another delivery of this task has it)."""
    batch = CertificateBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return ""
    with _render_memory_limit(self.request):
        batch = certificate_services.certificate_batch_render(batch=batch)
    return batch.state if batch is not None else ""


# --- Trips (issue 15: trip consent, emergency information) -------------------------------


@shared_task
def send_trip_consent_request(consent_id: int) -> int:
    from exchange.models import TripConsent
    from exchange.services import trips as trip_services

    consent = (
        TripConsent.objects.select_related(
            "application__student", "application__program", "application__city"
        )
        .filter(pk=consent_id, is_current=True, signed_at__isnull=True, withdrawn_at__isnull=True)
        .exclude(guardian_email="")
        .first()
    )
    if consent is None:
        return 0
    return trip_services.trip_consent_send_request_email(consent=consent)


@shared_task
def send_trip_consent_signed(consent_id: int) -> int:
    from exchange.models import TripConsent
    from exchange.services import trips as trip_services

    consent = (
        TripConsent.objects.select_related(
            "application__student", "application__program", "application__city"
        )
        .filter(pk=consent_id, signed_at__isnull=False)
        .first()
    )
    if consent is None:
        return 0
    return trip_services.trip_consent_send_signed_email(consent=consent)


@shared_task
def expire_emergency_info() -> int:
    """Daily: delete emergency information EMERGENCY_INFO_RETENTION_DAYS after a visit."""
    from exchange.services import trips as trip_services

    return trip_services.emergency_info_expire(today=timezone.localdate())


# --- care (issue 15): messages to travellers, incident notices ---------------------------


@shared_task
def send_trip_message(message_id: int) -> int:
    from exchange.models import TripMessage
    from exchange.services import care as care_services

    message = TripMessage.objects.select_related("program").filter(pk=message_id).first()
    if message is None:
        return 0
    return care_services.trip_message_deliver(message=message)


@shared_task
def notify_incident(incident_id: int) -> int:
    from exchange.models import Incident
    from exchange.services import care as care_services

    incident = Incident.objects.select_related("program").filter(pk=incident_id).first()
    if incident is None:
        return 0
    return care_services.incident_notify(incident=incident)


# --- Trip sheets and check-ins (issue 15, "sheets") ---------------------------------------


@shared_task(bind=True, time_limit=RENDER_TIME_LIMIT, soft_time_limit=RENDER_SOFT_TIME_LIMIT)
def render_trip_sheet_batch(self, batch_id: int) -> str:
    """Render and store a leg's trip sheets; the final state, or "" if there was nothing to
    do (gone, or another delivery of this task has it)."""
    from exchange.models import TripSheetBatch
    from exchange.services import sheets as sheet_services

    batch = TripSheetBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return ""
    with _render_memory_limit(self.request):
        batch = sheet_services.trip_sheet_batch_render(batch=batch)
    return batch.state if batch is not None else ""


@shared_task
def run_check_ins() -> dict[str, int]:
    """Every 15 minutes: open the evening's check-ins, alert on the unanswered ones."""
    from exchange.services import checkins as checkin_services

    return checkin_services.check_ins_run(now=timezone.now())


@shared_task
def send_check_in_alert(check_in_id: int) -> int:
    from exchange.services import checkins as checkin_services

    return checkin_services.check_in_send_alert_emails(check_in_id=check_in_id)


# --- Host households (issue 15, area "house") ------------------------------------------------


@shared_task
def send_household_guardian_link(consent_id: int) -> None:
    """The guardian's link to describe the family's home; nothing once the consent changed."""
    from accounts.models import GuardianConsent
    from exchange.services.households import household_guardian_link_email

    consent = GuardianConsent.objects.select_related("student").filter(pk=consent_id).first()
    if consent is None or not consent.is_current:
        return
    household_guardian_link_email(consent=consent)
