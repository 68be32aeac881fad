"""Shared builders for the survey tests."""

from datetime import timedelta

from django.utils import timezone

from exchange.models import Application
from outcomes.models import Survey, SurveyRequest
from outcomes.services import surveys as services
from tests import factories


def participants(program, city, n, *, state="confirmed", language="ko"):
    out = []
    for _i in range(n):
        student = factories.StudentFactory(
            home_city=city, age=16, consent="given", preferred_language=language
        )
        out.append(factories.ApplicationFactory(program=program, student=student, state=state))
    return out


def standard(program, by):
    return services.survey_use_standard_set(program=program, by=by)


def ended_program(city_a, city_b, *, days_ago=3):
    today = timezone.localdate()
    return factories.ProgramFactory(
        cities={city_a: 8, city_b: 8},
        starts_on=today - timedelta(days=days_ago + 6),
        ends_on=today - timedelta(days=days_ago),
        applications_open=timezone.now() - timedelta(days=90),
        applications_close=timezone.now() - timedelta(days=60),
        status="closed",
    )


def answer_all(requests, survey: Survey, *, number=3, text="", share=True):
    for request in requests:
        raw = {}
        for q in survey.questions.all():
            if q.kind == "likert":
                raw[q.pk] = [str(number)]
            elif q.kind == "multiple":
                raw[q.pk] = ["0", "3"]
            elif text:
                raw[q.pk] = [text]
        services.survey_submit(
            request=request, raw=raw, share_quotes=share, by=request.application.student
        )


def requests_of(survey):
    return list(SurveyRequest.objects.filter(survey=survey).select_related("application__student"))


__all__ = ["Application", "answer_all", "ended_program", "participants", "requests_of", "standard"]
