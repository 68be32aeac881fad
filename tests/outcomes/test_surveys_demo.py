"""The demo's surveys (demo.outcomes_surveys): seeded through the services, and idempotent."""

import pytest
from django.core.management import call_command

from demo import demo_data
from demo.outcomes_surveys import seed_surveys
from exchange.models import Application, Program
from outcomes.models import SurveyAnswer, SurveyQuestion, SurveyRequest
from outcomes.selectors.surveys import chosen_quotes, survey_results


@pytest.fixture
def seeded(db, settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    seed_surveys()
    seed_surveys()  # twice: nothing added, sent or answered again


def _participants(program):
    return Application.objects.filter(program=program, state__in=["confirmed", "completed"]).count()


def test_past_program_surveys(seeded):
    past = Program.objects.get(title=demo_data.PAST_PROGRAM["title"])
    n = _participants(past)
    assert n == sum(len(people) for people in demo_data.PAST_PARTICIPANTS.values())
    assert SurveyQuestion.objects.filter(survey__program=past, survey__phase="pre").count() == 8
    assert SurveyQuestion.objects.filter(survey__program=past, survey__phase="post").count() == 16
    for phase in ("pre", "post"):
        requests = SurveyRequest.objects.filter(survey__program=past, survey__phase=phase)
        assert requests.count() == n
        assert requests.filter(status="submitted").count() == n
    assert len(chosen_quotes(program_ids=[past.pk])) == 3
    assert all(
        q["language"] in {"ko", "zh-hans", "vi", "en"} for q in chosen_quotes(program_ids=[past.pk])
    )
    post = past.surveys.get(phase="post")
    rows = [r for r in survey_results(survey=post)["questions"] if r["measures"] == "competence"]
    higher = [
        r
        for r in rows
        if r["mean"] is not None and r["pre_mean"] is not None and r["mean"] > r["pre_mean"]
    ]
    assert len(higher) >= 5
    # Some answers were skipped.
    assert SurveyAnswer.objects.filter(request__survey=post).count() < n * 16


def test_ceramics_pre_survey_sent_some_answered(seeded):
    ceramics = Program.objects.get(title=demo_data.CHAT_PROGRAM)
    n = _participants(ceramics)
    requests = SurveyRequest.objects.filter(survey__program=ceramics, survey__phase="pre")
    assert requests.count() == n
    assert requests.filter(status="submitted").count() == (n + 1) // 2
    assert SurveyRequest.objects.filter(survey__program=ceramics, survey__phase="post").count() == 0
