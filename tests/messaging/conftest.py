"""A published A–B matching with its chat rooms, for the chat tests."""

import pytest

from exchange.models import ApplicationLanguage
from exchange.services import matching as matching_services
from messaging.models import Room
from tests import factories


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
    ApplicationLanguage.objects.create(application=mine, language_id="en", level=3)
    buddy = confirmed(program_ab, city_b, "xiaoyu@example.org")
    matching_services.matching_run(program=program_ab, by=carol)
    matching_services.matching_approve(program=program_ab, city_ids={city_a.pk}, by=carol)
    matching_services.matching_approve(program=program_ab, city_ids={city_b.pk}, by=bob)
    matching_services.matching_publish(program=program_ab, by=carol)
    return {"alice": mine, "buddy": buddy, "pair": Room.objects.get(kind="pair")}
