"""A program's surveys: one before it (sent when a place is confirmed) and one after it (sent
on the program's last day), built from the question library (outcomes.library) and answered
by each participant in their language. Every answer may be skipped.

Question wording is stored per language ({"en": …, "ko": …, "zh-hans": …, "vi": …, "ja": …}),
copied from the library and then editable by the program's coordinators.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exchange.models import Application, Program
from outcomes.competences import Competence


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Scale from 1 to 5")
    SINGLE = "single", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    SHORT = "short", _("Short text")
    LONG = "long", _("Long text")


class Survey(models.Model):
    class Phase(models.TextChoices):
        PRE = "pre", _("Before the program")
        POST = "post", _("After the program")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="surveys")
    phase = models.CharField(_("when"), max_length=8, choices=Phase.choices)
    # A word to the participant above the questions, per language.
    intro = models.JSONField(_("introduction"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program", "phase"]
        constraints = [
            models.UniqueConstraint(fields=["program", "phase"], name="survey_once_per_phase")
        ]

    def __str__(self) -> str:
        return f"{self.program} – {self.get_phase_display()}"


class SurveyQuestion(models.Model):
    class Measure(models.TextChoices):
        NOTHING = "", _("Nothing (for reading only)")
        SATISFACTION = "satisfaction", _("Satisfaction")
        COMPETENCE = "competence", _("A competence (self-assessed)")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=8, choices=QuestionKind.choices)
    # The library question it was copied from (outcomes.library), if any.
    library_code = models.CharField(max_length=64, blank=True)
    # What the figures read it as: a Likert question measuring satisfaction, or a competence
    # asked before and after (the self-assessed change is the post mean minus the pre mean).
    measures = models.CharField(
        _("counts as"), max_length=16, choices=Measure.choices, default="", blank=True
    )
    competence = models.CharField(
        _("competence"), max_length=16, choices=Competence.choices, blank=True
    )
    text = models.JSONField(_("question"), default=dict)
    # For one/several choices: a list of options, each {language: wording}.
    choices = models.JSONField(_("options"), default=list, blank=True)

    class Meta:
        ordering = ["survey", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(measures="competence") | ~Q(competence=""),
                name="survey_question_competence_named",
            ),
            models.CheckConstraint(
                condition=Q(measures="") | Q(kind="likert"),
                name="survey_question_measure_is_likert",
            ),
        ]

    def __str__(self) -> str:
        return self.text.get("en", "") or next(iter(self.text.values()), "")


class SurveyRequest(models.Model):
    """One participant's copy of a survey: sent, reminded once, answered."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SUBMITTED = "submitted", _("Submitted")
        UNDELIVERED = "undelivered", _("Undelivered")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="requests")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="survey_requests"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Why the last email could not be delivered (a msgid, shown translated).
    error = models.CharField(max_length=300, blank=True)
    # The participant agrees that their open answers may be quoted, without their name, in
    # the partnership's report.
    share_quotes = models.BooleanField(_("my written answers may be quoted"), default=False)

    class Meta:
        ordering = ["survey", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "application"], name="survey_request_once")
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.application_id} ({self.status})"


class SurveyAnswer(models.Model):
    request = models.ForeignKey(SurveyRequest, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    # Likert: 1–5. One choice: the option's index.
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    # Several choices: the options' indexes.
    picked = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True, max_length=5000)
    # A coordinator chose this written answer for the report (only when the author agreed).
    quoted = models.BooleanField(default=False)

    class Meta:
        ordering = ["request", "question__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "question"], name="survey_answer_once"),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=0, number__lte=50),
                name="survey_answer_number_range",
            ),
        ]


class LearningOutcome(models.Model):
    """What a participant says they learned (the competences they chose, in their words),
    confirmed by a coordinator of their city, and printed as the certificate's second page
    when the participant agrees."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="learning_outcome"
    )
    competences = models.JSONField(_("competences"), default=list)
    reflection = models.TextField(_("in your own words"), max_length=1000, blank=True)
    print_on_certificate = models.BooleanField(_("print it on my certificate"), default=False)
    confirmation = models.TextField(_("coordinator's confirmation"), max_length=500, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"learning outcome of {self.application_id}"
