"""Reads for chat: who may be in a room, a user's rooms, a room's history, the coordinators'
moderation queue, and the live sessions of online programs with their attendance."""

from datetime import datetime
from functools import reduce
from operator import or_

from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    PositiveBigIntegerField,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.models import City
from exchange.models import PARTICIPATING, Application, Program
from messaging.models import Message, ModerationAction, Report, Room, RoomState
from messaging.rules import readable_rooms


def room_history(
    *, room_id: int, after: int = 0, until: int | None = None, limit: int = 50
) -> list[Message]:
    """Up to `limit` messages numbered above `after` (and at most `until`), oldest first, with
    senders: what a socket or a process missed. Scrolling back is `room_history_page`."""
    messages = Message.objects.filter(room_id=room_id, seq__gt=after)
    if until is not None:
        messages = messages.filter(seq__lte=until)
    return list(messages.select_related("sender").order_by("seq")[:limit])


def room_list_for_user(*, user: User) -> QuerySet[Room]:
    """The user's rooms (as readable_rooms) with `last_message_at` (None before the first
    message), `last_read_seq` and `unread` (messages after the user's read marker), in one
    query whatever the number of rooms."""
    last_message = Message.objects.filter(room=OuterRef("pk")).order_by("-seq")
    read = RoomState.objects.filter(room=OuterRef("pk"), user=user).values("last_read_seq")[:1]
    return (
        readable_rooms(user=user)
        .annotate(
            last_message_at=Subquery(last_message.values("created_at")[:1]),
            last_read_seq=Coalesce(
                Subquery(read), Value(0), output_field=PositiveBigIntegerField()
            ),
            unread=ExpressionWrapper(
                F("last_seq") - F("last_read_seq"), output_field=PositiveBigIntegerField()
            ),
        )
        # Rooms of one program stay together even when two programs share a title.
        .order_by("program__title", "program_id", "kind", "id")
    )


def room_last_read_seq(*, room: Room, user: User) -> int:
    return (
        RoomState.objects.filter(room=room, user=user)
        .values_list("last_read_seq", flat=True)
        .first()
        or 0
    )


def room_history_page(
    *, room: Room, before: int | None = None, limit: int = 50
) -> tuple[list[Message], bool]:
    """Up to `limit` messages numbered below `before` (the latest ones without it), oldest
    first, and whether there are older ones still."""
    messages = Message.objects.filter(room=room).select_related("sender").order_by("-seq")
    if before is not None:
        messages = messages.filter(seq__lt=before)
    page = list(messages[: limit + 1])
    return page[:limit][::-1], len(page) > limit


# --- Moderation ----------------------------------------------------------------------------

# Messages shown on each side of a reported one, so a coordinator reads it in its conversation.
CONTEXT_AROUND = 2
ROOM_KIND_ORDER = {
    Room.Kind.PROGRAM: 0,
    Room.Kind.COORDINATORS: 1,
    Room.Kind.GROUP: 2,
    Room.Kind.PAIR: 3,
}


def open_reports_of_program():
    """Per program, how many reports in its rooms are still open (registered with the
    exchange as a coordinator figure in messaging.apps)."""
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


def moderation_reports(*, program: Program, resolved: bool = False) -> QuerySet[Report]:
    """The program's open (or resolved) reports, newest first, each with the message, its
    room and sender, and `reporter_count`: how many members reported that message (an
    automatic report, filed when contact details were masked, is nobody's)."""
    reporters = (
        Report.objects.filter(message=OuterRef("message"), automatic=False)
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
        .annotate(
            reporter_count=Coalesce(
                Subquery(reporters, output_field=IntegerField()), 0, output_field=IntegerField()
            )
        )
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


# --- Live sessions and attendance --------------------------------------------------------


def supervision_notice(*, room: Room) -> str:
    """Why a room short of two supervising adults is read-only, and who can fix it: the
    program's coordinators (named) can bring a second coordinator onto a city's team; with
    none, the city offices of the program's cities."""
    cities = list(
        City.objects.filter(program_cities__program_id=room.program_id).order_by("name_en")
    )
    coordinators = list(
        User.objects.filter(coordinator_memberships__city__in=cities).distinct().order_by("pk")
    )
    names = ", ".join(user.display_name for user in coordinators)
    city_names = ", ".join(str(city) for city in cities)
    if coordinators:
        fix = _(
            "%(coordinators)s can ask a second coordinator from %(cities)s to join the "
            "program’s team."
        ) % {"coordinators": names, "cities": city_names}
    else:
        fix = _("The city offices of %(cities)s can name its coordinators.") % {
            "cities": city_names
        }
    return " ".join(
        [
            _(
                "Fewer than two adults supervise this room, so students can read but not post "
                "here, and students under 18 can’t open it."
            ),
            fix,
        ]
    )


def room_notice(access) -> dict[str, str] | None:
    """What the chat page says above a room the person may not post in (or not read)."""
    if access.dissolved:
        return {
            "code": "dissolved",
            "text": _(
                "The published matching no longer has this pair or group. The room is kept "
                "read-only for its history until it is deleted with old chats."
            ),
        }
    if not access.supervised:
        return {"code": "unsupervised", "text": supervision_notice(room=access.room)}
    return None


def person_chat_data(*, user: User) -> dict:
    """The chat's part of a person's data download: the messages they wrote, their reports,
    the reports about their messages and the moderation steps taken on them. Rooms are
    named by kind and program only (a room's name lists other members)."""

    def room_of(message: Message) -> dict:
        return {
            "room": message.room_id,
            "kind": message.room.kind,
            "program": message.room.program.title,
        }

    messages = [
        {
            **room_of(message),
            "number": message.seq,
            "body": message.body,
            "masked": message.masked,
            "sent_at": message.created_at.isoformat(),
            "deleted_at": message.deleted_at.isoformat() if message.deleted_at else None,
        }
        for message in Message.objects.filter(sender=user)
        .select_related("room__program")
        .order_by("created_at", "id")
    ]
    reports_by_you = [
        {
            **room_of(report.message),
            "number": report.message.seq,
            "reason": report.reason,
            "reported_at": report.created_at.isoformat(),
        }
        for report in Report.objects.filter(reporter=user)
        .select_related("message__room__program")
        .order_by("created_at", "id")
    ]
    # Who reported stays with the coordinators; what was said about the message is yours.
    reports_about_you = [
        {
            **room_of(report.message),
            "number": report.message.seq,
            "reason": report.reason,
            "automatic": report.automatic,
            "your_original_text": report.original_body,
            "reported_at": report.created_at.isoformat(),
            "resolved_at": report.resolved_at.isoformat() if report.resolved_at else None,
        }
        for report in Report.objects.filter(message__sender=user)
        .select_related("message__room__program")
        .order_by("created_at", "id")
    ]
    moderation = [
        {
            "room": action.room_id,
            "action": action.action,
            "at": action.created_at.isoformat(),
        }
        for action in ModerationAction.objects.filter(target=user).order_by("created_at", "id")
    ]
    return {
        "chat_messages": messages,
        "reports_by_you": reports_by_you,
        "reports_about_your_messages": reports_about_you,
        "moderation_about_you": moderation,
    }
