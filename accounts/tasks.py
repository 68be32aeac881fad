"""Thin tasks: they take ids, fetch, and call the service."""

from celery import shared_task

from accounts import services
from accounts.models import GuardianConsent


@shared_task
def send_guardian_consent_request(consent_id: int) -> None:
    consent = GuardianConsent.objects.select_related("student").filter(pk=consent_id).first()
    if consent is None or not consent.is_current:
        return  # replaced before the email went out; the newer request sends its own
    services.guardian_consent_send_request_email(consent=consent)


@shared_task
def send_guardian_consent_confirmation(consent_id: int) -> None:
    consent = GuardianConsent.objects.select_related("student").filter(pk=consent_id).first()
    if consent is None:
        return
    services.guardian_consent_send_confirmation_email(consent=consent)
