"""Thin tasks: they take ids, fetch, and call the service."""

from celery import shared_task

from exchange import services
from exchange.models import ApplicationEvent


@shared_task
def notify_application_state(event_id: int) -> None:
    event = (
        ApplicationEvent.objects.select_related("application__student", "application__program")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return
    services.application_send_state_email(event=event)
