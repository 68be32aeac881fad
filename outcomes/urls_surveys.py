"""Pages: surveys."""

from django.urls import path

from core.converters import register_choices
from outcomes.models import Survey
from outcomes.views import surveys

# "standard" is its own page above; a phase is one of the survey's two.
register_choices("survey_phase", Survey.Phase.values)

urlpatterns = [
    path(
        "programs/<int:pk>/surveys/standard/",
        surveys.survey_standard_set,
        name="survey_standard_set",
    ),
    path(
        "programs/<int:pk>/surveys/<survey_phase:phase>/", surveys.survey_edit, name="survey_edit"
    ),
    path("surveys/<int:pk>/library/", surveys.survey_library_add, name="survey_library_add"),
    path(
        "surveys/<int:pk>/questions/new/", surveys.survey_question_add, name="survey_question_add"
    ),
    path("surveys/<int:pk>/preview/", surveys.survey_preview, name="survey_preview"),
    path("surveys/<int:pk>/status/", surveys.survey_status, name="survey_status"),
    path("surveys/<int:pk>/resend/", surveys.survey_resend_all, name="survey_resend_all"),
    path("surveys/<int:pk>/results/", surveys.survey_results, name="survey_results"),
    path("survey-questions/<int:pk>/", surveys.survey_question_edit, name="survey_question_edit"),
    path(
        "survey-questions/<int:pk>/remove/",
        surveys.survey_question_remove,
        name="survey_question_remove",
    ),
    path(
        "survey-questions/<int:pk>/move/", surveys.survey_question_move, name="survey_question_move"
    ),
    path(
        "survey-requests/<int:pk>/resend/",
        surveys.survey_request_resend,
        name="survey_request_resend",
    ),
    path("survey-answers/<int:pk>/quote/", surveys.survey_answer_quote, name="survey_answer_quote"),
    path("me/surveys/", surveys.my_surveys, name="my_surveys"),
    path("me/surveys/<int:pk>/", surveys.survey_answer, name="survey_answer"),
]
