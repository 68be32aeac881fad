"""Learning outcomes: the participant says which competences they developed and, in their
words, what they learned, and whether it is printed on their certificate; a coordinator of
their city confirms it. The certificate's second page (outcomes.receivers) prints it only
when both are true. A certificate already rendered is never changed here: reissuing it is
the coordinator's choice (the program's learning page says when it would differ)."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from exchange.audit import audit
from exchange.models import PARTICIPATING, Application, AuditEntry, Certificate
from outcomes.competences import Competence
from outcomes.models import LearningOutcome, QuestionKind, Survey, SurveyAnswer, SurveyRequest

# The post-survey question whose answer pre-ticks the competences.
COMPETENCES_QUESTION_CODE = "competences-developed"
# The page opens this many days before the program ends.
OPENS_BEFORE_END = timedelta(days=7)
CONFIRMATION_MAX = 500


def learning_outcome_open(application: Application, *, today: date | None = None) -> bool:
    """Whether the participant may write their learning outcome: they take part (confirmed
    or completed) in a program that has ended or ends within a week."""
    today = today or timezone.localdate()
    return (
        application.state in PARTICIPATING
        and application.program.ends_on <= today + OPENS_BEFORE_END
    )


def learning_outcome_closed_error() -> ValidationError:
    return ValidationError(
        _(
            "You can write what you learned once you take part in the program, from a week "
            "before it ends."
        ),
        code="closed",
    )


def surveyed_competences(application: Application) -> list[str]:
    """The competences the participant picked in their post-survey's question
    `competences-developed`, in the competences' order; [] when they did not answer it."""
    picked = (
        SurveyAnswer.objects.filter(
            request__application=application,
            request__status=SurveyRequest.Status.SUBMITTED,
            request__survey__phase=Survey.Phase.POST,
            question__library_code=COMPETENCES_QUESTION_CODE,
            question__kind=QuestionKind.MULTIPLE,
        )
        .values_list("picked", flat=True)
        .first()
    )
    chosen = {str(value) for value in picked or []}
    return [code for code in Competence.values if code in chosen]


def _clean_competences(competences) -> list[str]:
    chosen = set(competences)
    unknown = chosen - set(Competence.values)
    if unknown:
        raise ValidationError(_("Choose among the competences listed."), code="unknown_competence")
    if not chosen:
        raise ValidationError(
            _("Choose at least one competence you developed."), code="no_competence"
        )
    return [code for code in Competence.values if code in chosen]


@transaction.atomic
def learning_outcome_save(
    *,
    application: Application,
    by: User,
    competences,
    reflection: str,
    print_on_certificate: bool,
) -> tuple[LearningOutcome, bool]:
    """Save the participant's learning outcome. Returns it and whether a coordinator's
    confirmation was cleared: changing what was confirmed needs confirming again."""
    application = (
        Application.objects.select_for_update().select_related("program").get(pk=application.pk)
    )
    if not learning_outcome_open(application):
        raise learning_outcome_closed_error()
    competences = _clean_competences(competences)
    reflection = reflection.strip()
    if len(reflection) > 1000:
        raise ValidationError(
            _("Write at most 1000 characters in your own words."), code="too_long"
        )
    outcome, _created = LearningOutcome.objects.select_for_update().get_or_create(
        application=application
    )
    changed = (
        outcome.competences != competences
        or outcome.reflection != reflection
        or outcome.print_on_certificate != print_on_certificate
    )
    cleared = changed and outcome.confirmed_at is not None
    outcome.competences = competences
    outcome.reflection = reflection
    outcome.print_on_certificate = print_on_certificate
    if cleared:
        outcome.confirmation = ""
        outcome.confirmed_by = None
        outcome.confirmed_at = None
    outcome.save()
    return outcome, cleared


@transaction.atomic
def learning_outcome_confirm(
    *, application: Application, by: User, confirmation: str
) -> LearningOutcome:
    """A coordinator of the participant's city confirms what they wrote, with a short text."""
    confirmation = confirmation.strip()
    if not confirmation:
        raise ValidationError(_("Write a short confirmation."), code="confirmation_required")
    if len(confirmation) > CONFIRMATION_MAX:
        raise ValidationError(
            _("Write at most %(max)d characters.") % {"max": CONFIRMATION_MAX}, code="too_long"
        )
    outcome = (
        LearningOutcome.objects.select_for_update().filter(application_id=application.pk).first()
    )
    if outcome is None or not outcome.competences:
        raise ValidationError(
            _("The participant has not written what they learned yet."), code="nothing_written"
        )
    outcome.confirmation = confirmation
    outcome.confirmed_by = by
    outcome.confirmed_at = timezone.now()
    outcome.save(update_fields=["confirmation", "confirmed_by", "confirmed_at", "updated_at"])
    audit(
        action=AuditEntry.Action.LEARNING_CONFIRM,
        by=by,
        program_id=application.program_id,
        city_ids=[application.city_id],
        application_id=application.pk,
    )
    return outcome


def is_printable(outcome: LearningOutcome | None) -> bool:
    return bool(
        outcome is not None
        and outcome.print_on_certificate
        and outcome.confirmed_at is not None
        and outcome.competences
    )


def certificate_needs_reissue(outcome: LearningOutcome | None, certificate) -> bool:
    """Whether the valid certificate was rendered before the learning outcome last changed
    (confirmed, or the participant's agreement given or withdrawn), so its pages differ from
    what a render now would print."""
    return bool(
        outcome is not None
        and certificate is not None
        and certificate.rendered_at is not None
        and certificate.rendered_at < outcome.updated_at
        and (is_printable(outcome) or outcome.confirmed_at is not None)
    )


def certificate_learning_page(*, certificate: Certificate, languages: list[str]) -> str:
    """The certificate's learning page in each of its languages, or "" when the participant
    did not agree to print it or no coordinator confirmed it."""
    outcome = LearningOutcome.objects.filter(application_id=certificate.application_id).first()
    if not is_printable(outcome):
        return ""
    blocks = []
    for code in languages:
        with translation.override(code):
            blocks.append(
                {
                    "code": code,
                    "competences": [str(Competence(value).label) for value in outcome.competences],
                }
            )
    return render_to_string(
        "outcomes/learning/pdf/certificate_page.html",
        {
            "blocks": blocks,
            "languages": languages,
            "reflection": outcome.reflection,
            "confirmation": outcome.confirmation,
            "serial": certificate.serial,
        },
    )
