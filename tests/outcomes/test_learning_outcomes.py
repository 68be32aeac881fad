"""Learning outcomes: the participant's page, the coordinator's confirmation, and the
certificate's second page in both of its languages."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from exchange.models import AuditEntry
from exchange.services import certificates as certificate_services
from outcomes.models import LearningOutcome, Survey, SurveyAnswer, SurveyQuestion, SurveyRequest
from outcomes.services import learning as services
from tests import factories
from tests.helpers import PERSONAS, login_redirect, pdftotext, sign_in

pytestmark = pytest.mark.django_db


def _table(expected):
    assert sorted(expected) == sorted([*PERSONAS, "vera"])
    return list(expected.items())


@pytest.fixture
def ended(program_ab):
    program_ab.starts_on = timezone.localdate() - timedelta(days=20)
    program_ab.ends_on = timezone.localdate() - timedelta(days=10)
    program_ab.status = "closed"
    program_ab.save()
    return program_ab


@pytest.fixture
def application(ended, alice):
    return factories.ApplicationFactory(program=ended, student=alice, state="completed")


def _save(application, alice, **changes):
    values = {
        "competences": ["language", "intercultural"],
        "reflection": "중국 친구들과 매일 이야기했어요.",
        "print_on_certificate": True,
    } | changes
    return services.learning_outcome_save(application=application, by=alice, **values)


def test_save_orders_competences_and_confirm_audits(application, alice, carol):
    outcome, cleared = _save(application, alice)
    assert (outcome.competences, cleared) == (["intercultural", "language"], False)
    services.learning_outcome_confirm(application=application, by=carol, confirmation="Well done")
    outcome.refresh_from_db()
    assert (outcome.confirmation, outcome.confirmed_by) == ("Well done", carol)
    assert AuditEntry.objects.filter(action="learning-confirm").count() == 1
    # Changing it clears the confirmation.
    outcome, cleared = _save(application, alice, reflection="Changed")
    assert (cleared, outcome.confirmation, outcome.confirmed_at) == (True, "", None)


def test_closed_for_a_program_far_from_its_end(program_ab, alice, client):
    application = factories.ApplicationFactory(program=program_ab, student=alice, state="confirmed")
    client.force_login(alice)
    url = reverse("outcomes:learning_outcome", args=[application.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"] is None
    response = client.post(url, {"competences": ["language"]})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You can write what you learned once you take part in the program, from a week "
        "before it ends."
    ]
    assert LearningOutcome.objects.count() == 0


def test_pretick_from_the_post_survey(application, client, alice):
    survey = Survey.objects.create(program=application.program, phase=Survey.Phase.POST)
    question = SurveyQuestion.objects.create(
        survey=survey, kind="multiple", library_code="competences-developed", text={"en": "?"}
    )
    request = SurveyRequest.objects.create(
        survey=survey, application=application, status=SurveyRequest.Status.SUBMITTED
    )
    SurveyAnswer.objects.create(request=request, question=question, picked=["social", "digital"])
    client.force_login(alice)
    response = client.get(reverse("outcomes:learning_outcome", args=[application.pk]))
    assert response.context["form"].initial == {"competences": ["digital", "social"]}


def test_bad_input_writes_nothing(application, client, alice, carol):
    client.force_login(alice)
    url = reverse("outcomes:learning_outcome", args=[application.pk])
    response = client.post(url, {"competences": ["flying"]})
    assert response.status_code == 200
    assert LearningOutcome.objects.count() == 0
    client.force_login(carol)
    response = client.post(
        reverse("outcomes:learning_confirm", args=[application.pk]), {"confirmation": "x" * 501}
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Ensure this value has at most 500 characters (it has 501)."
    ]
    assert client.get(reverse("outcomes:learning_outcome", args=[9999])).status_code == 404


@pytest.mark.parametrize(
    ("persona", "expected"),
    _table(
        {
            "anonymous": "login",
            "alice": 200,
            "mina": 403,
            "carol": 403,
            "bob": 403,
            "oscar": 403,
            "vera": 403,
        }
    ),
)
def test_participant_page_permissions(request, client, application, persona, expected):
    sign_in(request, client, persona)
    url = reverse("outcomes:learning_outcome", args=[application.pk])
    response = client.get(url)
    if expected == "login":
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
            "carol": 200,
            "bob": 200,
            "oscar": 403,
            "vera": 403,
        }
    ),
)
def test_program_page_permissions(request, client, application, persona, expected):
    sign_in(request, client, persona)
    url = reverse("outcomes:program_learning", args=[application.program_id])
    response = client.get(url)
    if expected == "login":
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
            "bob": 403,
            "oscar": 403,
            "vera": 403,
        }
    ),
)
def test_confirm_permissions(request, client, application, alice, persona, expected):
    _save(application, alice)
    sign_in(request, client, persona)
    url = reverse("outcomes:learning_confirm", args=[application.pk])
    response = client.post(url, {"confirmation": "Confirmed"})
    if expected == "login":
        assert response.url == login_redirect(url)
    else:
        assert response.status_code == expected
    assert LearningOutcome.objects.get().confirmation == ("Confirmed" if expected == 302 else "")


@pytest.mark.parametrize("participants", [1, 3])
def test_program_list_queries(
    client, ended, carol, city_a, participants, django_assert_num_queries
):
    for _ in range(participants):
        student = factories.StudentFactory(home_city=city_a)
        factories.ApplicationFactory(program=ended, student=student, state="completed")
    client.force_login(carol)
    url = reverse("outcomes:program_learning", args=[ended.pk])
    client.get(url)
    with django_assert_num_queries(QUERIES_PROGRAM_LEARNING):
        assert client.get(url).status_code == 200


# Session, user, roles; the program and its cities; the coordinator's cities; the rows with
# their outcomes; their certificates; messages; the menu.
QUERIES_PROGRAM_LEARNING = 9


def test_certificate_second_page_in_korean_and_chinese(application, alice, carol):
    _save(application, alice)
    services.learning_outcome_confirm(application=application, by=carol, confirmation="참 잘했어요")
    certificate = certificate_services.certificate_issue(application=application, by=carol)
    certificate = certificate_services.certificate_render(certificate=certificate)
    with certificate.pdf.open("rb") as file:
        text = pdftotext(file.read())
    for words in ("다른문화이해하기", "理解其他文化", "다른언어사용하기", "使用其他语言"):
        assert words in text, words
    assert "중국친구들과매일이야기했어요." in text
    assert "참잘했어요" in text


def test_no_second_page_without_agreement(application, alice, carol):
    _save(application, alice, print_on_certificate=False)
    services.learning_outcome_confirm(application=application, by=carol, confirmation="OK")
    certificate = certificate_services.certificate_issue(application=application, by=carol)
    html = certificate_services.certificate_html(certificate)
    assert "learning-page" not in html


def test_reissue_offered_after_confirmation(client, application, alice, carol):
    _save(application, alice)
    certificate = certificate_services.certificate_issue(application=application, by=carol)
    certificate_services.certificate_render(certificate=certificate)
    services.learning_outcome_confirm(application=application, by=carol, confirmation="OK")
    client.force_login(carol)
    response = client.get(reverse("outcomes:program_learning", args=[application.program_id]))
    assert "Reissue the certificate to add this page" in response.content.decode()
