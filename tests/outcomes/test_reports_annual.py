"""Annual reports: asking for one, the task's render, the PDF's figures in both languages,
the download, and who may do what. Celery is eager in the tests: a request whose on-commit
callbacks run is rendered at once."""

from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from core.models import Partnership
from exchange.models import AuditEntry
from outcomes.models import AnnualReport, Survey, SurveyAnswer, SurveyQuestion, SurveyRequest
from outcomes.models.plans import BudgetLine, Indicator, IndicatorTarget, PlanActivity, WorkingGroup
from outcomes.services import reports as services
from tests import factories
from tests.helpers import PERSONAS, login_redirect, pdftotext, sign_in

pytestmark = pytest.mark.django_db


def _table(expected: dict[str, object]) -> list[tuple[str, object]]:
    """Every persona, the observer vera included."""
    assert sorted(expected) == sorted([*PERSONAS, "vera"])
    return list(expected.items())


YEAR = timezone.localdate().year - 1


@pytest.fixture
def partnership(city_a, city_b):
    return Partnership.objects.get(city_a=min(city_a, city_b, key=lambda c: c.pk))


def _program(city_a, city_b, carol, *, title, students_a, students_b, month=6):
    program = factories.ProgramFactory(
        cities={city_a: 20, city_b: 20},
        created_by=carol,
        title=title,
        status="closed",
        starts_on=date(YEAR, month, 1),
        ends_on=date(YEAR, month, 10),
        applications_open=timezone.now() - timedelta(days=800),
        applications_close=timezone.now() - timedelta(days=700),
    )
    for city, n in ((city_a, students_a), (city_b, students_b)):
        for _ in range(n):
            factories.ApplicationFactory(
                program=program,
                student=factories.StudentFactory(home_city=city),
                state="completed",
            )
    return program


@pytest.fixture
def year_data(city_a, city_b, carol, partnership):
    program = _program(
        city_a, city_b, carol, title="여름 교류 夏季交流", students_a=6, students_b=2
    )
    group = WorkingGroup.objects.create(partnership=partnership, name="Youth culture")
    activity = PlanActivity.objects.create(
        group=group,
        title="Joint concert",
        starts_on=date(YEAR, 3, 1),
        ends_on=date(YEAR, 9, 1),
        status=PlanActivity.Status.DONE,
    )
    BudgetLine.objects.create(
        activity=activity, city=city_a, label="Hall", currency="KRW", planned=1500000, spent=1200000
    )
    BudgetLine.objects.create(
        activity=activity, city=city_b, label="Travel", currency="CNY", planned=8000, spent=7500
    )
    indicator = Indicator.objects.create(
        group=group, name="Joint events", measure=Indicator.Measure.MANUAL, unit="events"
    )
    IndicatorTarget.objects.create(indicator=indicator, year=YEAR, target=4)
    survey = Survey.objects.create(program=program, phase=Survey.Phase.POST)
    question = SurveyQuestion.objects.create(survey=survey, kind="text", text={"en": "Say"})
    applications = list(program.applications.order_by("pk"))
    for index, (share, quoted, text) in enumerate(
        [
            (True, True, "친구를 많이 사귀었어요"),
            (False, True, "Secret words"),
            (True, False, "Not chosen"),
        ]
    ):
        request = SurveyRequest.objects.create(
            survey=survey,
            application=applications[index],
            status=SurveyRequest.Status.SUBMITTED,
            share_quotes=share,
        )
        SurveyAnswer.objects.create(request=request, question=question, text=text, quoted=quoted)
    return program


def test_languages_of_the_report(partnership, city_a, city_c):
    assert services.report_languages(partnership) == ["ko", "zh-hans"]
    both_korean = factories.PartnershipFactory(cities=(city_a, city_c), kind="domestic")
    assert services.report_languages(both_korean) == ["ko", "en"]


def test_pdf_has_the_figures_in_both_languages(partnership, year_data):
    text = pdftotext(
        services.annual_report_pdf(partnership=partnership, year=YEAR, languages=["ko", "zh-hans"])
    )
    assert "여름교류" in text
    assert "夏季交流" in text
    # Both languages' headings and labels, side by side.
    for words in ("날짜/日期", "프로그램/项目1", "완료/已完成1", "추진중/计划中0"):
        assert words in text
    # 2 participants from B hidden, so A's 6 are hidden with them (the program's total is
    # shown elsewhere), in both languages.
    assert "참가자출신/参与者来自광주시5명미만/少于5人" in text
    assert "참가자출신/参与者来自淄博市5명미만/少于5人" in text
    assert "수료율/完成率100%" in text
    # Budgets per city and currency, never converted.
    # One row per city, each in its own currency, grouped as its reader writes numbers.
    assert "광주시KRW1,500,000KRW1,200,000淄博市CNY8,000.00CNY7,500.00" in text
    # Only the answer quoted with the participant's agreement, without a name.
    assert "친구를많이사귀었어요" in text
    assert "Secretwords" not in text
    assert "Notchosen" not in text


def test_the_figures_are_the_figures_module(partnership, year_data):
    context = services.annual_report_context(
        partnership=partnership, year=YEAR, languages=["ko", "zh-hans"]
    )
    assert context["figures"].participants_a is None
    assert context["figures"].participants_b is None
    assert [(row["a"], row["b"]) for row in context["programs"]] == [(None, None)]
    assert context["quotes"] == ["친구를 많이 사귀었어요"]
    group = context["groups"][0]
    assert [n for _label, n in group["activities"]] == [0, 0, 1, 0, 0]


def test_request_renders_and_download_is_audited(
    client, carol, vera, partnership, year_data, django_capture_on_commit_callbacks
):
    client.force_login(carol)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("outcomes:report_request", args=[partnership.pk]), {"year": YEAR}
        )
    assert response.status_code == 302
    report = AnnualReport.objects.get()
    assert (report.state, report.year, report.languages) == ("ready", YEAR, ["ko", "zh-hans"])
    assert report.pages >= 2
    # One entry in each city's log.
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REPORT_REQUEST).count() == 2
    client.force_login(vera)
    response = client.get(reverse("outcomes:report_download", args=[report.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert "5명미만" in pdftotext(body)
    downloads = AuditEntry.objects.filter(action=AuditEntry.Action.REPORT_DOWNLOAD)
    assert sorted(downloads.values_list("actor_id", flat=True)) == [vera.pk, vera.pk]


def test_second_request_while_pending_is_refused(carol, partnership):
    services.annual_report_request(partnership=partnership, year=YEAR, by=carol)
    with pytest.raises(ValidationError) as error:
        services.annual_report_request(partnership=partnership, year=YEAR, by=carol)
    assert error.value.messages == [f"The report of {YEAR} is already being prepared."]
    assert AnnualReport.objects.count() == 1
    # Another year is fine.
    services.annual_report_request(partnership=partnership, year=YEAR - 1, by=carol)
    assert AnnualReport.objects.count() == 2


@pytest.mark.parametrize("year", ["1999", str(timezone.localdate().year + 1), "abc", ""])
def test_year_out_of_range(client, carol, partnership, year):
    client.force_login(carol)
    response = client.post(
        reverse("outcomes:report_request", args=[partnership.pk]), {"year": year}
    )
    assert response.status_code == 302
    last = timezone.localdate().year
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Choose a year from 2000 to {last}."
    ]
    assert AnnualReport.objects.count() == 0


def test_stalled_report_can_be_taken_over(carol, partnership, year_data):
    report = services.annual_report_request(partnership=partnership, year=YEAR, by=carol)
    AnnualReport.objects.filter(pk=report.pk).update(
        state="rendering", started_at=timezone.now() - timedelta(hours=1)
    )
    report.refresh_from_db()
    assert report.is_stalled is True
    assert report.is_pending is False
    assert services.annual_report_render(report=report).state == "ready"


def test_unknown_ids_are_404(client, carol, partnership):
    client.force_login(carol)
    assert client.get(reverse("outcomes:partnership_reports", args=[9999])).status_code == 404
    assert client.get(reverse("outcomes:report_download", args=[9999])).status_code == 404


def test_other_partnership_report_is_403(client, carol, city_c, oscar):
    other = factories.PartnershipFactory(
        cities=(city_c, factories.CityFactory(slug="osan", name_local="오산시", name_en="Osan")),
        kind="domestic",
    )
    report = services.annual_report_request(partnership=other, year=YEAR, by=oscar)
    client.force_login(carol)
    assert client.get(reverse("outcomes:report_download", args=[report.pk])).status_code == 403
    assert client.get(reverse("outcomes:partnership_reports", args=[other.pk])).status_code == 403


@pytest.mark.parametrize(
    ("persona", "expected"),
    _table(
        {
            "anonymous": "login",
            "alice": 403,
            "mina": 403,
            "carol": 200,
            "bob": 200,
            "oscar": 403,
            "vera": 200,
        }
    ),
)
def test_list_permissions(request, client, partnership, persona, expected):
    sign_in(request, client, persona)
    url = reverse("outcomes:partnership_reports", args=[partnership.pk])
    response = client.get(url)
    if expected == "login":
        assert response.status_code == 302
        assert response.url == login_redirect(url)
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    _table(
        {
            "anonymous": "login",
            "alice": 403,
            "mina": 403,
            "carol": 302,
            "bob": 302,
            "oscar": 403,
            "vera": 403,
        }
    ),
)
def test_request_permissions(request, client, partnership, persona, expected):
    sign_in(request, client, persona)
    url = reverse("outcomes:report_request", args=[partnership.pk])
    response = client.post(url, {"year": YEAR})
    if expected == "login":
        assert response.status_code == 302
        assert response.url == login_redirect(url)
    else:
        assert response.status_code == expected
    assert AnnualReport.objects.count() == (1 if expected == 302 else 0)


@pytest.mark.parametrize(
    ("persona", "expected"),
    _table(
        {
            "anonymous": "login",
            "alice": 403,
            "mina": 403,
            "carol": 200,
            "bob": 200,
            "oscar": 403,
            "vera": 200,
        }
    ),
)
def test_download_permissions(request, client, carol, partnership, persona, expected):
    report = AnnualReport.objects.create(
        partnership=partnership, year=YEAR, languages=["ko", "zh-hans"], state="ready"
    )
    report.file.save("x.pdf", ContentFile(b"%PDF-1.4"))
    sign_in(request, client, persona)
    url = reverse("outcomes:report_download", args=[report.pk])
    response = client.get(url)
    if expected == "login":
        assert response.status_code == 302
        assert response.url == login_redirect(url)
    else:
        assert response.status_code == expected
    if expected == 200:
        b"".join(response.streaming_content)
    downloads = AuditEntry.objects.filter(action=AuditEntry.Action.REPORT_DOWNLOAD).count()
    assert downloads == (2 if expected == 200 else 0)


@pytest.mark.parametrize("programs", [1, 3])
def test_list_queries_do_not_grow(client, carol, partnership, programs, django_assert_num_queries):
    for index in range(programs):
        AnnualReport.objects.create(
            partnership=partnership,
            year=YEAR - index,
            languages=["ko", "zh-hans"],
            requested_by=carol,
        )
    client.force_login(carol)
    url = reverse("outcomes:partnership_reports", args=[partnership.pk])
    client.get(url)
    with django_assert_num_queries(QUERIES_LIST):
        assert client.get(url).status_code == 200


# Session, user, the user's roles (coordinator and observer cities); the partnership with its
# cities; the reports with who asked; the messages; the menu's cities.
QUERIES_LIST = 7
