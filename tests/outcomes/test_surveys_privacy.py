"""Data rights: a participant's surveys and learning outcome are in their download and go
with their erasure."""

import io
import json
import zipfile

from outcomes.models import LearningOutcome, SurveyAnswer, SurveyRequest
from outcomes.services import surveys as services
from privacy import services as privacy_services
from tests import factories
from tests.outcomes.survey_helpers import standard


def _alice_answered(program_ab, alice, carol):
    application = factories.ApplicationFactory(program=program_ab, student=alice, state="confirmed")
    pre, _post = standard(program_ab, carol)
    request = SurveyRequest.objects.get(application=application)
    social = pre.questions.get(library_code="confidence-social")
    services.survey_submit(request=request, raw={social.pk: ["3"]}, share_quotes=True, by=alice)
    LearningOutcome.objects.create(
        application=application, competences=["social"], reflection="I made friends."
    )
    return application


def test_download_has_surveys_and_learning_outcome(program_ab, alice, carol):
    application = _alice_answered(program_ab, alice, carol)
    body = privacy_services.person_data_export(student=alice, by=alice)
    data = json.loads(zipfile.ZipFile(io.BytesIO(body)).read("data.json"))
    (survey,) = data["surveys"]
    assert (survey["phase"], survey["status"], survey["share_quotes"]) == ("pre", "submitted", True)
    assert survey["answers"] == [
        {
            "question": "How confident are you at getting on with people you have just met?",
            "number": 3,
            "picked": [],
            "text": "",
            "quoted": False,
        }
    ]
    assert data["learning_outcomes"] == [
        {
            "application_id": application.pk,
            "competences": ["social"],
            "reflection": "I made friends.",
            "print_on_certificate": False,
            "confirmation": "",
            "confirmed_at": None,
        }
    ]


def test_erasure_deletes_surveys_and_learning_outcome(program_ab, alice, carol, bob):
    _alice_answered(program_ab, alice, carol)
    other = factories.ApplicationFactory(
        program=program_ab,
        student=factories.StudentFactory(home_city=alice.home_city),
        state="confirmed",
    )
    services.survey_requests_create_for_confirmed(survey=program_ab.surveys.get(phase="pre"))
    privacy_services.person_erase(student=alice, by=carol)
    assert SurveyAnswer.objects.count() == 0
    assert list(SurveyRequest.objects.values_list("application_id", flat=True)) == [other.pk]
    assert LearningOutcome.objects.count() == 0
