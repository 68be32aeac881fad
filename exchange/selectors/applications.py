"""Reads for applications: the review queue, a student's dashboard, the partner city's view."""

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from accounts.models import User
from accounts.rules import coordinator_city_ids
from exchange import redaction
from exchange.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationLanguage,
    AuditEntry,
    Certificate,
    Program,
    Review,
)
from exchange.rules import has_blind_applications, is_blind_for

State = Application.State


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class QueueFilters:
    state: str = ""
    city_id: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    language: str = ""
    min_score: float | None = None
    staged: str = ""
    sort: str = "submitted"


SORTS = {
    "submitted": ["submitted_at", "id"],
    "-score": ["-score_sort", "submitted_at", "id"],
    "score": ["score_sort", "submitted_at", "id"],
    "age": ["-student__date_of_birth", "id"],
    "-age": ["student__date_of_birth", "id"],
    "name": ["student__latin_name", "id"],
}


def review_queue(*, program: Program, user: User, filters: QueueFilters) -> QuerySet[Application]:
    """The coordinator's cities' applicants to one program, drafts excluded.

    Scores, counts and the reviewer's own progress are subqueries, so the number of queries
    stays the same however many applications there are.
    """
    cities = coordinator_city_ids(user)
    submitted_reviews = Review.objects.filter(
        application=OuterRef("pk"), submitted_at__isnull=False
    )
    applications = (
        Application.objects.filter(program=program, city_id__in=cities)
        .exclude(state=State.DRAFT)
        .select_related("student", "city", "program")
        .prefetch_related(
            Prefetch(
                "languages",
                queryset=ApplicationLanguage.objects.select_related("language"),
            )
        )
        .annotate(
            score=Subquery(
                submitted_reviews.values("application").annotate(mean=Avg("total")).values("mean"),
                output_field=DecimalField(max_digits=4, decimal_places=2),
            ),
            # Unscored applications sort after scored ones either way.
            score_sort=Coalesce("score", -1, output_field=DecimalField()),
            review_count=Coalesce(
                Subquery(
                    submitted_reviews.values("application").annotate(n=Count("pk")).values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            reviewed_by_me=Exists(submitted_reviews.filter(reviewer=user)),
            document_count=Coalesce(
                Subquery(
                    ApplicationDocument.objects.filter(application=OuterRef("pk"))
                    .values("application")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
        )
    )
    if filters.state:
        applications = applications.filter(state=filters.state)
    if filters.city_id:
        applications = applications.filter(city_id=filters.city_id)
    if filters.staged:
        applications = applications.filter(staged_decision=filters.staged)
    # Age counts on the program's first day, as eligibility does.
    if filters.min_age is not None:
        latest = _years_before(program.starts_on, filters.min_age)
        applications = applications.filter(student__date_of_birth__lte=latest)
    if filters.max_age is not None:
        earliest = _years_before(program.starts_on, filters.max_age + 1)
        applications = applications.filter(student__date_of_birth__gt=earliest)
    if filters.language:
        applications = applications.filter(
            Exists(
                ApplicationLanguage.objects.filter(
                    application=OuterRef("pk"), language_id=filters.language
                )
            )
        )
    if filters.min_score is not None:
        applications = applications.filter(score__gte=filters.min_score)
    sort = filters.sort if filters.sort in SORTS else "submitted"
    if sort == "name" and has_blind_applications(user, program):
        sort = "submitted"
    return applications.order_by(*SORTS[sort])


def staged_counts(*, program: Program, city_ids: frozenset[int]) -> dict[int, dict[str, int]]:
    """Prepared decisions per city, for the release button."""
    counts: dict[int, dict[str, int]] = {}
    rows = (
        Application.objects.filter(program=program, city_id__in=city_ids)
        .exclude(staged_decision="")
        .values_list("city_id", "staged_decision")
        .annotate(n=Count("pk"))
    )
    for city_id, decision, n in rows:
        counts.setdefault(city_id, {})[decision] = n
    return counts


def application_for_review(*, pk: int) -> Application | None:
    return (
        Application.objects.select_related("student", "city", "program")
        .prefetch_related(
            Prefetch("languages", queryset=ApplicationLanguage.objects.select_related("language")),
            "interests",
            "practise_languages",
            Prefetch(
                "documents", queryset=ApplicationDocument.objects.select_related("requirement")
            ),
            Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")),
            "comments__author",
            "program__required_documents",
            "program__criteria",
        )
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class ReviewPanel:
    mine: Review | None
    others: list[Review]  # empty until the reviewer has submitted their own
    others_hidden: int
    mean: float | None


def review_panel(*, application: Application, reviewer: User) -> ReviewPanel:
    reviews = list(
        Review.objects.filter(application=application)
        .select_related("reviewer")
        .prefetch_related("scores")
    )
    mine = next((r for r in reviews if r.reviewer_id == reviewer.pk), None)
    others = [r for r in reviews if r.reviewer_id != reviewer.pk and r.submitted_at]
    if mine is None or mine.submitted_at is None:
        return ReviewPanel(mine=mine, others=[], others_hidden=len(others), mean=None)
    submitted = [r.total for r in reviews if r.submitted_at]
    mean = float(sum(submitted) / len(submitted)) if submitted else None
    return ReviewPanel(mine=mine, others=others, others_hidden=0, mean=mean)


def student_applications(*, student: User) -> list[Application]:
    return list(
        Application.objects.filter(student=student)
        .select_related("program", "city", "student__home_city")
        .prefetch_related(
            Prefetch("events", queryset=ApplicationEvent.objects.order_by("created_at", "id")),
            "documents",
            "languages",
            "program__required_documents",
            # The certificate a completed application earned, to download from the list.
            Prefetch(
                "certificates",
                queryset=Certificate.objects.filter(revoked_at__isnull=True),
                to_attr="valid_certificates",
            ),
        )
        .order_by("-created_at", "-id")
    )


def confirmed_participants(*, program: Program) -> list[Application]:
    """Every city's confirmed participants: what partner coordinators may see of them."""
    return list(
        Application.objects.filter(program=program, state__in=[State.CONFIRMED, State.COMPLETED])
        .select_related("student", "city")
        .prefetch_related(
            Prefetch("languages", queryset=ApplicationLanguage.objects.select_related("language")),
            "interests",
        )
        .order_by("city__name_en", "student__latin_name", "id")
    )


@dataclass(frozen=True)
class AuditLine:
    when: object
    who: str  # as `viewer` may see it; "" for the portal
    application: Application | None
    text: str


def program_audit(*, program: Program, city_ids: frozenset[int], viewer: User) -> list[AuditLine]:
    """State changes and document accesses for the coordinator's cities, newest first.

    The applicant of an application under blind review appears as its anonymous label, on
    that application's lines and on any other line they are the actor of."""
    events = list(
        ApplicationEvent.objects.filter(
            application__program=program, application__city_id__in=city_ids
        ).select_related("actor", "application")
    )
    entries = list(
        AuditEntry.objects.filter(program=program, city_id__in=city_ids).select_related(
            "actor", "application"
        )
    )
    for row in events + entries:
        if row.application is not None:
            row.application.program = program
    blind_by_student = {
        row.application.student_id: row.application
        for row in events + entries
        if row.application is not None and is_blind_for(viewer, row.application)
    }

    def who(row) -> str:
        application = row.application or blind_by_student.get(row.actor_id)
        return redaction.actor_name(viewer, row.actor, application)

    lines = [
        AuditLine(
            when=e.created_at,
            who=who(e),
            application=e.application,
            text=f"{State(e.from_state).label} → {State(e.to_state).label}"
            + (f" ({e.reason})" if e.reason else ""),
        )
        for e in events
    ] + [
        AuditLine(
            when=e.created_at,
            who=who(e),
            application=e.application,
            text=f"{e.get_action_display()}: {e.detail}" if e.detail else e.get_action_display(),
        )
        for e in entries
    ]
    lines.sort(key=lambda line: line.when, reverse=True)
    return lines
