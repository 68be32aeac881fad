"""The chat socket refuses someone with power but no second factor, as every page does."""

import pytest

from tests import factories
from tests.messaging.sockets import cookie_for, run_chat, socket

pytestmark = pytest.mark.django_db(transaction=True)


def connects(room, user) -> bool:
    cookie = cookie_for(user)

    async def scenario():
        communicator = socket(room, cookie)
        connected = (await communicator.connect())[0]
        await communicator.disconnect()
        return connected

    return run_chat(scenario())


def test_a_coordinator_without_a_second_factor_cannot_open_a_room(published, city_a, carol):
    lacking = factories.CoordinatorFactory(
        email="lacking@example.org", cities=[city_a], second_factor=False
    )
    room = published["pair"]

    assert (connects(room, lacking), connects(room, carol)) == (False, True)


def test_the_same_coordinator_opens_it_once_set_up(published, city_a):
    lacking = factories.CoordinatorFactory(
        email="lacking@example.org", cities=[city_a], second_factor=False
    )
    factories.give_second_factor(lacking)

    assert connects(published["pair"], lacking) is True
