"""Check-in pages: the traveller's card and one tap on their application page, and the
coordinators' page of who answered what, for each persona."""

import zoneinfo
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from exchange.models import Application, CheckIn
from exchange.selectors import checkins as selectors
from tests import factories
from tests.exchange.visit_helpers import build_visit
from tests.helpers import login_redirect, message_texts, sign_in, table

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# Session, user, the base template's cities, the coordinator's cities, the second factor; the
# program and its cities; the legs, the participants, the check-ins, the host cities' policies.
QUERIES_CHECK_INS = 11


@pytest.fixture
def visit(city_a, city_b):
    return build_visit(city_a, city_b, pairs=2, starts_in_days=10)


@pytest.fixture
def alices(visit, alice) -> Application:
    """Alice travels to Zibo on the visit."""
    return factories.ApplicationFactory(
        program=visit.program, student=alice, state=Application.State.CONFIRMED
    )


def zibo_yesterday():
    return timezone.now().astimezone(SHANGHAI).date() - timedelta(days=1)


@pytest.fixture
def check_in(visit, alices) -> CheckIn:
    """Alice's check-in of yesterday evening in Zibo: open until midnight tonight, Zibo time,
    whenever the test runs."""
    return CheckIn.objects.create(application=alices, leg=visit.leg_to_b, evening=zibo_yesterday())


def answer_url(check_in) -> str:
    return f"/me/check-ins/{check_in.pk}/"


def application_url(application) -> str:
    return f"/me/applications/{application.pk}/"


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 302, "mina": 404, "carol": 404, "bob": 404, "oscar": 404}),
)
def test_check_in_answer_by_persona(request, client, check_in, persona, status):
    sign_in(request, client, persona)

    response = client.post(answer_url(check_in), {"answer": "good"})
    check_in.refresh_from_db()

    assert response.status_code == status
    if persona == "anonymous":
        assert response["Location"] == login_redirect(answer_url(check_in))
    if persona == "alice":
        assert response["Location"] == application_url(check_in.application)
    assert check_in.answer == ("good" if persona == "alice" else "")


def test_check_in_answer_is_post_only(client, alice, check_in):
    client.force_login(alice)

    response = client.get(answer_url(check_in))

    assert response.status_code == 405


def test_check_in_card_offers_three_buttons(client, alice, check_in):
    client.force_login(alice)

    html = client.get(application_url(check_in.application)).content.decode()

    assert f'action="{answer_url(check_in)}"' in html
    assert [f'name="answer" value="{value}"' in html for value in ("good", "wrong", "talk")] == [
        True,
        True,
        True,
    ]
    assert "<script" not in html.split('id="check-in-heading"')[1].split("</section>")[0]


def test_check_in_card_is_hidden_without_an_open_check_in(client, alice, alices, visit):
    CheckIn.objects.create(
        application=alices, leg=visit.leg_to_b, evening=zibo_yesterday() - timedelta(days=2)
    )
    client.force_login(alice)

    html = client.get(application_url(alices)).content.decode()

    assert 'id="check-in-heading"' not in html


def test_check_in_talk_thanks_and_says_a_coordinator_will_call(client, alice, check_in):
    client.force_login(alice)

    response = client.post(answer_url(check_in), {"answer": "talk"}, follow=True)

    assert message_texts(response) == [
        "Thank you for telling us. A coordinator will contact you soon. "
        "If you are in danger now, call 110."
    ]
    assert "You answered: I want to talk to someone." in response.content.decode()


def test_check_in_all_good_thanks(client, alice, check_in):
    client.force_login(alice)

    response = client.post(answer_url(check_in), {"answer": "good"}, follow=True)

    assert message_texts(response) == ["Thank you! Have a good evening."]
    assert 'name="answer"' not in response.content.decode()


def test_check_in_unknown_answer_writes_nothing(client, alice, check_in):
    client.force_login(alice)

    response = client.post(answer_url(check_in), {"answer": "maybe"}, follow=True)
    check_in.refresh_from_db()

    assert (check_in.answer, check_in.answered_at) == ("", None)
    assert message_texts(response) == ["Choose one of the three answers."]


def test_check_in_card_in_the_students_language(client, alice, check_in):
    alice.preferred_language = "ko"
    alice.save(update_fields=["preferred_language"])
    client.force_login(alice)

    html = client.get(application_url(check_in.application)).content.decode()

    evening = check_in.evening
    assert f"{evening.year}년 {evening.month}월 {evening.day}일" in html


def checkins_url(program) -> str:
    return f"/coordinate/programs/{program.pk}/check-ins/"


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 200, "oscar": 403}),
)
def test_check_ins_page_by_persona(request, client, visit, persona, status):
    sign_in(request, client, persona)

    response = client.get(checkins_url(visit.program))

    assert response.status_code == status


def test_check_ins_page_shows_answers_and_who_is_missing(client, carol, visit):
    leg = visit.leg_to_a
    first_evening = selectors.check_in_evenings(leg)[0]
    CheckIn.objects.create(application=visit.b[0], leg=leg, evening=first_evening, answer="wrong")
    CheckIn.objects.create(application=visit.b[1], leg=leg, evening=first_evening)
    client.force_login(carol)
    # The first evening at 22:00 in Gwangju: past the answer-by time.
    now = datetime.combine(first_evening, time(22), tzinfo=zoneinfo.ZoneInfo("Asia/Seoul"))

    blocks = selectors.program_check_ins(program=visit.program, now=now)
    response = client.get(checkins_url(visit.program))

    assert [[cell.status for cell in row.cells] for row in blocks[0].rows] == [
        ["wrong", "later"],
        ["missing", "later"],
    ]
    assert (blocks[0].worried, blocks[0].missing) == (1, 1)
    assert "Something’s wrong" in response.content.decode()


def test_check_ins_nav_link_on_visit_tools(client, carol, visit):
    client.force_login(carol)

    html = client.get(f"/coordinate/programs/{visit.program.pk}/trip-sheets/").content.decode()

    assert f'href="{checkins_url(visit.program)}"' in html
    assert f'href="/coordinate/programs/{visit.program.pk}/trip-sheets/"' in html


@pytest.mark.parametrize("pairs", [1, 3])
def test_check_ins_page_queries_do_not_grow(
    client, carol, city_a, city_b, pairs, django_assert_num_queries
):
    visit = build_visit(city_a, city_b, pairs=pairs, starts_in_days=10)
    for application in visit.b:
        CheckIn.objects.create(
            application=application,
            leg=visit.leg_to_a,
            evening=selectors.check_in_evenings(visit.leg_to_a)[0],
        )
    client.force_login(carol)
    client.get(checkins_url(visit.program))  # warms the session

    with django_assert_num_queries(QUERIES_CHECK_INS):
        response = client.get(checkins_url(visit.program))

    assert len(response.context["legs"][0].rows) == pairs
