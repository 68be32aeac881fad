"""How the chat reacts to what the apps below it announce (accounts.signals,
exchange.signals). Connected in MessagingConfig.ready; each runs inside the transaction of
the change, and what it tells sockets is sent after commit."""

from django.db.models import Q

from exchange.models import PARTICIPATING
from messaging.broadcast import room_broadcast
from messaging.events import access_changed_event
from messaging.models import Room
from messaging.services import history_mask_for_minors, rooms_sync


def on_matching_published(*, program, **_signal) -> None:
    """The published pairs and groups get their rooms, in the publishing transaction; a room
    a minor may now read has its earlier contact details masked."""
    for room in rooms_sync(program=program):
        history_mask_for_minors(room=room)
    _recheck(Room.objects.filter(program=program))


def on_team_changed(*, city_id: int, **_signal) -> None:
    """Someone joined or left a city's coordinator team: every room of the city's programs
    reads its access again (a removed coordinator loses the room on the next frame; a room
    may gain or lose its second supervising adult)."""
    _recheck(Room.objects.filter(program__program_cities__city_id=city_id))


def on_application_state_changed(*, application, new_state, **_signal) -> None:
    rooms = Room.objects.filter(program_id=application.program_id)
    if new_state in PARTICIPATING:
        for room in rooms.filter(Q(kind=Room.Kind.PROGRAM) | Q(applications=application)):
            history_mask_for_minors(room=room)
    _recheck(rooms)


def on_program_cities_changed(*, program, **_signal) -> None:
    _recheck(Room.objects.filter(program=program))


def _recheck(rooms) -> None:
    for room_id in rooms.values_list("pk", flat=True).distinct():
        room_broadcast(room_id, access_changed_event(room_id))
