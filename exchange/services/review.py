"""State changes for reviewing: the rubric, reviewers' scores and internal comments."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from exchange.models import (
    Application,
    Program,
    RequiredDocument,
    Review,
    ReviewComment,
    ReviewScore,
    RubricCriterion,
)
from exchange.models.review import MAX_SCORE, MIN_SCORE
from exchange.services.applications import State, set_application_state

# Reviews make sense while the city is still deciding.
REVIEWABLE = {State.SUBMITTED, State.UNDER_REVIEW, State.WAITLISTED}


@dataclass(frozen=True)
class CriterionData:
    name: str
    description: str
    weight: int


@transaction.atomic
def rubric_set(*, program: Program, criteria: list[CriterionData], by: User) -> None:
    """Replace the program's rubric. Refused once anyone has submitted scores against it."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    if Review.objects.filter(application__program=program, submitted_at__isnull=False).exists():
        raise ValidationError(
            _("Reviewers have already scored with this rubric, so it can no longer change."),
            code="rubric_in_use",
        )
    names = [c.name.strip() for c in criteria]
    if not criteria:
        raise ValidationError(_("A rubric needs at least one criterion."), code="empty")
    if any(not name for name in names):
        raise ValidationError(_("Every criterion needs a name."), code="unnamed")
    if len(set(names)) != len(names):
        raise ValidationError(_("Two criteria have the same name."), code="duplicate")
    if any(not 1 <= c.weight <= 10 for c in criteria):
        raise ValidationError(_("Weights go from 1 to 10."), code="weight")
    RubricCriterion.objects.filter(program=program).delete()
    RubricCriterion.objects.bulk_create(
        RubricCriterion(
            program=program,
            name=name,
            description=c.description.strip(),
            weight=c.weight,
            position=position,
        )
        for position, (name, c) in enumerate(zip(names, criteria, strict=True))
    )


def _weighted_total(scores: dict[int, int], criteria: list[RubricCriterion]) -> Decimal:
    weight = sum(c.weight for c in criteria)
    total = Decimal(sum(scores[c.pk] * c.weight for c in criteria)) / Decimal(weight)
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def review_save(
    *, application: Application, reviewer: User, scores: dict[int, int], submit: bool
) -> Review:
    """Save a reviewer's scores; submitting fixes them and opens the others' reviews to them.

    The first review moves a submitted application to "under review".
    """
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.state not in REVIEWABLE:
        raise ValidationError(
            _("This application is no longer being reviewed."), code="not_reviewable"
        )
    criteria = list(RubricCriterion.objects.filter(program_id=application.program_id))
    if not criteria:
        raise ValidationError(
            _("This program has no rubric yet. Set one up before scoring."), code="no_rubric"
        )
    review, _created = Review.objects.select_for_update().get_or_create(
        application=application, reviewer=reviewer
    )
    if review.submitted_at is not None:
        raise ValidationError(
            _("You have already submitted your review of this application."), code="submitted"
        )
    known = {c.pk for c in criteria}
    if set(scores) - known:
        raise ValidationError(_("A score is for a criterion of another program."))
    if any(not MIN_SCORE <= value <= MAX_SCORE for value in scores.values()):
        raise ValidationError(
            _("Scores go from %(min)d to %(max)d.") % {"min": MIN_SCORE, "max": MAX_SCORE}
        )
    if submit and set(scores) != known:
        raise ValidationError(
            _("Score every criterion before submitting your review."), code="incomplete"
        )
    ReviewScore.objects.filter(review=review).delete()
    ReviewScore.objects.bulk_create(
        ReviewScore(review=review, criterion_id=criterion_id, score=value)
        for criterion_id, value in scores.items()
    )
    if submit:
        review.total = _weighted_total(scores, criteria)
        review.submitted_at = timezone.now()
        review.save(update_fields=["total", "submitted_at"])
    if application.state == State.SUBMITTED:
        set_application_state(application, State.UNDER_REVIEW, by=reviewer)
    return review


@transaction.atomic
def comment_add(*, application: Application, author: User, body: str) -> ReviewComment:
    body = body.strip()
    if not body:
        raise ValidationError(_("Write a comment first."), code="empty")
    if len(body) > 2000:
        raise ValidationError(_("Keep comments under 2,000 characters."), code="too_long")
    return ReviewComment.objects.create(application=application, author=author, body=body)


@transaction.atomic
def review_setup_save(
    *,
    program: Program,
    document_kinds: list[str],
    blind_review: bool,
    criteria: list[CriterionData] | None,
    by: User,
) -> Program:
    """Which documents applicants upload, whether reviewers see names, and the rubric
    (`criteria=None` leaves it as it is). All of it or nothing."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    if criteria is not None:
        rubric_set(program=program, criteria=criteria, by=by)
    current = set(program.required_documents.values_list("kind", flat=True))
    removed = current - set(document_kinds)
    in_use = sorted(
        str(RequiredDocument.Kind(kind).label)
        for kind in RequiredDocument.objects.filter(
            program=program, kind__in=removed, uploads__isnull=False
        ).values_list("kind", flat=True)
    )
    if in_use:
        raise ValidationError(
            _("Applicants have already uploaded these, so they stay required: %(documents)s.")
            % {"documents": ", ".join(dict.fromkeys(in_use))},
            code="in_use",
        )
    RequiredDocument.objects.filter(program=program, kind__in=removed).delete()
    RequiredDocument.objects.bulk_create(
        RequiredDocument(program=program, kind=kind)
        for kind in document_kinds
        if kind not in current
    )
    program.blind_review = blind_review
    program.save(update_fields=["blind_review", "updated_at"])
    return program
