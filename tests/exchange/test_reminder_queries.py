"""The deadline reminder job costs the same number of queries for one reminder as for twenty."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from exchange.models import Reminder
from exchange.services import applications as services
from tests import factories

# Lock the due applications (one query for both kinds), read which reminders exist once the
# locks are held, insert the new ones in one statement: 3, plus the savepoint and its release.
REMINDER_QUERIES = 5


def _due(program, city, count: int) -> list:
    """`count` reminders due: alternately a draft before the deadline and an offer to confirm."""
    applications = []
    for n in range(count):
        student = factories.StudentFactory(email=f"due{n}@example.org", home_city=city)
        if n % 2 == 0:
            fields = {"state": "draft"}
        else:
            fields = {"state": "accepted", "confirm_by": timezone.now() + timedelta(days=1)}
        applications.append(
            factories.ApplicationFactory(program=program, student=student, **fields)
        )
    return applications


@pytest.mark.parametrize("count", [1, 20])
def test_reminders_send_due_queries_are_constant(
    count, program_ab, city_a, django_assert_num_queries
):
    program_ab.applications_close = timezone.now() + timedelta(days=1)
    program_ab.save()
    due = _due(program_ab, city_a, count)
    mail.outbox = []

    with django_assert_num_queries(REMINDER_QUERIES):
        sent = services.reminders_send_due()

    assert sent == count
    assert Reminder.objects.count() == count
    expected = sorted(
        (
            application.student.email,
            f"Reminder: your application to {program_ab.title} is not submitted yet"
            if application.state == "draft"
            else f"Reminder: confirm your place in {program_ab.title}",
        )
        for application in due
    )
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == expected


def test_reminders_send_due_second_run_sends_none(program_ab, city_a):
    program_ab.applications_close = timezone.now() + timedelta(days=1)
    program_ab.save()
    _due(program_ab, city_a, 4)

    first = services.reminders_send_due()
    outbox_after_first = len(mail.outbox)
    second = services.reminders_send_due()

    assert (first, second, outbox_after_first, len(mail.outbox)) == (4, 0, 4, 4)
    assert sorted(Reminder.objects.values_list("kind", flat=True)) == [
        "apply",
        "apply",
        "confirm",
        "confirm",
    ]
