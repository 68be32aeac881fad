"""outcomes.figures against counts made directly in the database, and the under-5 rule."""

import pytest
from django.db import connection
from django.db.models import Avg, Count, Q
from django.utils import timezone

from core.models import Partnership
from exchange.models import PARTICIPATING, Application, Attendance
from outcomes import small_groups
from outcomes.figures import partnership_year_figures
from outcomes.models import Survey, SurveyAnswer, SurveyQuestion, SurveyRequest
from outcomes.selectors import dashboards as selectors
from tests import factories
from tests.outcomes.dashboard_helpers import applications, ended_program, session

pytestmark = pytest.mark.django_db


def partnership_ab(city_a, city_b):
    return Partnership.objects.get(city_a=city_a, city_b=city_b)


def survey(program, phase, answers: list[tuple[str, str, list[int]]]):
    """answers: (measure, competence, one number per person) on the program's participants."""
    made = Survey.objects.create(program=program, phase=phase)
    people = list(Application.objects.filter(program=program, state__in=PARTICIPATING))
    for position, (measure, competence, numbers) in enumerate(answers):
        question = SurveyQuestion.objects.create(
            survey=made,
            position=position,
            kind="likert",
            measures=measure,
            competence=competence,
            text={"en": "How?"},
        )
        for application, number in zip(people, numbers, strict=False):
            request, _ = SurveyRequest.objects.get_or_create(
                survey=made, application=application, defaults={"status": "submitted"}
            )
            SurveyAnswer.objects.create(request=request, question=question, number=number)
    return made


def test_participants_programs_and_completion_against_sql(carol, city_a, city_b, city_c):
    year = timezone.localdate().year
    first = ended_program([city_a, city_b], carol=carol)
    second = ended_program([city_a, city_b], carol=carol, days_ago=40)
    ended_program([city_a, city_c], carol=carol)  # not the partnership's
    factories.ProgramFactory(cities={city_a: 3, city_b: 3}, status="draft")  # a draft
    applications(first, city_a, 4)
    applications(first, city_a, 3, state="completed")
    applications(second, city_b, 6, state="completed")
    applications(second, city_b, 2, state="withdrawn")
    applications(second, city_a, 1)

    figures = partnership_year_figures(
        partnership=partnership_ab(city_a, city_b), years=[year - 1, year]
    )[year]

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.city_id, count(*), count(*) FILTER (WHERE a.state = 'completed') "
            "FROM exchange_application a WHERE a.program_id IN (%s, %s) "
            "AND a.state IN ('confirmed', 'completed') GROUP BY a.city_id",
            [first.pk, second.pk],
        )
        direct = {city: (n, done) for city, n, done in cursor.fetchall()}
    assert figures.programs == 2
    assert figures.program_ids == tuple(sorted([first.pk, second.pk]))
    assert figures.participants_a == direct[city_a.pk][0] == 8
    assert figures.participants_b == direct[city_b.pk][0] == 6
    done = direct[city_a.pk][1] + direct[city_b.pk][1]
    assert figures.completion == done / 14
    assert figures.hidden == frozenset()


def test_hidden_figures_are_none_and_named(carol, city_a, city_b):
    year = timezone.localdate().year
    program = ended_program([city_a, city_b], carol=carol)
    people = applications(program, city_a, 3, state="completed")
    session(program, present=people)

    figures = partnership_year_figures(partnership=partnership_ab(city_a, city_b), years=[year])[
        year
    ]

    assert figures.participants_a is None
    assert figures.participants_b == 0
    assert figures.completion is None
    assert figures.attendance is None
    assert figures.hidden == {"participants_a", "completion", "attendance"}


def test_attendance_satisfaction_and_change_against_the_database(carol, city_a, city_b):
    year = timezone.localdate().year
    program = ended_program([city_a, city_b], carol=carol)
    people = applications(program, city_a, 6)
    session(program, present=people[:5], absent=people[5:])
    session(program, present=people[:2], absent=people[2:])
    survey(program, "pre", [("competence", "language", [2, 2, 3, 3, 2, 1])])
    survey(
        program,
        "post",
        [
            ("competence", "language", [4, 4, 3, 5, 4, 4]),
            ("satisfaction", "", [5, 4, 4, 5, 5, 3]),
        ],
    )

    figures = partnership_year_figures(partnership=partnership_ab(city_a, city_b), years=[year])[
        year
    ]

    records = Attendance.objects.filter(session__program=program).aggregate(
        n=Count("pk"), present=Count("pk", filter=Q(attended=True))
    )
    assert figures.attendance == records["present"] / records["n"] == 7 / 12

    def mean(phase, measure):
        return float(
            SurveyAnswer.objects.filter(
                request__survey__phase=phase, question__measures=measure
            ).aggregate(m=Avg("number"))["m"]
        )

    assert figures.satisfaction == mean("post", "satisfaction")
    assert figures.self_assessed_change == pytest.approx(
        mean("post", "competence") - mean("pre", "competence")
    )
    # The program dashboard reads the same answers the same way.
    tables = {t.key: t for t in selectors.program_dashboard(program)}
    language = [row for row in tables["competences"].rows if row[0] == "Using other languages"]
    assert language[0][1:] == [mean("pre", "competence"), mean("post", "competence")]
    assert tables["satisfaction"].rows[0][1] == figures.satisfaction


def test_survey_means_of_fewer_than_5_are_hidden(carol, city_a, city_b):
    year = timezone.localdate().year
    program = ended_program([city_a, city_b], carol=carol)
    applications(program, city_a, 4)
    survey(program, "pre", [("competence", "social", [1, 2, 3, 4])])
    survey(program, "post", [("competence", "social", [5, 5, 5, 5]), ("satisfaction", "", [5] * 4)])

    figures = partnership_year_figures(partnership=partnership_ab(city_a, city_b), years=[year])[
        year
    ]
    tables = {t.key: t for t in selectors.program_dashboard(program)}

    assert figures.satisfaction is None
    assert figures.self_assessed_change is None
    assert {"satisfaction", "self_assessed_change"} <= figures.hidden
    social = [row for row in tables["competences"].rows if row[0] == "Getting on with new people"]
    assert social[0][1:] == [selectors.HIDDEN, selectors.HIDDEN]
    assert tables["satisfaction"].export_rows() == [["Satisfaction", "fewer than 5"]]


def test_the_figures_cost_the_same_queries_whatever_their_number(
    carol, city_a, city_b, django_assert_num_queries
):
    year = timezone.localdate().year
    partnership = partnership_ab(city_a, city_b)
    program = ended_program([city_a, city_b], carol=carol)
    applications(program, city_a, 1)
    with django_assert_num_queries(4):
        partnership_year_figures(partnership=partnership, years=[year])
    for days in (30, 40):
        more = ended_program([city_a, city_b], carol=carol, days_ago=days)
        session(more, present=applications(more, city_b, 3))
    with django_assert_num_queries(4):
        partnership_year_figures(partnership=partnership, years=[year - 2, year - 1, year])


@pytest.mark.parametrize(("n", "shown"), [(0, 0), (1, None), (4, None), (5, 5), (6, 6)])
def test_small_groups_count(n, shown):
    assert small_groups.count(n) == shown


def test_small_groups_rate_and_mean():
    assert small_groups.rate(3, 4) is None
    assert small_groups.rate(0, 5) == 0
    assert small_groups.rate(4, 5) == 0.8
    assert small_groups.mean(4.2, 4) is None
    assert small_groups.mean(None, 10) is None
    assert small_groups.mean(4.2, 5) == 4.2


def test_small_groups_breakdown_secondary_suppression():
    assert small_groups.breakdown({"a": 0, "b": 5, "c": 6}) == {"a": 0, "b": 5, "c": 6}
    assert small_groups.breakdown({"a": 1, "b": 5, "c": 6}) == {"a": None, "b": None, "c": 6}
    assert small_groups.breakdown({"a": 1, "b": 4, "c": 6}) == {"a": None, "b": None, "c": 6}
    assert small_groups.breakdown({"a": 4, "b": 0}) == {"a": None, "b": 0}
    assert small_groups.breakdown({}) == {}


def test_a_third_citys_participants_are_not_the_partnerships(carol, city_a, city_b, city_c):
    year = timezone.localdate().year
    program = ended_program([city_a, city_b, city_c], carol=carol)
    applications(program, city_a, 5, state="completed")
    applications(program, city_b, 5, state="completed")
    third = applications(program, city_c, 5)  # confirmed, never completed
    session(program, present=[], absent=third)

    figures = partnership_year_figures(partnership=partnership_ab(city_a, city_b), years=[year])[
        year
    ]

    assert (figures.participants_a, figures.participants_b) == (5, 5)
    assert figures.completion == 1.0
    assert figures.attendance is None  # only C's students were recorded


def test_one_hidden_side_hides_the_other(carol, city_a, city_b):
    year = timezone.localdate().year
    program = ended_program([city_a, city_b], carol=carol)
    applications(program, city_a, 2)
    applications(program, city_b, 9)

    figures = partnership_year_figures(partnership=partnership_ab(city_a, city_b), years=[year])[
        year
    ]

    assert (figures.participants_a, figures.participants_b) == (None, None)
    assert figures.hidden == {"participants_a", "participants_b"}
