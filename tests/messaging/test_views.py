"""GET /api/chat/rooms/: each persona's rooms as JSON, nothing more."""

import pytest

from messaging.models import Room
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "kinds"),
    [
        ("alice", ["pair", "program"]),
        ("mina", []),
        ("carol", ["coordinators", "pair", "program"]),
        ("bob", ["coordinators", "pair", "program"]),
        ("oscar", []),
    ],
)
def test_rooms_api_lists_the_users_rooms(request, client, published, persona, kinds):
    sign_in(request, client, persona)

    response = client.get("/api/chat/rooms/")

    assert response.status_code == 200
    rooms = {room.pk: room for room in Room.objects.all()}
    body = response.json()
    assert sorted(rooms[row["id"]].kind for row in body) == kinds
    assert all(
        row
        == {
            "id": row["id"],
            "name": rooms[row["id"]].title,
            "ws_url": f"ws://testserver/ws/rooms/{row['id']}/",
        }
        for row in body
    )


def test_rooms_api_anonymous_gets_401_as_json(client, published):
    response = client.get("/api/chat/rooms/")

    assert response.status_code == 401
    assert response.json() == {
        "type": "error",
        "code": "not_authenticated",
        "detail": "Sign in first.",
    }


def test_rooms_api_refuses_post(client, alice):
    client.force_login(alice)

    assert client.post("/api/chat/rooms/").status_code == 405
