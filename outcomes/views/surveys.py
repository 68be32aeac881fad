"""Survey pages: thin doors into outcomes.services.surveys and outcomes.selectors.surveys."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from core.forms import add_validation_error, errors_to_messages
from exchange.models import Program
from outcomes import library
from outcomes.forms_surveys import LANGUAGE_NAMES, QuestionForm
from outcomes.models import Survey, SurveyAnswer, SurveyQuestion, SurveyRequest
from outcomes.selectors import surveys as selectors
from outcomes.services import surveys as services


def _program(request, pk: int, phase: str = "") -> Program:
    return get_object_or_404(Program.objects.prefetch_related("program_cities"), pk=pk)


def _phase(phase: str) -> str:
    if phase not in Survey.Phase.values:
        raise Http404
    return phase


def _survey(pk: int) -> Survey:
    return get_object_or_404(
        Survey.objects.select_related("program").prefetch_related("program__program_cities"), pk=pk
    )


def _survey_program(request, pk: int, **kwargs) -> Program:
    return _survey(pk).program


def _question(pk: int) -> SurveyQuestion:
    return get_object_or_404(
        SurveyQuestion.objects.select_related("survey__program").prefetch_related(
            "survey__program__program_cities"
        ),
        pk=pk,
    )


def _question_program(request, pk: int) -> Program:
    return _question(pk).survey.program


def _edit_url(survey: Survey) -> str:
    return reverse("outcomes:survey_edit", args=[survey.program_id, survey.phase])


def _localised(question: SurveyQuestion, language: str) -> dict:
    return {
        "question": question,
        "field": f"q{question.pk}",
        "text": library.wording(question.text, language),
        "options": [
            (index, library.wording(option, language))
            for index, option in enumerate(question.choices)
        ],
        "scale": list(
            enumerate(library.LIKERT_LABELS.get(language, library.LIKERT_LABELS["en"]), 1)
        ),
        "missing": services.missing_languages(question.text),
    }


# --- Coordinators: building ----------------------------------------------------------------


@login_required
@permission_required("outcomes.change_survey", fn=_program, raise_exception=True)
def survey_edit(request, pk: int, phase: str):
    program = _program(request, pk)
    survey = services.survey_get_or_create(program=program, phase=_phase(phase))
    questions = [_localised(q, "en") for q in survey.questions.all()]
    have = {row["question"].library_code for row in questions}
    entries = library.STANDARD_PRE if phase == Survey.Phase.PRE else list(library.QUESTIONS)
    available = [library.QUESTIONS[code] for code in entries if code not in have]
    return render(
        request,
        "outcomes/surveys/survey_edit.html",
        {
            "program": program,
            "survey": survey,
            "questions": questions,
            "available": available,
            "languages": LANGUAGE_NAMES,
            "answered": SurveyAnswer.objects.filter(question__survey=survey).exists(),
        },
    )


@login_required
@require_POST
@permission_required("outcomes.change_survey", fn=_program, raise_exception=True)
def survey_standard_set(request, pk: int):
    program = _program(request, pk)
    services.survey_use_standard_set(program=program, by=request.user)
    messages.success(request, _("The standard pre- and post-surveys are ready."))
    return redirect("outcomes:survey_edit", program.pk, Survey.Phase.PRE)


@login_required
@require_POST
@permission_required("outcomes.change_survey", fn=_survey_program, raise_exception=True)
def survey_library_add(request, pk: int):
    survey = _survey(pk)
    try:
        services.survey_question_add_from_library(
            survey=survey, code=request.POST.get("code", ""), by=request.user
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    return redirect(_edit_url(survey))


@login_required
@permission_required("outcomes.change_survey", fn=_survey_program, raise_exception=True)
def survey_question_add(request, pk: int):
    survey = _survey(pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_question_create(survey=survey, **form.to_data(), by=request.user)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            return redirect(_edit_url(survey))
    return render(
        request,
        "outcomes/surveys/question_form.html",
        {"survey": survey, "program": survey.program, "form": form, "question": None},
    )


@login_required
@permission_required("outcomes.change_survey", fn=_question_program, raise_exception=True)
def survey_question_edit(request, pk: int):
    question = _question(pk)
    form = QuestionForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_question_update(question=question, **form.to_data(), by=request.user)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            return redirect(_edit_url(question.survey))
    return render(
        request,
        "outcomes/surveys/question_form.html",
        {
            "survey": question.survey,
            "program": question.survey.program,
            "form": form,
            "question": question,
            "missing": [LANGUAGE_NAMES[lang] for lang in services.missing_languages(question.text)],
        },
    )


@login_required
@require_POST
@permission_required("outcomes.change_survey", fn=_question_program, raise_exception=True)
def survey_question_remove(request, pk: int):
    question = _question(pk)
    try:
        services.survey_question_remove(question=question, by=request.user)
    except ValidationError as error:
        errors_to_messages(request, error)
    return redirect(_edit_url(question.survey))


@login_required
@require_POST
@permission_required("outcomes.change_survey", fn=_question_program, raise_exception=True)
def survey_question_move(request, pk: int):
    question = _question(pk)
    services.survey_question_move(
        question=question, up=request.POST.get("direction") == "up", by=request.user
    )
    return redirect(_edit_url(question.survey))


@login_required
@permission_required("outcomes.change_survey", fn=_survey_program, raise_exception=True)
def survey_preview(request, pk: int):
    survey = _survey(pk)
    language = request.GET.get("language", "en")
    if language not in LANGUAGE_NAMES:
        language = "en"
    return render(
        request,
        "outcomes/surveys/preview.html",
        {
            "survey": survey,
            "program": survey.program,
            "questions": [_localised(q, language) for q in survey.questions.all()],
            "language": language,
            "languages": LANGUAGE_NAMES,
        },
    )


# --- Coordinators: sending and results -------------------------------------------------------


@login_required
@permission_required("outcomes.view_survey_results", fn=_survey_program, raise_exception=True)
def survey_status(request, pk: int):
    survey = _survey(pk)
    return render(
        request,
        "outcomes/surveys/status.html",
        {
            "survey": survey,
            "program": survey.program,
            **selectors.survey_requests_for(survey=survey, user=request.user),
            "unanswered": services.survey_unanswered(survey=survey).count(),
        },
    )


def _request_program(request, pk: int) -> Program:
    return get_object_or_404(
        SurveyRequest.objects.select_related("survey__program"), pk=pk
    ).survey.program


@login_required
@require_POST
@permission_required("outcomes.change_survey", fn=_request_program, raise_exception=True)
def survey_request_resend(request, pk: int):
    survey_request = get_object_or_404(SurveyRequest.objects.select_related("survey"), pk=pk)
    try:
        ok = services.survey_request_resend(request=survey_request, by=request.user)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        if ok:
            messages.success(request, _("The survey was sent again."))
        else:
            messages.error(request, _("The email could not be delivered."))
    return redirect("outcomes:survey_status", survey_request.survey_id)


@login_required
@permission_required("outcomes.change_survey", fn=_survey_program, raise_exception=True)
def survey_resend_all(request, pk: int):
    survey = _survey(pk)
    count = services.survey_unanswered(survey=survey).count()
    if request.method == "POST":
        if request.POST.get("confirm") != str(count):
            messages.error(request, _("The number changed: read it again before you confirm."))
            return redirect("outcomes:survey_resend_all", survey.pk)
        delivered = services.survey_resend_unanswered(survey=survey, by=request.user)
        messages.success(
            request,
            _("Sent again: %(delivered)d of %(count)d.") % {"delivered": delivered, "count": count},
        )
        return redirect("outcomes:survey_status", survey.pk)
    return render(
        request,
        "outcomes/surveys/resend_confirm.html",
        {"survey": survey, "program": survey.program, "count": count},
    )


@login_required
@permission_required("outcomes.view_survey_results", fn=_survey_program, raise_exception=True)
def survey_results(request, pk: int):
    survey = _survey(pk)
    return render(
        request,
        "outcomes/surveys/results.html",
        {
            "survey": survey,
            "program": survey.program,
            "results": selectors.survey_results(survey=survey),
            "languages": LANGUAGE_NAMES,
        },
    )


def _answer_program(request, pk: int) -> Program:
    return get_object_or_404(
        SurveyAnswer.objects.select_related("request__survey__program"), pk=pk
    ).request.survey.program


@login_required
@require_POST
@permission_required("outcomes.change_survey", fn=_answer_program, raise_exception=True)
def survey_answer_quote(request, pk: int):
    answer = get_object_or_404(SurveyAnswer.objects.select_related("request"), pk=pk)
    try:
        services.survey_answer_quote(
            answer=answer, quoted=request.POST.get("quoted") == "1", by=request.user
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    return redirect("outcomes:survey_results", answer.request.survey_id)


# --- Participants ----------------------------------------------------------------------------


@login_required
def my_surveys(request):
    return render(
        request,
        "outcomes/surveys/my_surveys.html",
        {"requests": list(selectors.my_survey_requests(user=request.user))},
    )


def _own_request(request, pk: int) -> SurveyRequest:
    return get_object_or_404(
        SurveyRequest.objects.select_related("survey__program", "application"), pk=pk
    )


@login_required
@permission_required("outcomes.answer_survey", fn=_own_request, raise_exception=True)
def survey_answer(request, pk: int):
    survey_request = _own_request(request, pk)
    language = get_language()
    questions = [_localised(q, language) for q in survey_request.survey.questions.all()]
    errors = {}
    values = {}
    if request.method == "POST" and survey_request.status != SurveyRequest.Status.SUBMITTED:
        raw = {row["question"].pk: request.POST.getlist(row["field"]) for row in questions}
        try:
            services.survey_submit(
                request=survey_request,
                raw=raw,
                share_quotes=request.POST.get("share_quotes") == "on",
                by=request.user,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                errors = {field: e[0].message for field, e in error.error_dict.items()}
            else:
                errors = {"": error.messages[0]}
            values = {row["field"]: raw[row["question"].pk] for row in questions}
        else:
            messages.success(request, _("Thank you: your answers are saved."))
            return redirect("outcomes:survey_answer", survey_request.pk)
    answers = {}
    if survey_request.status == SurveyRequest.Status.SUBMITTED:
        for answer in survey_request.answers.all():
            answers[answer.question_id] = answer
    for row in questions:
        row["error"] = errors.get(row["field"], "")
        row["values"] = values.get(row["field"], [])
        answer = answers.get(row["question"].pk)
        row["answer"] = answer
        if answer is not None:
            if row["question"].kind == "likert" and answer.number:
                row["shown"] = f"{answer.number} – {row['scale'][answer.number - 1][1]}"
            elif row["question"].kind == "single" and answer.number is not None:
                row["shown"] = row["options"][answer.number][1]
            elif row["question"].kind == "multiple":
                row["shown"] = ", ".join(row["options"][i][1] for i in answer.picked)
            else:
                row["shown"] = answer.text
    learning_path = ""
    if (
        survey_request.survey.phase == Survey.Phase.POST
        and survey_request.status == SurveyRequest.Status.SUBMITTED
    ):
        learning_path = reverse("outcomes:learning_outcome", args=[survey_request.application_id])
    return render(
        request,
        "outcomes/surveys/answer.html",
        {
            "survey_request": survey_request,
            "survey": survey_request.survey,
            "program": survey_request.survey.program,
            "questions": questions,
            "form_error": errors.get(""),
            "has_errors": bool(errors),
            "share_quotes": request.POST.get("share_quotes") == "on" if errors else False,
            "learning_path": learning_path,
        },
    )
