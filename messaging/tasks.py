"""Thin tasks: they take ids (or nothing), fetch, and call the service."""

from celery import shared_task
from django.utils import timezone

from messaging import services


@shared_task
def purge_old_messages() -> int:
    """Daily: delete the chats of programs that ended more than CHAT_RETENTION_DAYS ago."""
    return services.messages_purge(today=timezone.localdate())
