"""Released decisions go out through a real Celery worker, with Redis as the broker."""

import threading

import pytest
from celery.signals import task_postrun
from django.core import mail

from exchange.services.applications import decisions_release
from tests import factories


@pytest.mark.django_db(transaction=True)
def test_decisions_release_emails_the_batch_from_the_worker_after_commit(
    program_ab, city_a, carol, redis_worker
):
    finished = threading.Event()
    ran: list[tuple[str, bool]] = []

    def on_postrun(sender=None, **kwargs):
        ran.append((sender.name, threading.current_thread() is threading.main_thread()))
        finished.set()

    for n, decision in enumerate(["accepted", "rejected", "waitlisted"]):
        student = factories.StudentFactory(email=f"applicant{n}@example.org", home_city=city_a)
        factories.ApplicationFactory(program=program_ab, student=student, staged_decision=decision)
    task_postrun.connect(on_postrun, weak=False)
    try:
        decisions_release(program=program_ab, city_id=city_a.pk, by=carol)
        assert finished.wait(timeout=30)
    finally:
        task_postrun.disconnect(on_postrun)

    assert ran == [("exchange.tasks.notify_application_events", False)]
    assert sorted((m.to[0], m.subject.split(": ")[1]) for m in mail.outbox) == [
        ("applicant0@example.org", "Accepted"),
        ("applicant1@example.org", "Not selected"),
        ("applicant2@example.org", "Waitlisted"),
    ]
