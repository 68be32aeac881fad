"""Guardian emails go through a real Celery worker with Redis as the broker."""

import threading

import pytest
from celery.signals import task_postrun
from django.core import mail

from accounts import services
from accounts.models import GuardianConsent


@pytest.fixture
def finished_tasks():
    """Names of tasks the worker finished, and an event set after each one."""
    done: list[str] = []
    event = threading.Event()

    def on_postrun(sender=None, **kwargs):
        # The thread proves the task ran in the worker, not eagerly in the test's thread.
        done.append((sender.name, threading.current_thread() is threading.main_thread()))
        event.set()

    task_postrun.connect(on_postrun, weak=False)
    yield done, event
    task_postrun.disconnect(on_postrun)


@pytest.mark.django_db(transaction=True)
def test_consent_request_email_is_sent_by_worker_after_commit(mina, redis_worker, finished_tasks):
    done, event = finished_tasks

    consent = services.guardian_consent_request(student=mina, guardian_email="Mum@Example.org")

    assert event.wait(timeout=30)
    assert done == [("accounts.tasks.send_guardian_consent_request", False)]
    assert GuardianConsent.objects.get().pk == consent.pk
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mum@example.org"]
    assert message.subject == "이민아 (Lee Mina) asks for your consent on the Youth Exchange portal"
    assert [mimetype for _content, mimetype in message.alternatives] == ["text/html"]
