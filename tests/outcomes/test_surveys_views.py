"""Survey pages: each persona's access, the builder, answering, status and results."""

import pytest
from django.urls import reverse

from outcomes.models import SurveyAnswer, SurveyRequest
from tests.outcomes.survey_helpers import participants, standard

PERSONAS = ["anonymous", "alice", "mina", "carol", "bob", "oscar", "vera"]


@pytest.fixture
def surveys(program_ab, carol, city_a, city_b, alice):
    """The standard set, alice and one Zibo participant confirmed, alice's pre-survey sent."""
    from tests import factories

    factories.ApplicationFactory(program=program_ab, student=alice, state="confirmed")
    participants(program_ab, city_b, 1, language="zh-hans")
    pre, post = standard(program_ab, carol)
    return pre, post


def _login(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


COORDINATOR_PAGES = {"carol": 200, "bob": 200, "oscar": 403, "alice": 403, "mina": 403, "vera": 403}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", ["edit", "add", "preview", "status", "results", "resend"])
def test_coordinator_pages_per_persona(client, request, surveys, persona, page):
    pre, _post = surveys
    url = {
        "edit": reverse("outcomes:survey_edit", args=[pre.program_id, "pre"]),
        "add": reverse("outcomes:survey_question_add", args=[pre.pk]),
        "preview": reverse("outcomes:survey_preview", args=[pre.pk]) + "?language=ko",
        "status": reverse("outcomes:survey_status", args=[pre.pk]),
        "results": reverse("outcomes:survey_results", args=[pre.pk]),
        "resend": reverse("outcomes:survey_resend_all", args=[pre.pk]),
    }[page]
    _login(client, request, persona)
    response = client.get(url)
    if persona == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == COORDINATOR_PAGES[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_answer_page_per_persona(client, request, surveys, alice, persona):
    survey_request = SurveyRequest.objects.get(application__student=alice)
    _login(client, request, persona)
    response = client.get(reverse("outcomes:survey_answer", args=[survey_request.pk]))
    expected = {"anonymous": 302, "alice": 200}.get(persona, 403)
    assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_my_surveys_per_persona(client, request, surveys, persona):
    _login(client, request, persona)
    response = client.get(reverse("outcomes:my_surveys"))
    assert response.status_code == (302 if persona == "anonymous" else 200)
    if persona == "alice":
        assert response.context["requests"][0].application.student == request.getfixturevalue(
            "alice"
        )
    elif persona != "anonymous":
        assert response.context["requests"] == []


def test_wrong_ids_404(client, carol, surveys):
    client.force_login(carol)
    assert client.get(reverse("outcomes:survey_status", args=[99999])).status_code == 404
    assert client.get(reverse("outcomes:survey_edit", args=[99999, "pre"])).status_code == 404
    pre, _post = surveys
    assert client.get(f"/programs/{pre.program_id}/surveys/during/").status_code == 404


def test_answer_in_korean_then_read_only(client, surveys, alice):
    pre, _post = surveys
    alice.preferred_language = "ko"
    alice.save(update_fields=["preferred_language"])
    survey_request = SurveyRequest.objects.get(application__student=alice)
    client.force_login(alice)
    url = reverse("outcomes:survey_answer", args=[survey_request.pk])
    page = client.get(url).content.decode()
    assert "처음 만난 사람들과 잘 지내는 것에 얼마나 자신이 있나요?" in page
    social = pre.questions.get(library_code="confidence-social")
    bad = client.post(url, {f"q{social.pk}": "9"})
    assert bad.status_code == 200
    assert SurveyAnswer.objects.count() == 0
    response = client.post(url, {f"q{social.pk}": "4", "share_quotes": "on"})
    assert response.status_code == 302
    survey_request.refresh_from_db()
    assert (survey_request.status, survey_request.share_quotes) == ("submitted", True)
    again = client.post(url, {f"q{social.pk}": "1"})
    assert again.status_code == 200
    assert list(SurveyAnswer.objects.values_list("number", flat=True)) == [4]


def test_builder_adds_edits_removes(client, carol, program_ab):
    client.force_login(carol)
    edit = reverse("outcomes:survey_edit", args=[program_ab.pk, "post"])
    assert client.get(edit).status_code == 200
    survey = program_ab.surveys.get(phase="post")
    client.post(
        reverse("outcomes:survey_library_add", args=[survey.pk]), {"code": "satisfaction-overall"}
    )
    response = client.post(
        reverse("outcomes:survey_question_add", args=[survey.pk]),
        {
            "kind": "single",
            "text_en": "Which city?",
            "options_en": "Gwangju\nZibo",
            "options_ko": "광주\n쯔보",
        },
    )
    assert response.status_code == 302
    own = survey.questions.get(library_code="")
    assert own.choices == [{"en": "Gwangju", "ko": "광주"}, {"en": "Zibo", "ko": "쯔보"}]
    page = client.get(reverse("outcomes:survey_question_edit", args=[own.pk])).content.decode()
    assert "Shown in English in:" in page
    client.post(reverse("outcomes:survey_question_remove", args=[own.pk]))
    assert [q.library_code for q in survey.questions.all()] == ["satisfaction-overall"]
    missing = client.post(
        reverse("outcomes:survey_question_add", args=[survey.pk]),
        {"kind": "long", "text_ko": "질문"},
    )
    assert missing.status_code == 200
    assert survey.questions.count() == 1


def test_bob_sees_zibo_by_name_and_gwangju_as_counts(client, bob, alice, surveys):
    pre, _post = surveys
    client.force_login(bob)
    response = client.get(reverse("outcomes:survey_status", args=[pre.pk]))
    page = response.content.decode()
    assert alice.display_name not in page
    assert [row["request"].application.city.slug for row in response.context["rows"]] == ["zibo"]
    counts = response.context["other_cities"][0]["counts"]
    assert [n for _label, n in counts] == [None, 0, 0]


@pytest.mark.parametrize("n", [1, 3])
def test_status_queries_constant(client, carol, program_ab, city_a, n, django_assert_num_queries):
    participants(program_ab, city_a, n)
    pre, _post = standard(program_ab, carol)
    client.force_login(carol)
    url = reverse("outcomes:survey_status", args=[pre.pk])
    client.get(url)
    with django_assert_num_queries(STATUS_QUERIES):
        client.get(url)


@pytest.mark.parametrize("n", [1, 3])
def test_my_surveys_queries_constant(
    client, carol, program_ab, city_a, n, django_assert_num_queries
):
    from tests import factories

    student = participants(program_ab, city_a, 1)[0].student
    for _ in range(n - 1):
        other = factories.ProgramFactory(cities={city_a: 3})
        factories.ApplicationFactory(program=other, student=student, state="confirmed")
        standard(other, carol)
    standard(program_ab, carol)
    client.force_login(student)
    url = reverse("outcomes:my_surveys")
    client.get(url)
    with django_assert_num_queries(MY_SURVEYS_QUERIES):
        client.get(url)


STATUS_QUERIES = 11
MY_SURVEYS_QUERIES = 8


def test_results_are_worded_in_the_readers_language(client, surveys, carol):
    """A Korean coordinator reads the questions, the scale and the options in Korean."""
    import html
    import re

    from outcomes import library

    _pre, post = surveys
    carol.preferred_language = "ko"
    carol.save(update_fields=["preferred_language"])
    client.force_login(carol)

    page = client.get(reverse("outcomes:survey_results", args=[post.pk])).content.decode()

    headings = [
        html.unescape(h) for h in re.findall(r'<h2 id="result-\d+" class="h3">([^<]*)</h2>', page)
    ]
    questions = list(post.questions.all())
    assert headings == [q.text["ko"] for q in questions]
    assert "1 – 전혀 아니다" in page
    assert "1 – Not at all" not in page
    choices = [q for q in questions if q.choices]
    assert choices
    for question in choices:
        for option in question.choices:
            assert html.escape(library.wording(option, "ko")) in page
