"""Surveys: building, sending, reminding, answering, quoting (outcomes.services.surveys)."""

from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from exchange.models import AuditEntry
from exchange.services.applications import set_application_state
from outcomes import library
from outcomes.models import Survey, SurveyAnswer, SurveyQuestion, SurveyRequest
from outcomes.selectors.surveys import chosen_quotes, survey_results
from outcomes.services import surveys as services
from tests import factories
from tests.outcomes.survey_helpers import answer_all, ended_program, participants, standard


class FailingBackend(EmailBackend):
    """A test double for the network: the SMTP server refuses every message."""

    def send_messages(self, messages):
        raise SMTPException("550 mailbox unavailable")


def test_standard_set_builds_both_surveys(program_ab, carol):
    pre, post = standard(program_ab, carol)
    assert [q.library_code for q in pre.questions.all()] == library.STANDARD_PRE
    assert [q.library_code for q in post.questions.all()] == library.STANDARD_POST
    assert post.questions.filter(measures="competence").count() == 8
    assert post.questions.filter(measures="satisfaction").count() == 5
    # A second click adds nothing.
    standard(program_ab, carol)
    assert SurveyQuestion.objects.filter(survey__program=program_ab).count() == 8 + 16


def test_library_wording_in_five_languages():
    for question in library.QUESTIONS.values():
        assert sorted(question.text) == sorted(library.LANGUAGES)
        for option in question.choices:
            assert sorted(option) == sorted(library.LANGUAGES)
    assert len(library.QUESTIONS["competences-developed"].choices) == 8


def test_confirmation_sends_the_pre_survey_once(
    program_ab, city_a, carol, django_capture_on_commit_callbacks
):
    standard(program_ab, carol)
    (application,) = participants(program_ab, city_a, 1, state="accepted")
    with django_capture_on_commit_callbacks(execute=True):
        set_application_state(application, "confirmed", by=application.student)
    request = SurveyRequest.objects.get(application=application)
    assert request.survey.phase == "pre"
    assert request.status == "requested"
    assert request.sent_at is not None
    survey_mails = [m for m in mail.outbox if "/me/surveys/" in m.body]
    assert len(survey_mails) == 1
    assert survey_mails[0].to == [application.student.email]
    # A retried task sends nothing twice.
    assert services.survey_requests_send(request_ids=[request.pk]) == 0
    assert len([m for m in mail.outbox if "/me/surveys/" in m.body]) == 1
    assert AuditEntry.objects.filter(action="survey-send").count() == 1


def test_email_in_the_students_language(
    program_ab, city_a, carol, django_capture_on_commit_callbacks
):
    participants(program_ab, city_a, 1, language="ko")
    with django_capture_on_commit_callbacks(execute=True):
        standard(program_ab, carol)
    (message,) = mail.outbox
    assert "설문" in message.subject or program_ab.title in message.subject
    assert message.body.count("/me/surveys/") == 1


def test_confirmed_before_the_survey_get_it_when_it_is_saved(
    program_ab, city_a, city_b, carol, django_capture_on_commit_callbacks
):
    participants(program_ab, city_a, 2)
    participants(program_ab, city_b, 1, state="completed")
    participants(program_ab, city_b, 1, state="under_review")
    with django_capture_on_commit_callbacks(execute=True):
        standard(program_ab, carol)
    assert SurveyRequest.objects.filter(survey__phase="pre").count() == 3
    assert SurveyRequest.objects.filter(survey__phase="post").count() == 0
    assert len(mail.outbox) == 3


def test_post_survey_on_the_last_day_then_one_reminder(
    city_a, city_b, carol, settings, django_capture_on_commit_callbacks
):
    settings.SURVEY_REMINDER_DAYS = 5
    ended = ended_program(city_a, city_b, days_ago=2)
    upcoming = ended_program(city_a, city_b, days_ago=-3)
    participants(ended, city_a, 2, state="completed")
    participants(ended, city_b, 1)
    participants(upcoming, city_a, 2)
    standard(ended, carol)
    standard(upcoming, carol)
    SurveyRequest.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        created = services.post_surveys_send_due()
    assert len(created) == 3
    assert SurveyRequest.objects.filter(survey__phase="post", survey__program=upcoming).count() == 0
    assert len(mail.outbox) == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert services.post_surveys_send_due() == []
    assert len(mail.outbox) == 3
    later = timezone.now() + timedelta(days=6)
    assert services.survey_reminders_send_due(now=timezone.now() + timedelta(days=3)) == 0
    assert services.survey_reminders_send_due(now=later) == 3
    assert services.survey_reminders_send_due(now=later + timedelta(days=6)) == 0
    assert len(mail.outbox) == 6
    assert SurveyRequest.objects.filter(reminded_at__isnull=False).count() == 3


def test_smtp_failure_marks_undelivered(
    program_ab, city_a, carol, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.outcomes.test_surveys_services.FailingBackend"
    participants(program_ab, city_a, 1)
    with django_capture_on_commit_callbacks(execute=True):
        standard(program_ab, carol)
    request = SurveyRequest.objects.get()
    assert request.status == "undelivered"
    assert request.error == "The email could not be sent: 550 mailbox unavailable"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.survey_request_resend(request=request, by=carol) is True
    request.refresh_from_db()
    assert (request.status, request.error) == ("requested", "")
    assert AuditEntry.objects.filter(action="survey-resend").count() == 1


def test_no_address_is_undelivered(program_ab, city_a, carol, django_capture_on_commit_callbacks):
    (application,) = participants(program_ab, city_a, 1)
    type(application.student).objects.filter(pk=application.student_id).update(email="")
    with django_capture_on_commit_callbacks(execute=True):
        standard(program_ab, carol)
    request = SurveyRequest.objects.get()
    assert (request.status, request.error) == ("undelivered", services.NO_ADDRESS)
    assert mail.outbox == []


def test_resend_unanswered(program_ab, city_a, carol, django_capture_on_commit_callbacks):
    participants(program_ab, city_a, 3)
    with django_capture_on_commit_callbacks(execute=True):
        pre, _post = standard(program_ab, carol)
    requests = list(SurveyRequest.objects.all())
    answer_all(requests[:1], pre)
    mail.outbox.clear()
    assert services.survey_resend_unanswered(survey=pre, by=carol) == 2
    assert len(mail.outbox) == 2
    with pytest.raises(ValidationError) as error:
        services.survey_request_resend(request=requests[0], by=carol)
    assert error.value.messages == ["This participant has already answered."]


@pytest.fixture
def one_request(program_ab, city_a, carol, django_capture_on_commit_callbacks):
    (application,) = participants(program_ab, city_a, 1)
    with django_capture_on_commit_callbacks(execute=True):
        pre, _post = standard(program_ab, carol)
    return SurveyRequest.objects.get(application=application), pre


def _q(survey, code):
    return survey.questions.get(library_code=code)


def test_submit_skips_and_normalises(one_request):
    request, pre = one_request
    social = _q(pre, "confidence-social")
    language = _q(pre, "confidence-language")
    services.survey_submit(
        request=request,
        raw={social.pk: ["４"], language.pk: [""]},
        share_quotes=True,
        by=request.application.student,
    )
    request.refresh_from_db()
    assert request.status == "submitted"
    assert request.share_quotes is True
    assert [(a.question_id, a.number) for a in request.answers.all()] == [(social.pk, 4)]
    with pytest.raises(ValidationError) as error:
        services.survey_submit(
            request=request, raw={}, share_quotes=False, by=request.application.student
        )
    assert error.value.messages == ["You have already answered this survey."]


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("confidence-social", "6", "Choose one of the options."),
        ("confidence-social", "0", "Choose one of the options."),
        ("confidence-social", "三", "Choose one of the options."),
        ("competences-developed", "8", "Choose one of the options."),
        ("learning-reflection", "x" * 5001, "Keep it under 5000 characters."),
        ("learning-reflection", "a\x00b", "The text contains a character that isn’t allowed."),
    ],
)
def test_submit_refuses_bad_input_and_writes_nothing(
    program_ab, city_a, carol, code, value, message
):
    (application,) = participants(program_ab, city_a, 1)
    _pre, post = standard(program_ab, carol)
    request = SurveyRequest.objects.create(survey=post, application=application)
    good = _q(post, "satisfaction-overall")
    bad = _q(post, code)
    with pytest.raises(ValidationError) as error:
        services.survey_submit(
            request=request,
            raw={good.pk: ["5"], bad.pk: [value]},
            share_quotes=True,
            by=application.student,
        )
    assert error.value.message_dict == {f"q{bad.pk}": [message]}
    assert SurveyAnswer.objects.count() == 0
    request.refresh_from_db()
    assert request.status == "requested"


def test_someone_elses_request_is_refused(one_request, alice):
    request, _pre = one_request
    with pytest.raises(ValidationError):
        services.survey_submit(request=request, raw={}, share_quotes=False, by=alice)


def test_answered_question_cannot_be_removed_or_change_kind(one_request, carol):
    request, pre = one_request
    social = _q(pre, "confidence-social")
    services.survey_submit(
        request=request, raw={social.pk: ["3"]}, share_quotes=False, by=request.application.student
    )
    with pytest.raises(ValidationError) as error:
        services.survey_question_remove(question=social, by=carol)
    assert error.value.messages == [
        "Someone has already answered this question: it can’t be removed."
    ]
    own = services.survey_question_create(
        survey=pre,
        kind="single",
        text={"en": "Pick one"},
        choices=[{"en": "A"}, {"en": "B"}],
        by=carol,
    )
    request2 = SurveyRequest.objects.create(
        survey=pre,
        application=participants(pre.program, request.application.city, 1, state="accepted")[0],
    )
    services.survey_submit(
        request=request2, raw={own.pk: ["1"]}, share_quotes=False, by=request2.application.student
    )
    with pytest.raises(ValidationError) as error:
        services.survey_question_update(
            question=own, kind="single", text={"en": "Pick one"}, choices=[{"en": "A"}], by=carol
        )
    assert error.value.messages[0].startswith("A choice question needs")
    with pytest.raises(ValidationError) as error:
        services.survey_question_update(
            question=own, kind="short", text={"en": "Pick one"}, choices=[], by=carol
        )
    assert error.value.messages == [
        "Someone has already answered this question: you can correct its wording, "
        "but not change its kind or its options."
    ]
    services.survey_question_update(
        question=own,
        kind="single",
        text={"en": "Pick one, please", "ko": "하나 고르세요"},
        choices=[{"en": "A"}, {"en": "B"}],
        by=carol,
    )
    own.refresh_from_db()
    assert own.text == {"en": "Pick one, please", "ko": "하나 고르세요"}
    assert services.missing_languages(own.text) == ["zh-hans", "vi", "ja"]


def test_own_question_needs_english(program_ab, carol):
    survey = services.survey_get_or_create(program=program_ab, phase="pre")
    with pytest.raises(ValidationError) as error:
        services.survey_question_create(
            survey=survey, kind="long", text={"ko": "질문"}, choices=[], by=carol
        )
    assert error.value.messages == ["Write the question in English."]
    assert survey.questions.count() == 0


def test_move_reorders(program_ab, carol):
    pre, _post = standard(program_ab, carol)
    first, second = list(pre.questions.all())[:2]
    services.survey_question_move(question=second, up=True, by=carol)
    assert list(pre.questions.all())[:2] == [second, first]


def test_results_hide_small_groups_and_compare(program_ab, city_a, city_b, carol):
    apps = participants(program_ab, city_a, 3) + participants(
        program_ab, city_b, 3, language="zh-hans"
    )
    pre, post = standard(program_ab, carol)
    pre_requests = list(SurveyRequest.objects.filter(survey=pre).order_by("pk"))
    post_requests = [SurveyRequest.objects.create(survey=post, application=a) for a in apps]
    answer_all(pre_requests, pre, number=2)
    answer_all(post_requests[:5], post, number=4, text="좋았어요")
    answer_all(post_requests[5:], post, number=5, text="很好", share=False)
    results = survey_results(survey=post)
    assert (results["requested"], results["submitted"]) == (6, 6)
    rows = {row["code"]: row for row in results["questions"]}
    social = rows["confidence-social"]
    assert social["distribution"] == [
        ("1 – Not at all", 0),
        ("2 – A little", 0),
        ("3 – Somewhat", 0),
        ("4 – Quite a lot", None),
        ("5 – Very much", None),
    ]
    assert social["mean"] == 4.17
    assert social["pre_mean"] == 2.0
    texts = rows["learning-reflection"]["texts"]
    assert [(t["text"], t["language"], t["quotable"]) for t in texts] == [
        ("좋았어요", "ko", True),
        ("좋았어요", "ko", True),
        ("좋았어요", "ko", True),
        ("좋았어요", "zh-hans", True),
        ("좋았어요", "zh-hans", True),
        ("很好", "zh-hans", False),
    ]
    developed = rows["competences-developed"]["distribution"]
    assert developed[0] == ("Understanding other cultures", 6)
    assert developed[1] == ("Using other languages", 0)
    # Quotes: only when the author agreed.
    quotable = SurveyAnswer.objects.get(pk=texts[0]["answer_id"])
    services.survey_answer_quote(answer=quotable, quoted=True, by=carol)
    refused = SurveyAnswer.objects.get(pk=texts[5]["answer_id"])
    with pytest.raises(ValidationError) as error:
        services.survey_answer_quote(answer=refused, quoted=True, by=carol)
    assert error.value.messages == ["The participant didn’t agree to be quoted."]
    quotes = chosen_quotes(program_ids=[program_ab.pk])
    assert [(q["text"], q["language"], q["question_code"], q["phase"]) for q in quotes] == [
        ("좋았어요", "ko", "learning-reflection", "post")
    ]
    # One log row for each of the program's two cities.
    assert AuditEntry.objects.filter(action="survey-quote").count() == 2
    assert chosen_quotes(program_ids=[factories.ProgramFactory(cities={city_a: 2}).pk]) == []


def test_phase_unique(program_ab):
    services.survey_get_or_create(program=program_ab, phase="pre")
    services.survey_get_or_create(program=program_ab, phase="pre")
    assert Survey.objects.count() == 1
