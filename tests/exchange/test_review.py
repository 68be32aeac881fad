"""Reviewing and deciding: rubric, independent scores, staged decisions released together."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from exchange.models import Application, ApplicationEvent, AuditEntry, Reminder, Review
from exchange.selectors.applications import review_panel
from exchange.services import applications as services
from exchange.services.review import CriterionData, review_save, rubric_set
from tests import factories

pytestmark = pytest.mark.django_db


def applicant(program, city, n: int, state: str = "under_review", **fields) -> Application:
    student = factories.StudentFactory(email=f"applicant{n}@example.org", home_city=city)
    return factories.ApplicationFactory(program=program, student=student, state=state, **fields)


def test_review_save_submit_computes_weighted_mean(program_ab, city_a, carol, rubric):
    application = applicant(program_ab, city_a, 1)
    motivation, languages = rubric

    review = review_save(
        application=application,
        reviewer=carol,
        scores={motivation.pk: 5, languages.pk: 2},
        submit=True,
    )

    # (5 × 2 + 2 × 1) / 3 = 4.00
    assert review.total == Decimal("4.00")
    assert review.submitted_at is not None


def test_review_save_first_review_moves_submitted_to_under_review(
    program_ab, city_a, carol, rubric
):
    application = applicant(program_ab, city_a, 1, state="submitted")

    review_save(application=application, reviewer=carol, scores={rubric[0].pk: 3}, submit=False)

    assert Application.objects.get(pk=application.pk).state == "under_review"
    assert list(ApplicationEvent.objects.values_list("from_state", "to_state")) == [
        ("submitted", "under_review")
    ]


def test_review_save_submit_with_a_criterion_unscored_is_refused(program_ab, city_a, carol, rubric):
    application = applicant(program_ab, city_a, 1)

    with pytest.raises(ValidationError) as excinfo:
        review_save(application=application, reviewer=carol, scores={rubric[0].pk: 3}, submit=True)

    assert excinfo.value.messages == ["Score every criterion before submitting your review."]
    assert Review.objects.filter(submitted_at__isnull=False).count() == 0


def test_review_save_score_out_of_range_is_refused(program_ab, city_a, carol, rubric):
    application = applicant(program_ab, city_a, 1)

    with pytest.raises(ValidationError) as excinfo:
        review_save(application=application, reviewer=carol, scores={rubric[0].pk: 6}, submit=False)

    assert excinfo.value.messages == ["Scores go from 1 to 5."]


def test_review_save_after_submitting_is_refused(program_ab, city_a, carol, rubric):
    application = applicant(program_ab, city_a, 1)
    scores = {rubric[0].pk: 4, rubric[1].pk: 4}
    review_save(application=application, reviewer=carol, scores=scores, submit=True)

    with pytest.raises(ValidationError) as excinfo:
        review_save(application=application, reviewer=carol, scores=scores, submit=False)

    assert excinfo.value.messages == ["You have already submitted your review of this application."]


def test_review_panel_hides_others_until_own_review_is_submitted(program_ab, city_a, carol, rubric):
    second = factories.CoordinatorFactory(email="second@example.org", cities=[city_a])
    application = applicant(program_ab, city_a, 1)
    review_save(
        application=application,
        reviewer=second,
        scores={rubric[0].pk: 5, rubric[1].pk: 5},
        submit=True,
    )

    before = review_panel(application=application, reviewer=carol)
    review_save(
        application=application,
        reviewer=carol,
        scores={rubric[0].pk: 2, rubric[1].pk: 2},
        submit=False,
    )
    saved_not_submitted = review_panel(application=application, reviewer=carol)
    review_save(
        application=application,
        reviewer=carol,
        scores={rubric[0].pk: 2, rubric[1].pk: 2},
        submit=True,
    )
    after = review_panel(application=application, reviewer=carol)

    assert (before.others, before.others_hidden) == ([], 1)
    assert (saved_not_submitted.others, saved_not_submitted.others_hidden) == ([], 1)
    assert [r.reviewer.email for r in after.others] == ["second@example.org"]
    assert after.mean == 3.5


def test_rubric_set_after_a_submitted_review_is_refused(program_ab, city_a, carol, rubric):
    application = applicant(program_ab, city_a, 1)
    review_save(
        application=application,
        reviewer=carol,
        scores={rubric[0].pk: 3, rubric[1].pk: 3},
        submit=True,
    )

    with pytest.raises(ValidationError) as excinfo:
        rubric_set(program=program_ab, criteria=[CriterionData("Other", "", 1)], by=carol)

    assert excinfo.value.messages == [
        "Reviewers have already scored with this rubric, so it can no longer change."
    ]
    assert [c.name for c in program_ab.criteria.all()] == ["Motivation", "Languages"]


def test_decision_stage_tells_the_student_nothing(
    program_ab, city_a, carol, django_capture_on_commit_callbacks
):
    application = applicant(program_ab, city_a, 1)

    with django_capture_on_commit_callbacks(execute=True):
        services.decision_stage(application=application, decision="accepted", by=carol)

    application.refresh_from_db()
    assert (application.state, application.staged_decision) == ("under_review", "accepted")
    assert mail.outbox == []
    assert ApplicationEvent.objects.count() == 0


def test_decision_stage_from_a_final_state_is_refused(program_ab, city_a, carol):
    application = applicant(program_ab, city_a, 1, state="rejected")

    with pytest.raises(ValidationError) as excinfo:
        services.decision_stage(application=application, decision="accepted", by=carol)

    assert excinfo.value.messages == [
        "An application that is “Not selected” can’t be given this decision."
    ]


def test_decisions_release_applies_all_and_emails_in_one_batch(
    program_ab, city_a, city_b, carol, django_capture_on_commit_callbacks
):
    accepted = applicant(program_ab, city_a, 1, staged_decision="accepted")
    waiting = applicant(program_ab, city_a, 2, staged_decision="waitlisted")
    rejected = applicant(program_ab, city_a, 3, state="submitted", staged_decision="rejected")
    other_city = applicant(program_ab, city_b, 4, staged_decision="accepted")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = services.decisions_release(program=program_ab, city_id=city_a.pk, by=carol)

    assert (result.accepted, result.waitlisted, result.rejected) == (1, 1, 1)
    states = dict(Application.objects.values_list("pk", "state"))
    assert [states[a.pk] for a in (accepted, waiting, rejected, other_city)] == [
        "accepted",
        "waitlisted",
        "rejected",
        "under_review",
    ]
    assert len(callbacks) == 1  # one task for the whole batch
    assert sorted(m.to[0] for m in mail.outbox) == [
        "applicant1@example.org",
        "applicant2@example.org",
        "applicant3@example.org",
    ]
    assert list(
        ApplicationEvent.objects.filter(application=rejected).values_list("from_state", "to_state")
    ) == [("submitted", "under_review"), ("under_review", "rejected")]
    assert list(AuditEntry.objects.values_list("action", "detail")) == [
        ("decisions-release", "accepted 1, waitlisted 1, rejected 1")
    ]


def test_decisions_release_past_the_quota_changes_nothing(program_ab, city_a, carol):
    for n in range(4):
        applicant(program_ab, city_a, n, state="confirmed")
    first = applicant(program_ab, city_a, 10, staged_decision="accepted")
    second = applicant(program_ab, city_a, 11, staged_decision="accepted")
    third = applicant(program_ab, city_a, 12, staged_decision="rejected")

    with pytest.raises(ValidationError) as excinfo:
        services.decisions_release(program=program_ab, city_id=city_a.pk, by=carol)

    assert excinfo.value.messages == [
        "You are accepting 2 applicants but Gwangju (Gyeonggi) has 1 free places. "
        "Waitlist some of them, or raise the city’s places."
    ]
    assert list(
        Application.objects.filter(pk__in=[first.pk, second.pk, third.pk])
        .order_by("pk")
        .values_list("state", "staged_decision")
    ) == [("under_review", "accepted"), ("under_review", "accepted"), ("under_review", "rejected")]
    assert ApplicationEvent.objects.count() == 0


def test_decisions_release_with_nothing_prepared_is_refused(program_ab, city_a, carol):
    applicant(program_ab, city_a, 1)

    with pytest.raises(ValidationError) as excinfo:
        services.decisions_release(program=program_ab, city_id=city_a.pk, by=carol)

    assert excinfo.value.messages == ["There are no prepared decisions to release."]


def test_application_confirm_after_the_deadline_is_refused(program_ab, city_a):
    application = applicant(
        program_ab, city_a, 1, state="accepted", confirm_by=timezone.now() - timedelta(minutes=1)
    )

    with pytest.raises(ValidationError) as excinfo:
        services.application_confirm(application=application, by=application.student)

    assert excinfo.value.messages == ["The deadline to confirm this place has passed."]
    assert Application.objects.get(pk=application.pk).state == "accepted"


def test_offers_expire_declines_late_offers_and_offers_the_waitlist(program_ab, city_a):
    late = applicant(
        program_ab, city_a, 1, state="accepted", confirm_by=timezone.now() - timedelta(hours=1)
    )
    on_time = applicant(
        program_ab, city_a, 2, state="accepted", confirm_by=timezone.now() + timedelta(days=1)
    )
    waiting = applicant(program_ab, city_a, 3, state="waitlisted")

    assert services.offers_expire() == 1

    states = dict(Application.objects.values_list("pk", "state"))
    assert [states[a.pk] for a in (late, on_time, waiting)] == ["declined", "accepted", "accepted"]
    assert ApplicationEvent.objects.get(application=late).reason == (
        "The confirmation deadline passed."
    )


def test_reminders_send_due_sends_each_reminder_once(program_ab, city_a, city_b):
    program_ab.applications_close = timezone.now() + timedelta(days=1)
    program_ab.save()
    draft = applicant(program_ab, city_a, 1, state="draft")
    applicant(program_ab, city_a, 2, state="submitted")
    offer = applicant(
        program_ab, city_b, 3, state="accepted", confirm_by=timezone.now() + timedelta(days=1)
    )
    applicant(
        program_ab, city_b, 4, state="accepted", confirm_by=timezone.now() + timedelta(days=5)
    )
    offer.student.preferred_language = "ko"
    offer.student.save()

    first = services.reminders_send_due()
    second = services.reminders_send_due()

    assert (first, second) == (2, 0)
    assert sorted(Reminder.objects.values_list("application_id", "kind")) == sorted(
        [(draft.pk, "apply"), (offer.pk, "confirm")]
    )
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        (
            "applicant1@example.org",
            f"Reminder: your application to {program_ab.title} is not submitted yet",
        ),
        ("applicant3@example.org", mail.outbox[1].subject),
    ]
    assert "text/html" in [mimetype for _c, mimetype in mail.outbox[0].alternatives]


def test_application_complete_before_the_program_ends_is_refused(program_ab, city_a, carol):
    application = applicant(program_ab, city_a, 1, state="confirmed")

    with pytest.raises(ValidationError) as excinfo:
        services.application_complete(application=application, by=carol)

    assert excinfo.value.messages == [
        f"The program ends on {program_ab.ends_on.isoformat()}: "
        "mark participants completed from then on."
    ]
    assert Application.objects.get(pk=application.pk).state == "confirmed"


def test_application_complete_after_the_program_issues_the_certificate(program_ab, city_a, carol):
    program_ab.starts_on = timezone.localdate() - timedelta(days=10)
    program_ab.ends_on = timezone.localdate()
    program_ab.applications_open = timezone.now() - timedelta(days=40)
    program_ab.applications_close = timezone.now() - timedelta(days=20)
    program_ab.save()
    application = applicant(program_ab, city_a, 1, state="confirmed")

    services.application_complete(application=application, by=carol)

    application.refresh_from_db()
    assert application.state == "completed"
    assert application.certificates.filter(revoked_at__isnull=True).count() == 1
