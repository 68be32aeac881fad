"""Online programs: completing a participant, and their certificate, needs enough live-session
attendance; the coordinator sees why someone can't be completed yet."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from exchange.models import Application, Certificate, LiveSession, Program
from exchange.selectors.sessions import AttendanceProgress
from exchange.services import applications as application_services
from exchange.services import certificates as services
from tests import factories
from tests.messaging.online import online_program, participant, utc

pytestmark = pytest.mark.django_db

# A program that is over (the completion service reads the clock for its last day).
STARTS_ON = date(2025, 10, 20)
ENDS_ON = date(2025, 11, 14)
AFTER = utc(2025, 12, 1)
# Session, user, the user's home city, the program (with its cities), the coordinator's
# cities, the certificate rows and their certificates, then the attendance: confirmed
# participants, the sessions held and their attendance; the certificate batches.
QUERIES_ONLINE_CERTIFICATES = 13


@pytest.fixture
def online(city_a, city_b, carol, bob):
    return online_program({city_a: 5, city_b: 5}, by=carol, starts_on=STARTS_ON, ends_on=ENDS_ON)


@pytest.fixture
def held(online):
    """Four weekly one-hour sessions, all over."""
    return [
        LiveSession.objects.create(
            program=online,
            title=f"Week {week + 1}",
            starts_at=utc(2025, 10, 20, 10) + timedelta(weeks=week),
            ends_at=utc(2025, 10, 20, 11) + timedelta(weeks=week),
        )
        for week in range(4)
    ]


@pytest.fixture
def alice_online(online, city_a, alice):
    return participant(online, city_a, "", student=alice)


def attend(application: Application, sessions, *, seconds: int = 3600, **fields) -> None:
    for session in sessions:
        session.attendances.create(application=application, seconds_present=seconds, **fields)


@pytest.mark.parametrize(
    ("held", "percent", "needed"),
    [(4, 75, 3), (3, 75, 3), (3, 50, 2), (5, 0, 0), (4, 100, 4), (0, 75, 0), (1, 1, 1)],
)
def test_attendance_progress_rounds_the_sessions_needed_up(held, percent, needed):
    assert AttendanceProgress(attended=0, held=held, required_percent=percent).needed == needed


def test_attendance_progress_says_what_is_missing():
    assert str(AttendanceProgress(attended=1, held=4, required_percent=75)) == (
        "attended 1 of 4 sessions; 3 needed"
    )
    assert str(AttendanceProgress(attended=0, held=1, required_percent=75)) == (
        "attended 0 of 1 session; 1 needed"
    )


def test_completion_requirements_met_for_mutual_visits(program_ab, alice):
    application = participant(program_ab, alice.home_city, "", student=alice)

    assert services.completion_requirements_met(application, now=AFTER) is True


def test_completion_requirements_met_when_no_session_was_held(online, alice_online):
    LiveSession.objects.create(
        program=online, title="Later", starts_at=utc(2025, 12, 5), ends_at=utc(2025, 12, 5, 1)
    )

    assert services.completion_requirements_met(alice_online, now=AFTER) is True


@pytest.mark.parametrize(("attended", "met"), [(4, True), (3, True), (2, False), (0, False)])
def test_completion_requirements_met_needs_the_share_of_sessions_held(
    held, alice_online, attended, met
):
    attend(alice_online, held[:attended])

    assert services.completion_requirements_met(alice_online, now=AFTER) is met


def test_completion_requirements_met_counts_only_sessions_over_by_now(held, alice_online):
    attend(alice_online, held[:2])

    # At the end of week 3 only three sessions are held: 2 of 3 falls short of 75 %.
    assert services.completion_requirements_met(alice_online, now=held[2].ends_at) is False
    # At the end of week 2, 2 of 2.
    assert services.completion_requirements_met(alice_online, now=held[1].ends_at) is True


def test_completion_requirements_met_follows_half_time_and_corrections(held, alice_online):
    attend(alice_online, held[:1], seconds=1800)  # half the session: attended
    attend(alice_online, held[1:2], seconds=1799)  # not quite
    attend(alice_online, held[2:3], seconds=0, attended=True)  # joined from a teacher's laptop
    attend(alice_online, held[3:], seconds=3600, attended=False)  # corrected: absent

    assert services.attendance_shortfall(alice_online, now=AFTER) == AttendanceProgress(
        attended=2, held=4, required_percent=75
    )


def test_completion_requirements_follow_the_programs_percentage(online, held, alice_online):
    Program.objects.filter(pk=online.pk).update(attendance_required_percent=50)
    alice_online.program.refresh_from_db()
    attend(alice_online, held[:2])

    assert services.completion_requirements_met(alice_online, now=AFTER) is True


def test_application_complete_short_of_attendance_is_refused_with_the_reason(
    held, alice_online, carol
):
    attend(alice_online, held[:1])

    with pytest.raises(ValidationError) as error:
        application_services.application_complete(application=alice_online, by=carol)

    assert error.value.code == "attendance_short"
    assert error.value.messages == [
        "김앨리스 (Kim Alice) can’t be completed yet: attended 1 of 4 sessions; 3 needed "
        "(75% required)."
    ]
    assert Application.objects.get(pk=alice_online.pk).state == "confirmed"
    assert Certificate.objects.count() == 0


def test_application_complete_with_enough_attendance_issues_the_certificate(
    held, alice_online, carol
):
    attend(alice_online, held[:3])

    application_services.application_complete(application=alice_online, by=carol)

    assert Application.objects.get(pk=alice_online.pk).state == "completed"
    assert Certificate.objects.filter(application=alice_online, revoked_at=None).count() == 1


def test_certificate_issue_for_a_completed_participant_short_of_attendance_is_refused(
    held, alice_online
):
    Application.objects.filter(pk=alice_online.pk).update(state="completed")

    with pytest.raises(ValidationError) as error:
        services.certificate_issue(application=alice_online, by=None)

    assert error.value.code == "attendance_short"
    assert Certificate.objects.count() == 0


def test_review_bulk_complete_tells_the_coordinator_why(client, online, held, alice_online, carol):
    attend(alice_online, held[:1])
    client.force_login(carol)

    response = client.post(
        f"/coordinate/programs/{online.pk}/applications/bulk/",
        {"action": "complete", "applications": [alice_online.pk]},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        f"#{alice_online.pk}: 김앨리스 (Kim Alice) can’t be completed yet: attended 1 of 4 "
        "sessions; 3 needed (75% required)."
    ]
    assert Application.objects.get(pk=alice_online.pk).state == "confirmed"


def test_certificates_page_shows_each_participants_attendance_to_their_city(
    client, online, held, alice_online, city_a, city_b, carol, bob
):
    attend(alice_online, held[:1])
    ready = participant(online, city_a, "ready@example.org")
    attend(ready, held)
    xiaoyu = participant(online, city_b, "xiaoyu@example.org")

    client.force_login(carol)
    carols = client.get(f"/coordinate/programs/{online.pk}/certificates/")
    client.force_login(bob)
    bobs = client.get(f"/coordinate/programs/{online.pk}/certificates/")

    assert [(a, str(p), p.met) for a, p in carols.context["attendance"]] == [
        (alice_online, "attended 1 of 4 sessions; 3 needed", False),
        (ready, "attended 4 of 4 sessions; 3 needed", True),
    ]
    assert [(a, str(p)) for a, p in bobs.context["attendance"]] == [
        (xiaoyu, "attended 0 of 4 sessions; 3 needed")
    ]
    html = carols.content.decode()
    assert "attended 1 of 4 sessions; 3 needed" in html
    assert "Can’t be completed yet: not enough sessions attended" in html


def test_certificates_page_of_a_mutual_visit_has_no_attendance(client, program_ab, carol):
    client.force_login(carol)

    response = client.get(f"/coordinate/programs/{program_ab.pk}/certificates/")

    assert response.context["attendance"] is None


@pytest.mark.parametrize("n", [1, 3])
def test_certificates_page_attendance_queries_do_not_grow(
    client, online, held, city_a, carol, n, django_assert_num_queries
):
    for i in range(n):
        attend(participant(online, city_a, f"p{i}@example.org"), held[:i])
        factories.ApplicationFactory(
            program=online,
            student=factories.StudentFactory(home_city=city_a),
            state="completed",
        )
    client.force_login(carol)
    client.get(f"/coordinate/programs/{online.pk}/certificates/")  # warms the session

    with django_assert_num_queries(QUERIES_ONLINE_CERTIFICATES):
        response = client.get(f"/coordinate/programs/{online.pk}/certificates/")

    assert len(response.context["attendance"]) == n
    assert len(response.context["rows"]) == n
