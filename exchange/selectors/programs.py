"""Reads. Each returns what a page needs in a fixed number of queries."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Case,
    Count,
    Exists,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from accounts.models import User
from accounts.rules import coordinator_city_ids
from core.models import City, Partnership
from exchange.models import Application, Program, ProgramCity, Review
from exchange.services.applications import HOLDS_PLACE, REMINDER_LEAD


def _program_base() -> QuerySet[Program]:
    return Program.objects.prefetch_related(
        Prefetch("program_cities", queryset=ProgramCity.objects.select_related("city")),
        "themes",
        "working_languages",
    )


@dataclass(frozen=True)
class ProgramFilters:
    kind: str = ""
    city: City | None = None
    theme: str = ""
    language: str = ""
    # The student's date of birth, when they ask for programs that fit their age. Age counts on
    # the day each program starts, so one student can fit one program and not the next.
    born_on: date | None = None


def _age_on_start(born_on: date):
    """accounts.models.age_on(born_on, starts_on), computed in the database for each program."""
    before_birthday = Q(starts_on__month__lt=born_on.month) | Q(
        starts_on__month=born_on.month, starts_on__day__lt=born_on.day
    )
    return (
        ExtractYear("starts_on")
        - Value(born_on.year)
        - Case(When(before_birthday, then=Value(1)), default=Value(0), output_field=IntegerField())
    )


def program_list_open(*, filters: ProgramFilters) -> QuerySet[Program]:
    """Open programs still taking applications, as students browse them."""
    programs = _program_base().filter(
        status=Program.Status.OPEN, applications_close__gt=timezone.now()
    )
    if filters.kind:
        programs = programs.filter(kind=filters.kind)
    if filters.city is not None:
        programs = programs.filter(program_cities__city=filters.city)
    if filters.theme:
        programs = programs.filter(themes__slug=filters.theme)
    if filters.language:
        programs = programs.filter(working_languages__code=filters.language)
    if filters.born_on is not None:
        programs = programs.alias(age_on_start=_age_on_start(filters.born_on)).filter(
            min_age__lte=F("age_on_start"), max_age__gte=F("age_on_start")
        )
    return programs.distinct().order_by("applications_close", "id")


def program_list_for_coordinator(*, user: User) -> QuerySet[Program]:
    """Every program, draft or not, in which one of the coordinator's cities takes part."""
    return (
        _program_base()
        .filter(program_cities__city_id__in=coordinator_city_ids(user))
        .distinct()
        .order_by("-updated_at", "id")
    )


def program_get(*, pk: int) -> Program | None:
    return _program_base().filter(pk=pk).first()


@dataclass(frozen=True)
class NetworkEntry:
    partner: City
    partnership: Partnership


KIND_ORDER = {
    Partnership.Kind.SISTER: 0,
    Partnership.Kind.FRIENDSHIP: 1,
    Partnership.Kind.DOMESTIC: 2,
}


def city_network(*, city: City) -> list[NetworkEntry]:
    """Active partners first, then sister, friendship and domestic, oldest first."""
    partnerships = Partnership.objects.filter(Q(city_a=city) | Q(city_b=city)).select_related(
        "city_a", "city_b", "city_a__main_language", "city_b__main_language"
    )
    entries = [NetworkEntry(partner=p.other(city), partnership=p) for p in partnerships]
    entries.sort(
        key=lambda e: (
            e.partnership.status != Partnership.Status.ACTIVE,
            KIND_ORDER[e.partnership.kind],
            e.partnership.since or 9999,
            e.partner.name_en,
        )
    )
    return entries


def city_list_with_partner_counts() -> list[tuple[City, int]]:
    cities = list(City.objects.select_related("main_language").order_by("country", "name_en"))
    counts: dict[int, int] = {}
    for a, b in Partnership.objects.values_list("city_a_id", "city_b_id"):
        counts[a] = counts.get(a, 0) + 1
        counts[b] = counts.get(b, 0) + 1
    return [(city, counts.get(city.pk, 0)) for city in cities]


def partner_city_ids(*, city_ids: frozenset[int]) -> set[int]:
    """Cities in an active partnership with any of `city_ids`."""
    rows = Partnership.objects.filter(
        Q(city_a_id__in=city_ids) | Q(city_b_id__in=city_ids),
        status=Partnership.Status.ACTIVE,
    ).values_list("city_a_id", "city_b_id")
    return {city for pair in rows for city in pair} - set(city_ids)


# Figures an app above the exchange adds to each program on the coordinators' pages, as
# {name: a function giving a query expression on Program}. The chat registers
# "open_reports" (messaging.apps); the exchange never imports it.
COORDINATOR_PROGRAM_FIGURES: dict[str, Callable[[], Expression]] = {}


def with_coordinator_figures(programs: QuerySet[Program]) -> QuerySet[Program]:
    """The programs, each annotated with every registered figure, in the same query."""
    return programs.annotate(**{name: make() for name, make in COORDINATOR_PROGRAM_FIGURES.items()})


def coordinator_figures(*, program: Program) -> dict[str, object]:
    """The registered figures of one program, in one query (none when nothing registered)."""
    if not COORDINATOR_PROGRAM_FIGURES:
        return {}
    row = (
        with_coordinator_figures(Program.objects.filter(pk=program.pk))
        .values(*COORDINATOR_PROGRAM_FIGURES)
        .first()
    )
    return row or {}


# --- The coordinator desk ----------------------------------------------------------------


def _count(applications: QuerySet[Application], group_by: str = "program") -> Expression:
    """How many of `applications` (already tied to the outer row), as a subquery."""
    return Coalesce(
        Subquery(
            applications.order_by().values(group_by).annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def coordinator_desk(*, user: User, now=None) -> QuerySet[Program]:
    """The coordinator's programs, each with what needs their attention, in one query (and
    one for the cities' places, one each for themes and languages), however many programs
    and applications there are.

    - `waiting`: their cities' applications submitted and not yet taken into review;
    - `reviews_pending`: their cities' applications under review they have not scored yet;
    - `expiring`: their cities' offered places whose deadline falls within REMINDER_LEAD
      (the window in which the student is reminded);
    - each program city's `filled`: the places held (offered, confirmed or completed, as the
      quota counts them), for every city of the program;
    - the registered figures (COORDINATOR_PROGRAM_FIGURES: the chat's open reports).
    """
    now = now or timezone.now()
    mine = Application.objects.filter(
        program=OuterRef("pk"), city_id__in=coordinator_city_ids(user)
    )
    my_review = Review.objects.filter(
        application=OuterRef("pk"), reviewer=user, submitted_at__isnull=False
    )
    filled = _count(
        Application.objects.filter(
            program_id=OuterRef("program_id"), city_id=OuterRef("city_id"), state__in=HOLDS_PLACE
        )
    )
    programs = (
        Program.objects.prefetch_related(
            Prefetch(
                "program_cities",
                queryset=ProgramCity.objects.select_related("city").annotate(filled=filled),
            ),
            "themes",
            "working_languages",
        )
        .filter(program_cities__city_id__in=coordinator_city_ids(user))
        .distinct()
        .order_by("-updated_at", "id")
        .annotate(
            waiting=_count(mine.filter(state=Application.State.SUBMITTED)),
            reviews_pending=_count(
                mine.filter(state=Application.State.UNDER_REVIEW).exclude(Exists(my_review))
            ),
            expiring=_count(
                mine.filter(
                    state=Application.State.ACCEPTED,
                    confirm_by__gt=now,
                    confirm_by__lte=now + REMINDER_LEAD,
                )
            ),
        )
    )
    return with_coordinator_figures(programs)
