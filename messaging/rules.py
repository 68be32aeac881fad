"""Who may do what in chat: the one place that decides it.

A person's access to a room is read from the database in one query (`room_access`), at every
socket frame and every request, never cached on a long-lived object:
- coordinators of every city taking part in the room's program are in every room of it, so
  no room is ever private between an adult and a minor;
- participants (confirmed or completed applications) are in the program's room, and in the
  pair or group room the published matching put them in;
- *two adults or none*: while fewer than SUPERVISING_ADULTS coordinators (counted once, over
  the program's cities) supervise a room, it is read-only for students and closed to minors;
- a room whose pair or group was dissolved by a new matching is read-only, and only its
  coordinators still open it;
- the moderation page of a program is for its coordinators.
"""

from dataclasses import dataclass
from datetime import date

import rules
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from accounts.models import CoordinatorMembership, User, latest_birth_date
from accounts.rules import ADULT_AGE, SUPERVISING_ADULTS, coordinator_city_ids, is_minor
from exchange.models import PARTICIPATING, Application, ProgramCity
from exchange.rules import coordinates_program
from messaging.models import Room

COORDINATOR = "coordinator"
PARTICIPANT = "participant"


def supervising_adults():
    """Per room (OuterRef "program_id"): the coordinators of the program's cities, each
    counted once however many of its cities they coordinate."""
    return Coalesce(
        Subquery(
            CoordinatorMembership.objects.filter(
                city__program_cities__program_id=OuterRef("program_id")
            )
            .order_by()
            .values("city__program_cities__program_id")
            .annotate(n=Count("user_id", distinct=True))
            .values("n")[:1]
        ),
        0,
    )


@dataclass(frozen=True)
class RoomAccess:
    """What one person may do in one room, as the database says now."""

    room: Room
    role: str | None  # COORDINATOR, PARTICIPANT or None
    adults: int  # supervising adults of the room
    minor: bool  # the person is under 18

    @property
    def supervised(self) -> bool:
        return self.adults >= SUPERVISING_ADULTS

    @property
    def dissolved(self) -> bool:
        return self.room.dissolved_at is not None

    @property
    def can_read(self) -> bool:
        if self.role == COORDINATOR:
            return True
        if self.role != PARTICIPANT or self.dissolved:
            return False
        return self.supervised or not self.minor

    @property
    def can_post(self) -> bool:
        """Whether the room takes this person's messages (closing and muting aside)."""
        if not self.can_read or self.dissolved:
            return False
        return self.role == COORDINATOR or self.supervised

    @property
    def why_read_only(self) -> str | None:
        """ "dissolved" or "unsupervised" when the person may read but not post."""
        if not self.can_read or self.can_post:
            return None
        return "dissolved" if self.dissolved else "unsupervised"


def room_access(*, user: User, room_id: int) -> RoomAccess | None:
    """The person's access to the room, in one query. None: no such room."""
    if user is None or not user.is_authenticated:
        return None
    participating = Application.objects.filter(
        program_id=OuterRef("program_id"), student_id=user.pk, state__in=PARTICIPATING
    )
    in_room = Room.applications.through.objects.filter(
        room_id=OuterRef("pk"),
        application__student_id=user.pk,
        application__state__in=PARTICIPATING,
    )
    room = (
        Room.objects.filter(pk=room_id)
        .select_related("program")
        .annotate(
            access_coordinator=Exists(
                CoordinatorMembership.objects.filter(
                    user_id=user.pk, city__program_cities__program_id=OuterRef("program_id")
                )
            ),
            access_in_program=Exists(participating),
            access_in_room=Exists(in_room),
            access_adults=supervising_adults(),
            access_active=Exists(User.objects.filter(pk=user.pk, is_active=True)),
        )
        .first()
    )
    if room is None:
        return None
    in_program = room.kind == Room.Kind.PROGRAM and room.access_in_program
    in_room = room.kind in (Room.Kind.PAIR, Room.Kind.GROUP) and room.access_in_room
    if not room.access_active:  # deactivated since the socket opened
        role = None
    elif room.access_coordinator:
        role = COORDINATOR
    elif in_program or in_room:
        role = PARTICIPANT
    else:
        role = None
    return RoomAccess(room=room, role=role, adults=room.access_adults, minor=is_minor(user))


def room_participations(*, room: Room):
    """The applications whose students take part in the room: everyone taking part in the
    program for its program room, the matched ones for a pair or group room; None for the
    coordinators' room, which has no participants."""
    if room.kind == Room.Kind.COORDINATORS:
        return None
    applications = Application.objects.filter(program_id=room.program_id, state__in=PARTICIPATING)
    if room.kind != Room.Kind.PROGRAM:
        applications = applications.filter(rooms=room)
    return applications


def room_with_minor_reader(*, room: Room, on: date):
    """The room itself when someone who may be in it is a minor on `on`, else nothing: the
    one test of whether a room's messages may reach a minor (masking decides by it).

    A participant counts as a minor when under ADULT_AGE or without a date of birth (nobody
    has shown they are an adult); a coordinator of the program's cities only when a date of
    birth says so. message_post reads the same in its numbering statement (SEQ_SQL); the
    invariant tests check the two agree."""
    born_after = latest_birth_date(ADULT_AGE, on)
    readers = Exists(
        CoordinatorMembership.objects.filter(
            city_id__in=ProgramCity.objects.filter(program_id=room.program_id).values("city_id"),
            user__date_of_birth__gt=born_after,
        )
    )
    participants = room_participations(room=room)
    if participants is not None:
        readers |= Exists(
            participants.filter(
                Q(student__date_of_birth__isnull=True) | Q(student__date_of_birth__gt=born_after)
            )
        )
    return Room.objects.filter(readers, pk=room.pk)


def room_has_minor_reader(*, room: Room, on: date) -> bool:
    return room_with_minor_reader(room=room, on=on).exists()


def readable_rooms(*, user: User):
    """Every room the person may open now, in one query (the same rules as room_access)."""
    coordinated = Q(program__program_cities__city_id__in=coordinator_city_ids(user))
    participating = Application.objects.filter(student=user, state__in=PARTICIPATING)
    as_participant = (
        Q(kind=Room.Kind.PROGRAM, program__in=participating.values("program"))
        | Q(kind__in=[Room.Kind.PAIR, Room.Kind.GROUP], applications__in=participating)
    ) & Q(dissolved_at__isnull=True)
    if is_minor(user):
        as_participant &= Q(access_adults__gte=SUPERVISING_ADULTS)
    return (
        Room.objects.annotate(access_adults=supervising_adults())
        .filter(coordinated | as_participant)
        .select_related("program")
        .distinct()
        .order_by("program__title", "kind", "id")
    )


@rules.predicate
def moderates_room(user, room: Room | None) -> bool:
    if room is None:
        return False
    access = room_access(user=user, room_id=room.pk)
    return access is not None and access.role == COORDINATOR


rules.add_perm("messaging.moderate_program", coordinates_program)
rules.add_perm("messaging.moderate_room", moderates_room)


def room_role(*, user: User, room: Room) -> str | None:
    """COORDINATOR or PARTICIPANT when the person may read the room now, else None."""
    access = room_access(user=user, room_id=room.pk)
    return access.role if access is not None and access.can_read else None
