"""A published A–B matching with its chat rooms, and the moderation page's reported chat, for
the chat tests."""

import pytest

from exchange.models import ApplicationLanguage
from exchange.services import matching as matching_services
from messaging import services as chat_services
from messaging.models import Room
from tests import factories
from tests.exchange.visit_helpers import home_from_answers
from tests.messaging.helpers import page_url, post


def confirmed(program, city, email, **fields):
    student = factories.StudentFactory(email=email, home_city=city, **fields)
    application = factories.ApplicationFactory(
        program=program,
        student=student,
        state="confirmed",
        gender="female",
        can_host=True,
        household_pets=False,
    )
    home_from_answers(application)
    ApplicationLanguage.objects.create(application=application, language_id="en", level=3)
    return application


@pytest.fixture
def published(program_ab, city_a, city_b, carol, bob, alice):
    """alice (A) and a Zibo student matched and published; mina has no place."""
    mine = factories.ApplicationFactory(
        program=program_ab,
        student=alice,
        state="confirmed",
        gender="female",
        can_host=True,
        household_pets=False,
    )
    home_from_answers(mine)
    ApplicationLanguage.objects.create(application=mine, language_id="en", level=3)
    buddy = confirmed(program_ab, city_b, "xiaoyu@example.org")
    matching_services.matching_run(program=program_ab, by=carol)
    matching_services.matching_approve(program=program_ab, city_ids={city_a.pk}, by=carol)
    matching_services.matching_approve(program=program_ab, city_ids={city_b.pk}, by=bob)
    matching_services.matching_publish(program=program_ab, by=carol)
    return {"alice": mine, "buddy": buddy, "pair": Room.objects.get(kind="pair")}


@pytest.fixture
def chat(published, program_ab, alice, bob):
    """Seven lines in alice's pair room, alice writing the even ones. Her line 4 is reported by
    her buddy and by bob; before that, alice reported her buddy's line 1."""
    room = published["pair"]
    buddy = published["buddy"].student
    lines = [post(room, alice if n % 2 == 0 else buddy, f"line {n}") for n in range(1, 8)]
    spam = chat_services.report_create(message=lines[0], reporter=alice, reason="spam")
    insult = chat_services.report_create(message=lines[3], reporter=buddy, reason="an insult")
    rude = chat_services.report_create(message=lines[3], reporter=bob, reason="rude")
    return {
        "program": program_ab,
        "room": room,
        "buddy": buddy,
        "lines": lines,
        "reports": {"spam": spam, "insult": insult, "rude": rude},
        "url": page_url(program_ab),
    }
