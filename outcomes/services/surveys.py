"""Surveys: building a program's pre- and post-survey, sending them, reminding once, and a
participant's answers. Every change of state is one function here; the audit is written here.

When requests are created:
- the pre-survey: when an application becomes confirmed (outcomes.receivers), and, for the
  participants confirmed before the survey had questions, when a coordinator saves the survey
  (each change to its questions creates the missing requests);
- the post-survey: on the program's last day, in each participant's city's local date
  (post_surveys_send_due, a beat job), for every confirmed or completed participant.

Sending is idempotent: a request is marked sent (or undelivered) in the transaction that
holds its row lock, so a retried task sends nothing twice.
"""

import unicodedata
from datetime import date, datetime, timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.mail import build_templated_email
from exchange.audit import audit
from exchange.models import Application, AuditEntry, Program
from outcomes import library
from outcomes.models import QuestionKind, Survey, SurveyAnswer, SurveyQuestion, SurveyRequest

LANGUAGES = library.LANGUAGES
PARTICIPANT_STATES = (Application.State.CONFIRMED, Application.State.COMPLETED)
SHORT_TEXT_MAX = 500
LONG_TEXT_MAX = 5000
WORDING_MAX = 1000
CHOICES_MAX = 20
# How far back the beat job looks for programs whose last day has come (a program that
# ended long before the surveys existed gets none).
POST_SURVEY_WINDOW = timedelta(days=14)
NO_ADDRESS = gettext_noop("The participant has no email address we can send to.")
SMTP_FAILED = gettext_noop("The email could not be sent: %(error)s")

Action = AuditEntry.Action


def _cities(program: Program) -> list[int]:
    return [pc.city_id for pc in program.program_cities.all()]


# --- Building ----------------------------------------------------------------------------


def survey_get_or_create(*, program: Program, phase: str) -> Survey:
    survey, _created = Survey.objects.get_or_create(program=program, phase=phase)
    return survey


def _has_answers(survey: Survey) -> bool:
    return SurveyAnswer.objects.filter(question__survey=survey).exists()


def _clean_text(value: str, *, limit: int) -> str:
    value = unicodedata.normalize("NFC", value or "").strip()
    if "\x00" in value:
        raise ValidationError(_("The text contains a character that isn’t allowed."), code="nul")
    if len(value) > limit:
        raise ValidationError(
            _("Keep it under %(limit)d characters.") % {"limit": limit}, code="too_long"
        )
    return value


def _clean_wording(texts: dict) -> dict:
    cleaned = {lang: _clean_text(str(texts.get(lang, "")), limit=WORDING_MAX) for lang in LANGUAGES}
    if not cleaned["en"]:
        raise ValidationError(_("Write the question in English."), code="no_english")
    return {lang: text for lang, text in cleaned.items() if text}


def missing_languages(texts: dict) -> list[str]:
    """The languages a wording falls back to English in."""
    return [lang for lang in LANGUAGES if not texts.get(lang)]


def _clean_choices(kind: str, choices: list[dict]) -> list[dict]:
    if kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return []
    cleaned = [_clean_wording(c) for c in choices if any(str(v).strip() for v in c.values())]
    if len(cleaned) < 2:
        raise ValidationError(_("A choice question needs at least two options."), code="choices")
    if len(cleaned) > CHOICES_MAX:
        raise ValidationError(_("A question can have at most 20 options."), code="choices")
    return cleaned


def _next_position(survey: Survey) -> int:
    top = survey.questions.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


def _changed(survey: Survey, by, detail: str) -> None:
    audit(
        action=Action.SURVEY_CHANGE,
        by=by,
        program_id=survey.program_id,
        city_ids=_cities(survey.program),
        detail=f"{survey.phase}: {detail}",
    )
    if survey.phase == Survey.Phase.PRE:
        survey_requests_create_for_confirmed(survey=survey)


@transaction.atomic
def survey_question_add_from_library(*, survey: Survey, code: str, by) -> SurveyQuestion:
    entry = library.QUESTIONS.get(code)
    if entry is None:
        raise ValidationError(_("There is no such question in the library."), code="unknown")
    if survey.questions.filter(library_code=code).exists():
        raise ValidationError(_("This survey already asks that question."), code="duplicate")
    question = SurveyQuestion.objects.create(
        survey=survey,
        position=_next_position(survey),
        kind=entry.kind,
        library_code=entry.code,
        measures=entry.measures,
        competence=entry.competence,
        text=dict(entry.text),
        choices=[dict(c) for c in entry.choices],
    )
    _changed(survey, by, f"added {code}")
    return question


@transaction.atomic
def survey_question_create(
    *, survey: Survey, kind: str, text: dict, choices: list[dict], by
) -> SurveyQuestion:
    if kind not in QuestionKind.values:
        raise ValidationError(_("Choose a kind of question."), code="kind")
    question = SurveyQuestion.objects.create(
        survey=survey,
        position=_next_position(survey),
        kind=kind,
        text=_clean_wording(text),
        choices=_clean_choices(kind, choices),
    )
    _changed(survey, by, f"added question #{question.pk}")
    return question


@transaction.atomic
def survey_question_update(
    *, question: SurveyQuestion, kind: str, text: dict, choices: list[dict], by
) -> SurveyQuestion:
    question = SurveyQuestion.objects.select_for_update().get(pk=question.pk)
    if kind not in QuestionKind.values:
        raise ValidationError(_("Choose a kind of question."), code="kind")
    if question.measures and kind != question.kind:
        raise ValidationError(
            _("This question counts in the figures: its kind can’t change."), code="measured"
        )
    text = _clean_wording(text)
    new_choices = _clean_choices(kind, choices)
    changes_meaning = kind != question.kind or len(new_choices) != len(question.choices)
    if changes_meaning and question.answers.exists():
        raise ValidationError(
            _(
                "Someone has already answered this question: you can correct its wording, "
                "but not change its kind or its options."
            ),
            code="answered",
        )
    question.kind = kind
    question.text = text
    question.choices = new_choices
    question.save(update_fields=["kind", "text", "choices"])
    _changed(question.survey, by, f"changed question #{question.pk}")
    return question


@transaction.atomic
def survey_question_remove(*, question: SurveyQuestion, by) -> None:
    if question.answers.exists():
        raise ValidationError(
            _("Someone has already answered this question: it can’t be removed."),
            code="answered",
        )
    survey = question.survey
    question.delete()
    _changed(survey, by, f"removed question #{question.pk}")


@transaction.atomic
def survey_question_move(*, question: SurveyQuestion, up: bool, by) -> None:
    survey = question.survey
    ordered = list(survey.questions.select_for_update().order_by("position", "id"))
    index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, q in enumerate(ordered):
        q.position = position
    SurveyQuestion.objects.bulk_update(ordered, ["position"])
    audit(
        action=Action.SURVEY_CHANGE,
        by=by,
        program_id=survey.program_id,
        city_ids=_cities(survey.program),
        detail=f"{survey.phase}: moved question #{question.pk}",
    )


@transaction.atomic
def survey_use_standard_set(*, program: Program, by) -> tuple[Survey, Survey]:
    """The pre-survey (the competences) and the post-survey (satisfaction, the competences
    again, the competences developed, a reflection). Questions already there are kept."""
    surveys = []
    for phase, codes in (
        (Survey.Phase.PRE, library.STANDARD_PRE),
        (Survey.Phase.POST, library.STANDARD_POST),
    ):
        survey = survey_get_or_create(program=program, phase=phase)
        have = set(survey.questions.values_list("library_code", flat=True))
        position = _next_position(survey)
        new = []
        for code in codes:
            if code in have:
                continue
            entry = library.QUESTIONS[code]
            new.append(
                SurveyQuestion(
                    survey=survey,
                    position=position,
                    kind=entry.kind,
                    library_code=code,
                    measures=entry.measures,
                    competence=entry.competence,
                    text=dict(entry.text),
                    choices=[dict(c) for c in entry.choices],
                )
            )
            position += 1
        SurveyQuestion.objects.bulk_create(new)
        _changed(survey, by, f"standard set, {len(new)} questions added")
        surveys.append(survey)
    return surveys[0], surveys[1]


# --- Requests and sending ----------------------------------------------------------------


def survey_requests_create(*, survey: Survey, applications) -> list[int]:
    """Requests for `applications` that have none yet; their emails go out after commit."""
    have = set(survey.requests.values_list("application_id", flat=True))
    new = [
        SurveyRequest(survey=survey, application=application)
        for application in applications
        if application.pk not in have
    ]
    created = SurveyRequest.objects.bulk_create(new, ignore_conflicts=True)
    ids = list(
        SurveyRequest.objects.filter(
            survey=survey, application_id__in=[r.application_id for r in created], sent_at=None
        ).values_list("pk", flat=True)
    )
    if ids:
        from outcomes.tasks import send_survey_requests

        transaction.on_commit(lambda: send_survey_requests.delay(ids))
    return ids


def survey_requests_create_for_confirmed(*, survey: Survey) -> list[int]:
    if not survey.questions.exists():
        return []
    applications = Application.objects.filter(
        program_id=survey.program_id, state__in=PARTICIPANT_STATES
    )
    return survey_requests_create(survey=survey, applications=applications)


def survey_on_application_confirmed(*, application: Application) -> list[int]:
    """The pre-survey for a participant whose place was just confirmed, if it has questions
    (otherwise their request is created when a coordinator saves the survey)."""
    survey = Survey.objects.filter(
        program_id=application.program_id, phase=Survey.Phase.PRE
    ).first()
    if survey is None or not survey.questions.exists():
        return []
    return survey_requests_create(survey=survey, applications=[application])


def _email(request: SurveyRequest, *, reminder: bool):
    student = request.application.student
    return build_templated_email(
        to=student.email,
        template="outcomes/email/survey_request",
        context={
            "request": request,
            "survey": request.survey,
            "program": request.survey.program,
            "student": student,
            "reminder": reminder,
        },
        language=student.preferred_language,
        time_zone=request.application.city.time_zone,
    )


def _deliver(request: SurveyRequest, *, reminder: bool) -> bool:
    """Send one email; on failure, the request is marked undelivered with the reason."""
    student = request.application.student
    if not student.email or student.erased_at is not None:
        request.status = SurveyRequest.Status.UNDELIVERED
        request.error = NO_ADDRESS
        return False
    try:
        _email(request, reminder=reminder).send()
    except (SMTPException, OSError) as error:
        request.status = SurveyRequest.Status.UNDELIVERED
        request.error = (SMTP_FAILED % {"error": error})[:300]
        return False
    request.status = SurveyRequest.Status.REQUESTED
    request.error = ""
    return True


def _locked(ids, **filters):
    return list(
        SurveyRequest.objects.filter(pk__in=ids, **filters)
        .select_related("survey__program", "application__student", "application__city")
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")
    )


def survey_requests_send(*, request_ids: list[int], by=None, now: datetime | None = None) -> int:
    """Send the first email of each request not sent yet. Returns how many were delivered."""
    now = now or timezone.now()
    delivered = 0
    with transaction.atomic():
        for request in _locked(request_ids, sent_at=None, submitted_at=None):
            ok = _deliver(request, reminder=False)
            request.sent_at = now
            request.save(update_fields=["status", "error", "sent_at"])
            delivered += ok
            _audit_send(request, Action.SURVEY_SEND, by, ok)
    return delivered


def _audit_send(request: SurveyRequest, action: str, by, ok: bool) -> None:
    audit(
        action=action,
        by=by,
        program_id=request.survey.program_id,
        city_ids=[request.application.city_id],
        application_id=request.application_id,
        detail=f"{request.survey.phase}: {'sent' if ok else 'undelivered'}",
    )


@transaction.atomic
def survey_request_resend(*, request: SurveyRequest, by, now: datetime | None = None) -> bool:
    """Send a request again (after an undelivered email, or as a nudge)."""
    now = now or timezone.now()
    locked = _locked([request.pk])
    if not locked:
        raise ValidationError(_("This request is being sent right now."), code="busy")
    request = locked[0]
    if request.status == SurveyRequest.Status.SUBMITTED:
        raise ValidationError(_("This participant has already answered."), code="submitted")
    ok = _deliver(request, reminder=False)
    request.sent_at = now
    request.save(update_fields=["status", "error", "sent_at"])
    _audit_send(request, Action.SURVEY_RESEND, by, ok)
    return ok


def survey_unanswered(*, survey: Survey):
    return survey.requests.exclude(status=SurveyRequest.Status.SUBMITTED)


@transaction.atomic
def survey_resend_unanswered(*, survey: Survey, by, now: datetime | None = None) -> int:
    now = now or timezone.now()
    ids = list(survey_unanswered(survey=survey).values_list("pk", flat=True))
    delivered = 0
    for request in _locked(ids):
        ok = _deliver(request, reminder=False)
        request.sent_at = now
        request.save(update_fields=["status", "error", "sent_at"])
        delivered += ok
        _audit_send(request, Action.SURVEY_RESEND, by, ok)
    return delivered


def _local_today(zone: str, now: datetime) -> date:
    import zoneinfo

    return now.astimezone(zoneinfo.ZoneInfo(zone)).date()


def post_surveys_send_due(*, now: datetime | None = None) -> list[int]:
    """The post-survey for each participant whose city's local date has reached the
    program's last day (programs that ended within POST_SURVEY_WINDOW). Returns the new
    requests' ids (their emails go out after commit)."""
    now = now or timezone.now()
    earliest = (now - POST_SURVEY_WINDOW).date()
    latest = (now + timedelta(days=1)).date()
    created = []
    surveys = Survey.objects.filter(
        phase=Survey.Phase.POST,
        program__ends_on__gte=earliest,
        program__ends_on__lte=latest,
        questions__isnull=False,
    ).distinct()
    for survey in surveys.select_related("program"):
        with transaction.atomic():
            applications = [
                application
                for application in Application.objects.filter(
                    program_id=survey.program_id, state__in=PARTICIPANT_STATES
                ).select_related("city")
                if _local_today(application.city.time_zone, now) >= survey.program.ends_on
            ]
            created += survey_requests_create(survey=survey, applications=applications)
    return created


def survey_reminders_send_due(*, now: datetime | None = None) -> int:
    """ONE reminder, SURVEY_REMINDER_DAYS after the email, to whoever hasn't answered."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SURVEY_REMINDER_DAYS)
    ids = SurveyRequest.objects.filter(
        status=SurveyRequest.Status.REQUESTED, sent_at__lte=cutoff, reminded_at=None
    ).values_list("pk", flat=True)
    delivered = 0
    with transaction.atomic():
        for request in _locked(list(ids), reminded_at=None, status=SurveyRequest.Status.REQUESTED):
            ok = _deliver(request, reminder=True)
            request.reminded_at = now
            request.save(update_fields=["status", "error", "reminded_at"])
            delivered += ok
    return delivered


# --- Answering ---------------------------------------------------------------------------


def _digits(value: str) -> str:
    # Full-width digits from a CJK keyboard are digits too.
    return unicodedata.normalize("NFKC", value).strip()


def _parse_index(raw: str, *, low: int, high: int) -> int:
    value = _digits(raw)
    if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
        raise ValidationError(_("Choose one of the options."), code="choice")
    return int(value)


def _parse(question: SurveyQuestion, raw: list[str]) -> dict | None:
    """One question's answer from its raw values, or None when skipped."""
    raw = [value for value in raw if value.strip()]
    if not raw:
        return None
    if question.kind == QuestionKind.LIKERT:
        if len(raw) > 1:
            raise ValidationError(_("Choose one of the options."), code="choice")
        return {"number": _parse_index(raw[0], low=1, high=5)}
    if question.kind == QuestionKind.SINGLE:
        if len(raw) > 1:
            raise ValidationError(_("Choose one of the options."), code="choice")
        return {"number": _parse_index(raw[0], low=0, high=len(question.choices) - 1)}
    if question.kind == QuestionKind.MULTIPLE:
        picked = sorted(
            {_parse_index(v, low=0, high=len(question.choices) - 1) for v in raw[: CHOICES_MAX + 1]}
        )
        if len(raw) > len(question.choices):
            raise ValidationError(_("Choose one of the options."), code="choice")
        return {"picked": picked}
    limit = SHORT_TEXT_MAX if question.kind == QuestionKind.SHORT else LONG_TEXT_MAX
    if len(raw) > 1:
        raise ValidationError(_("Write one answer."), code="text")
    text = _clean_text(raw[0], limit=limit)
    return {"text": text} if text else None


@transaction.atomic
def survey_submit(
    *, request: SurveyRequest, raw: dict[int, list[str]], share_quotes: bool, by
) -> SurveyRequest:
    """A participant's answers, all at once: every question may be skipped; any bad answer
    refuses the whole submission. Once submitted, the answers can't change."""
    request = SurveyRequest.objects.select_for_update().get(pk=request.pk)
    if by is None or request.application.student_id != by.pk:
        raise ValidationError(_("This isn’t your survey."), code="forbidden")
    if request.status == SurveyRequest.Status.SUBMITTED:
        raise ValidationError(_("You have already answered this survey."), code="submitted")
    errors = {}
    answers = []
    for question in request.survey.questions.all():
        try:
            parsed = _parse(question, raw.get(question.pk, []))
        except ValidationError as error:
            errors[f"q{question.pk}"] = error.messages
            continue
        if parsed is not None:
            answers.append(SurveyAnswer(request=request, question=question, **parsed))
    if errors:
        raise ValidationError(errors)
    SurveyAnswer.objects.bulk_create(answers)
    request.status = SurveyRequest.Status.SUBMITTED
    request.submitted_at = timezone.now()
    request.share_quotes = bool(share_quotes)
    request.error = ""
    request.save(update_fields=["status", "submitted_at", "share_quotes", "error"])
    return request


@transaction.atomic
def survey_answer_quote(*, answer: SurveyAnswer, quoted: bool, by) -> SurveyAnswer:
    """Choose (or unchoose) a written answer as a quote for the report: only when its
    author agreed."""
    answer = (
        SurveyAnswer.objects.select_for_update(of=("self",))
        .select_related("request__survey", "question")
        .get(pk=answer.pk)
    )
    if quoted and not answer.request.share_quotes:
        raise ValidationError(_("The participant didn’t agree to be quoted."), code="no_consent")
    if not answer.text:
        raise ValidationError(_("Only a written answer can be quoted."), code="not_text")
    answer.quoted = quoted
    answer.save(update_fields=["quoted"])
    audit(
        action=Action.SURVEY_QUOTE,
        by=by,
        program_id=answer.request.survey.program_id,
        city_ids=_cities(answer.request.survey.program),
        detail=f"answer #{answer.pk} {'chosen' if quoted else 'unchosen'}",
    )
    return answer


# --- Data rights (privacy calls these) ---------------------------------------------------


def person_surveys_erase(*, student) -> None:
    """A participant's survey requests and answers and their learning outcome. Figures
    already published in reports stay in those files."""
    from outcomes.models import LearningOutcome

    SurveyAnswer.objects.filter(request__application__student=student).delete()
    SurveyRequest.objects.filter(application__student=student).delete()
    LearningOutcome.objects.filter(application__student=student).delete()
