"""The partnership's figures per year, counted from the exchange's records: the one place
that computes what the dashboards, the indicators and the annual report show about a
partnership. Every figure about people has passed the under-5 rule (outcomes.small_groups)
before it leaves this module: no caller ever holds a raw count of fewer than 5 people.

A program counts for a partnership when both cities take part in it, it is not a draft,
and it ends in the year. Its participants are the applications confirmed or completed,
counted by the city they applied from. Only the partnership's two cities count: in a program
a third city also takes part in, the third city's participants, attendance and answers are
not the partnership's. The participants from A and from B are a breakdown of the year's
participants: when one side is hidden, the other is hidden with it (secondary suppression),
or it could be worked out from a program's total shown elsewhere.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, Sum
from django.utils import timezone

from core.models import Partnership
from exchange.models import PARTICIPATING, Application, Attendance, Program
from outcomes import small_groups
from outcomes.models import Survey, SurveyAnswer, SurveyQuestion, SurveyRequest


@dataclass(frozen=True)
class YearFigures:
    year: int
    programs: int = 0
    # People, each passed through small_groups.count: None means "fewer than 5".
    participants_a: int | None = 0
    participants_b: int | None = 0
    # Shares 0–1 and means on the 1–5 scale; None when fewer than 5 people are behind them.
    completion: float | None = None
    attendance: float | None = None
    satisfaction: float | None = None
    # Post mean minus pre mean over the competence questions, in points of the 1–5 scale.
    self_assessed_change: float | None = None
    program_ids: tuple[int, ...] = field(default=())
    # The fields above that the under-5 rule hid (None for them means "fewer than 5"; for
    # the others, that nothing was measured).
    hidden: frozenset[str] = field(default=frozenset())


def partnership_programs(partnership: Partnership):
    """The partnership's programs: both cities take part, and it is past its draft."""
    return (
        Program.objects.filter(program_cities__city_id=partnership.city_a_id)
        .filter(program_cities__city_id=partnership.city_b_id)
        .exclude(status=Program.Status.DRAFT)
    )


def partnership_year_figures(
    *, partnership: Partnership, years: list[int], today: date | None = None
) -> dict[int, YearFigures]:
    """Each year's figures, in a fixed number of queries whatever the number of programs,
    applications and years."""
    today = today or timezone.localdate()
    programs = list(
        partnership_programs(partnership)
        .filter(ends_on__year__in=years)
        .values_list("pk", "ends_on")
    )
    year_of = {pk: ends_on.year for pk, ends_on in programs}
    ended = {pk for pk, ends_on in programs if ends_on < today}
    by_year: dict[int, list[int]] = defaultdict(list)
    for pk, year in year_of.items():
        by_year[year].append(pk)

    people = defaultdict(lambda: defaultdict(int))  # year -> key -> n
    both = (partnership.city_a_id, partnership.city_b_id)
    rows = (
        Application.objects.filter(
            program_id__in=year_of, state__in=PARTICIPATING, city_id__in=both
        )
        .values("program_id", "city_id", "state")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        year = year_of[row["program_id"]]
        side = "a" if row["city_id"] == partnership.city_a_id else "b"
        people[year][side] += row["n"]
        if row["program_id"] in ended:
            people[year]["finished"] += row["n"]
            if row["state"] == Application.State.COMPLETED:
                people[year]["completed"] += row["n"]

    # Grouped by program (no join to it), then added up per year: an application and a
    # survey request belong to one program, so the distinct people add up exactly.
    attendance: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in (
        Attendance.objects.filter(
            session__program_id__in=year_of, attended__isnull=False, application__city_id__in=both
        )
        .values("session__program_id")
        .annotate(
            records=Count("pk"),
            present=Count("pk", filter=Q(attended=True)),
            people=Count("application_id", distinct=True),
        )
        .order_by()
    ):
        seen = attendance[year_of[row["session__program_id"]]]
        for key in ("records", "present", "people"):
            seen[key] += row[key]

    answers = (
        SurveyAnswer.objects.filter(
            request__survey__program_id__in=year_of,
            request__status=SurveyRequest.Status.SUBMITTED,
            request__application__city_id__in=both,
            question__kind="likert",
            number__isnull=False,
        )
        .values("request__survey__program_id", "question__measures", "request__survey__phase")
        .annotate(
            total=Sum("number"), answers=Count("pk"), people=Count("request_id", distinct=True)
        )
        .order_by()
    )
    sums: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in answers:
        key = (
            year_of[row["request__survey__program_id"]],
            row["question__measures"],
            row["request__survey__phase"],
        )
        for name in ("total", "answers", "people"):
            sums[key][name] += row[name]
    means = {
        key: {"mean": value["total"] / value["answers"], "people": value["people"]}
        for key, value in sums.items()
    }

    result = {}
    for year in years:
        counts = people.get(year, {})
        seen = attendance.get(year)
        satisfied = means.get((year, SurveyQuestion.Measure.SATISFACTION, Survey.Phase.POST))
        pre = means.get((year, SurveyQuestion.Measure.COMPETENCE, Survey.Phase.PRE))
        post = means.get((year, SurveyQuestion.Measure.COMPETENCE, Survey.Phase.POST))
        hidden = set()

        def shown(name, value, measured, hidden=hidden):
            if value is None and measured:
                hidden.add(name)
            return value

        change = None
        if pre and post:
            change = shown(
                "self_assessed_change",
                small_groups.mean(
                    float(post["mean"]) - float(pre["mean"]), min(pre["people"], post["people"])
                ),
                True,
            )
        a, b = counts.get("a", 0), counts.get("b", 0)
        sides = small_groups.breakdown({"a": a, "b": b})
        result[year] = YearFigures(
            year=year,
            programs=len(by_year.get(year, ())),
            participants_a=shown("participants_a", sides["a"], a > 0),
            participants_b=shown("participants_b", sides["b"], b > 0),
            completion=shown(
                "completion",
                small_groups.rate(counts.get("completed", 0), counts.get("finished", 0)),
                counts.get("finished", 0) > 0,
            ),
            attendance=shown(
                "attendance",
                small_groups.rate(seen["present"], seen["records"])
                if seen["people"] >= small_groups.MIN_GROUP
                else None,
                True,
            )
            if seen
            else None,
            satisfaction=shown(
                "satisfaction", small_groups.mean(satisfied["mean"], satisfied["people"]), True
            )
            if satisfied
            else None,
            self_assessed_change=change,
            program_ids=tuple(sorted(by_year.get(year, ()))),
            hidden=frozenset(hidden),
        )
    return result
