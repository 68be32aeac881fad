"""The outcomes' data, one module per part: surveys and learning outcomes, partnership
action plans with indicators, and annual reports."""

from outcomes.models.plans import (
    BudgetLine,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    PlanActivity,
    WorkingGroup,
    WorkingGroupMember,
)
from outcomes.models.reports import AnnualReport
from outcomes.models.surveys import (
    LearningOutcome,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyRequest,
)

__all__ = [
    "AnnualReport",
    "BudgetLine",
    "Indicator",
    "IndicatorTarget",
    "IndicatorValue",
    "LearningOutcome",
    "PlanActivity",
    "QuestionKind",
    "Survey",
    "SurveyAnswer",
    "SurveyQuestion",
    "SurveyRequest",
    "WorkingGroup",
    "WorkingGroupMember",
]
