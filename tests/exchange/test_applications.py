"""set_application_state: the one function that moves an application between states."""

import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection

from exchange.models import Application, ApplicationEvent
from exchange.services.applications import set_application_state
from tests import factories

pytestmark = pytest.mark.django_db


def applicant(program, city, n: int, state: str = "under_review") -> Application:
    student = factories.StudentFactory(email=f"applicant{n}@example.org", home_city=city)
    return factories.ApplicationFactory(program=program, student=student, state=state)


def states(program) -> list[tuple[str, str]]:
    return list(
        Application.objects.filter(program=program)
        .order_by("student__email")
        .values_list("student__email", "state")
    )


def test_set_application_state_full_path_writes_one_audit_entry_per_step(program_ab, city_a, carol):
    application = applicant(program_ab, city_a, 1, state="draft")
    student = application.student

    set_application_state(application, "submitted", by=student)
    set_application_state(application, "under_review", by=carol)
    set_application_state(application, "accepted", by=carol, reason="Strong motivation")
    set_application_state(application, "confirmed", by=student)
    set_application_state(application, "completed", by=carol)

    events = list(
        ApplicationEvent.objects.filter(application=application).values_list(
            "actor__email", "from_state", "to_state", "reason"
        )
    )
    assert events == [
        ("applicant1@example.org", "draft", "submitted", ""),
        ("carol@example.org", "submitted", "under_review", ""),
        ("carol@example.org", "under_review", "accepted", "Strong motivation"),
        ("applicant1@example.org", "accepted", "confirmed", ""),
        ("carol@example.org", "confirmed", "completed", ""),
    ]
    assert Application.objects.get(pk=application.pk).state == "completed"


def test_set_application_state_illegal_transition_is_refused_and_writes_nothing(
    program_ab, city_a, carol
):
    application = applicant(program_ab, city_a, 1, state="draft")

    with pytest.raises(ValidationError) as excinfo:
        set_application_state(application, "accepted", by=carol)

    assert excinfo.value.messages == ["An application can’t go from “Draft” to “Accepted”."]
    assert Application.objects.get(pk=application.pk).state == "draft"
    assert ApplicationEvent.objects.count() == 0


def test_set_application_state_accepting_past_quota_is_refused(program_ab, city_a, carol):
    # program_ab offers city A five places.
    held = [applicant(program_ab, city_a, n, state="confirmed") for n in range(5)]
    late = applicant(program_ab, city_a, 9)

    with pytest.raises(ValidationError) as excinfo:
        set_application_state(late, "accepted", by=carol)

    assert excinfo.value.messages == ["Gwangju (Gyeonggi) has no free place left (places: 5)."]
    assert Application.objects.get(pk=late.pk).state == "under_review"
    assert len(held) == 5


def test_set_application_state_declining_offers_the_place_to_the_longest_waiting(
    program_ab, city_a, city_b, carol, django_capture_on_commit_callbacks
):
    for n in range(4):
        applicant(program_ab, city_a, n, state="confirmed")
    leaving = applicant(program_ab, city_a, 4, state="accepted")
    first_waiting = applicant(program_ab, city_a, 5, state="waitlisted")
    applicant(program_ab, city_a, 6, state="waitlisted")
    applicant(program_ab, city_b, 7, state="waitlisted")  # another city's list is untouched

    with django_capture_on_commit_callbacks(execute=True):
        set_application_state(leaving, "declined", by=leaving.student)

    assert states(program_ab) == [
        ("applicant0@example.org", "confirmed"),
        ("applicant1@example.org", "confirmed"),
        ("applicant2@example.org", "confirmed"),
        ("applicant3@example.org", "confirmed"),
        ("applicant4@example.org", "declined"),
        ("applicant5@example.org", "accepted"),
        ("applicant6@example.org", "waitlisted"),
        ("applicant7@example.org", "waitlisted"),
    ]
    offer = ApplicationEvent.objects.get(application=first_waiting, to_state="accepted")
    assert (offer.actor, offer.from_state, offer.reason) == (
        None,
        "waitlisted",
        "A place became free.",
    )
    assert Application.objects.get(pk=first_waiting.pk).confirm_by is not None
    assert [m.to for m in mail.outbox] == [["applicant5@example.org"]]


def test_set_application_state_decision_email_is_in_the_students_language(
    program_ab, city_a, carol, django_capture_on_commit_callbacks
):
    application = applicant(program_ab, city_a, 1)
    application.student.preferred_language = "ko"
    application.student.save(update_fields=["preferred_language"])

    with django_capture_on_commit_callbacks(execute=True):
        set_application_state(application, "rejected", by=carol)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"{program_ab.title}: 선발되지 않음"
    assert [mimetype for _content, mimetype in mail.outbox[0].alternatives] == ["text/html"]


@pytest.mark.django_db(transaction=True)
def test_set_application_state_two_coordinators_at_once_cannot_overfill_the_quota(
    city_a, city_b, carol, bob
):
    program = factories.ProgramFactory(cities={city_a: 1, city_b: 1}, created_by=carol)
    first = applicant(program, city_a, 1)
    second = applicant(program, city_a, 2)
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def decide(application: Application, coordinator) -> None:
        barrier.wait()
        try:
            set_application_state(application, "accepted", by=coordinator)
            outcomes[application.pk] = "accepted"
        except ValidationError as error:
            outcomes[application.pk] = error.messages[0]
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(first, carol)),
        threading.Thread(target=decide, args=(second, carol)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes.values()) == [
        "Gwangju (Gyeonggi) has no free place left (places: 1).",
        "accepted",
    ]
    assert Application.objects.filter(program=program, state="accepted").count() == 1
