"""Reads for chat: who may be in a room, a user's rooms, a room's history, and the
coordinators' moderation queue."""

from datetime import datetime
from functools import reduce
from operator import or_

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from accounts.rules import coordinator_city_ids
from exchange.models import Application, Program
from messaging.models import Message, ModerationAction, Report, Room, RoomState

COORDINATOR = "coordinator"
PARTICIPANT = "participant"
PARTICIPATING = [Application.State.CONFIRMED, Application.State.COMPLETED]


def _program_city_ids(program_id: int) -> set[int]:
    return set(Program.objects.get(pk=program_id).program_cities.values_list("city_id", flat=True))


def room_role(*, user: User, room: Room) -> str | None:
    """COORDINATOR, PARTICIPANT or None. Coordinators of every city in the program see every
    room of it, so no room is ever private between an adult and a minor."""
    if not user.is_authenticated:
        return None
    if coordinator_city_ids(user) & _program_city_ids(room.program_id):
        return COORDINATOR
    if room.kind == Room.Kind.COORDINATORS:
        return None
    mine = Application.objects.filter(
        program_id=room.program_id, student=user, state__in=PARTICIPATING
    )
    if room.kind != Room.Kind.PROGRAM:
        mine = mine.filter(rooms=room)
    return PARTICIPANT if mine.exists() else None


def rooms_for_user(*, user: User) -> QuerySet[Room]:
    """Every room the user may open, in a fixed number of queries."""
    coordinated = Q(program__program_cities__city_id__in=coordinator_city_ids(user))
    participating = Application.objects.filter(student=user, state__in=PARTICIPATING)
    as_participant = Q(kind=Room.Kind.PROGRAM, program__in=participating.values("program")) | Q(
        kind__in=[Room.Kind.PAIR, Room.Kind.GROUP], applications__in=participating
    )
    return (
        Room.objects.filter(coordinated | as_participant)
        .select_related("program")
        .distinct()
        .order_by("program__title", "kind", "id")
    )


def room_history(*, room: Room, after: int = 0, before: int | None = None, limit: int = 50):
    """Messages after `after` (oldest first, for resuming), or the `limit` before `before`
    (for scrolling back), with senders."""
    messages = Message.objects.filter(room=room).select_related("sender")
    if before is not None:
        page = list(messages.filter(seq__lt=before).order_by("-seq")[:limit])
        return page[::-1]
    return list(messages.filter(seq__gt=after).order_by("seq")[:limit])


# --- Moderation ----------------------------------------------------------------------------

# Messages shown on each side of a reported one, so a coordinator reads it in its conversation.
CONTEXT_AROUND = 2
ROOM_KIND_ORDER = {
    Room.Kind.PROGRAM: 0,
    Room.Kind.COORDINATORS: 1,
    Room.Kind.GROUP: 2,
    Room.Kind.PAIR: 3,
}


def _open_reports_of_program():
    return Coalesce(
        Subquery(
            Report.objects.filter(message__room__program=OuterRef("pk"), resolved_at__isnull=True)
            .order_by()
            .values("message__room__program")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
        output_field=IntegerField(),
    )


def open_report_count(*, program: Program) -> int:
    return Report.objects.filter(message__room__program=program, resolved_at__isnull=True).count()


def programs_with_open_reports(programs: QuerySet[Program]) -> QuerySet[Program]:
    """The programs, each with `open_reports`, in the same query."""
    return programs.annotate(open_reports=_open_reports_of_program())


def moderation_reports(*, program: Program, resolved: bool = False) -> QuerySet[Report]:
    """The program's open (or resolved) reports, newest first, each with the message, its
    room and sender, and `reporter_count`: how many members reported that message."""
    reporters = (
        Report.objects.filter(message=OuterRef("message"))
        .order_by()
        .values("message")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Report.objects.filter(message__room__program=program, resolved_at__isnull=not resolved)
        .select_related(
            "message__room", "message__sender", "message__deleted_by", "reporter", "resolved_by"
        )
        .annotate(reporter_count=Subquery(reporters, output_field=IntegerField()))
        .order_by("-created_at", "-id")
    )


def message_context(
    *, messages: list[Message], around: int = CONTEXT_AROUND
) -> dict[int, list[Message]]:
    """For each message (by pk), itself with up to `around` messages before and after it in
    its room, oldest first; one query for all of them."""
    if not messages:
        return {}
    windows = [
        Q(room_id=m.room_id, seq__gte=m.seq - around, seq__lte=m.seq + around) for m in messages
    ]
    nearby: dict[int, list[Message]] = {}
    for line in (
        Message.objects.filter(reduce(or_, windows)).select_related("sender").order_by("seq")
    ):
        nearby.setdefault(line.room_id, []).append(line)
    return {
        m.pk: [line for line in nearby.get(m.room_id, []) if abs(line.seq - m.seq) <= around]
        for m in messages
    }


def muted_members(*, program: Program, now: datetime | None = None) -> list[RoomState]:
    """Who is muted right now in the program's rooms, soonest to be unmuted first."""
    return list(
        RoomState.objects.filter(room__program=program, muted_until__gt=now or timezone.now())
        .select_related("room", "user")
        .order_by("muted_until", "id")
    )


def program_rooms(*, program: Program) -> list[Room]:
    """The program's rooms with `member_count` and `last_message_at`, in three queries
    however many rooms there are. Members follow the matching and the roles (`room_role`):
    the program's coordinators are in every room, participants in theirs."""
    last = Message.objects.filter(room=OuterRef("pk")).order_by("-seq").values("created_at")[:1]
    rooms = list(
        Room.objects.filter(program=program).annotate(
            participants=Count(
                "applications", filter=Q(applications__state__in=PARTICIPATING), distinct=True
            ),
            last_message_at=Subquery(last),
        )
    )
    coordinators = (
        User.objects.filter(coordinator_memberships__city__program_cities__program=program)
        .distinct()
        .count()
    )
    everyone = Application.objects.filter(program=program, state__in=PARTICIPATING).count()
    for room in rooms:
        if room.kind == Room.Kind.PROGRAM:
            room.participants = everyone
        elif room.kind == Room.Kind.COORDINATORS:
            room.participants = 0
        room.member_count = room.participants + coordinators
    return sorted(rooms, key=lambda room: (ROOM_KIND_ORDER.get(room.kind, 9), room.name, room.pk))


def moderation_log(*, program: Program) -> QuerySet[ModerationAction]:
    """Every moderation step in the program's rooms, newest first: the audit trail."""
    return (
        ModerationAction.objects.filter(room__program=program)
        .select_related("room", "actor", "target", "message")
        .order_by("-created_at", "-id")
    )
