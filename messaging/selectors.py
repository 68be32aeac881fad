"""Reads for chat: who may be in a room, a user's rooms, a room's history, the coordinators'
moderation queue, and the live sessions of online programs with their attendance."""

from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
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
from django.utils.translation import ngettext

from accounts.models import CoordinatorMembership, User, latest_birth_date
from accounts.rules import coordinator_city_ids
from exchange.models import Application, City, Program, ProgramCity
from messaging.models import (
    Attendance,
    LiveSession,
    Message,
    ModerationAction,
    Report,
    Room,
    RoomState,
)

COORDINATOR = "coordinator"
PARTICIPANT = "participant"
PARTICIPATING = [Application.State.CONFIRMED, Application.State.COMPLETED]
# Under this age on the day, a reader is a minor: contact details sent to a room with one are
# masked (messaging.masking).
ADULT_AGE = 18


def _program_city_ids(room: Room) -> frozenset[int]:
    """The cities taking part in the room's program, cached on the room object: a chat
    connection holds its room for its whole life, and a program's cities are settled long
    before its rooms exist."""
    cached = getattr(room, "_program_city_ids", None)
    if cached is None:
        cached = frozenset(
            ProgramCity.objects.filter(program_id=room.program_id).values_list("city_id", flat=True)
        )
        room._program_city_ids = cached
    return cached


def coordinates_room(*, user: User, room: Room) -> bool:
    """Whether the user coordinates a city of the room's program (no query once cached)."""
    return user.is_authenticated and bool(coordinator_city_ids(user) & _program_city_ids(room))


def room_participations(*, room: Room) -> QuerySet[Application] | None:
    """The applications whose students read the room as participants: everyone taking part
    in the program for its program room, the matched ones for a pair or group room; None for
    the coordinators' room, which has no participants."""
    if room.kind == Room.Kind.COORDINATORS:
        return None
    applications = Application.objects.filter(program_id=room.program_id, state__in=PARTICIPATING)
    if room.kind != Room.Kind.PROGRAM:
        applications = applications.filter(rooms=room)
    return applications


def participant_applications(*, user: User, room: Room) -> QuerySet[Application] | None:
    """The applications that make the user a participant of the room (none: not one), or
    None for the coordinators' room, which has no participants."""
    applications = room_participations(room=room)
    return None if applications is None else applications.filter(student=user)


def room_with_minor_reader(*, room: Room, on: date) -> QuerySet[Room]:
    """The room itself when someone who can read it (as room_role decides) is a minor on
    `on`, else nothing: the one test of whether a room's messages reach a minor.

    A participant counts as a minor when under ADULT_AGE or without a date of birth (nobody
    has shown they are an adult); a coordinator of the program's cities only when a date of
    birth says so. One query, or a subquery of a bigger statement (message_post reads it in
    the statement that numbers the message)."""
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


def room_role(*, user: User, room: Room) -> str | None:
    """COORDINATOR, PARTICIPANT or None. Coordinators of every city in the program see every
    room of it, so no room is ever private between an adult and a minor."""
    if not user.is_authenticated:
        return None
    if coordinates_room(user=user, room=room):
        return COORDINATOR
    mine = participant_applications(user=user, room=room)
    return PARTICIPANT if mine is not None and mine.exists() else None


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
    """The user's rooms (as rooms_for_user) with `last_message_at` (None before the first
    message), `last_read_seq` and `unread` (messages after the user's read marker), in one
    query whatever the number of rooms."""
    last_message = Message.objects.filter(room=OuterRef("pk")).order_by("-seq")
    read = RoomState.objects.filter(room=OuterRef("pk"), user=user).values("last_read_seq")[:1]
    return (
        rooms_for_user(user=user)
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


def coordinator_time_zone(*, user: User, program: Program) -> str:
    """The time zone a coordinator schedules a program's sessions in: their own city's among
    the program's cities (the first by name if they coordinate several)."""
    zone = (
        City.objects.filter(program_cities__program=program, pk__in=coordinator_city_ids(user))
        .order_by("name_en")
        .values_list("time_zone", flat=True)
        .first()
    )
    return zone or settings.TIME_ZONE


def live_session(program_id: int, now: datetime) -> LiveSession | None:
    """The program's session running at `now`, if any (sessions never overlap)."""
    return (
        LiveSession.objects.filter(program_id=program_id, starts_at__lte=now, ends_at__gt=now)
        .order_by("starts_at")
        .first()
    )


def upcoming_sessions(program: Program, now: datetime, limit: int = 5) -> list[LiveSession]:
    """The sessions not over yet at `now` (a live one first), soonest first."""
    return list(
        LiveSession.objects.filter(program=program, ends_at__gt=now).order_by("starts_at", "id")[
            :limit
        ]
    )


def program_sessions(*, program: Program) -> list[LiveSession]:
    return list(LiveSession.objects.filter(program=program).order_by("starts_at", "id"))


@dataclass(frozen=True)
class AttendanceProgress:
    """A participant's attendance against the program's requirement, over the sessions held."""

    attended: int
    held: int
    required_percent: int

    @property
    def needed(self) -> int:
        # Rounded up: 75 % of 3 sessions is 3, not 2.
        return -(-self.held * self.required_percent // 100)

    @property
    def met(self) -> bool:
        return self.attended >= self.needed

    def __str__(self) -> str:
        return ngettext(
            "attended %(attended)d of %(held)d session; %(needed)d needed",
            "attended %(attended)d of %(held)d sessions; %(needed)d needed",
            self.held,
        ) % {"attended": self.attended, "held": self.held, "needed": self.needed}


def attendance_progress(
    *, program: Program, application_ids: list[int], now: datetime
) -> dict[int, AttendanceProgress]:
    """Each application's attendance over the program's sessions that ended by `now`.

    Two queries whatever the number of applications (one when no session has ended).
    """
    held = {
        session.pk: session
        for session in LiveSession.objects.filter(program=program, ends_at__lte=now)
    }
    attended = dict.fromkeys(application_ids, 0)
    if held and application_ids:
        rows = Attendance.objects.filter(session_id__in=held, application_id__in=application_ids)
        for row in rows:
            if row.counts(held[row.session_id]):
                attended[row.application_id] += 1
    return {
        application_id: AttendanceProgress(
            attended=count, held=len(held), required_percent=program.attendance_required_percent
        )
        for application_id, count in attended.items()
    }


@dataclass(frozen=True)
class AttendanceCell:
    session: LiveSession
    attendance: Attendance | None
    # "attended", "absent" or "live" (the session is still running).
    status: str


@dataclass(frozen=True)
class AttendanceRow:
    application: Application
    cells: list[AttendanceCell]
    progress: AttendanceProgress


@dataclass(frozen=True)
class AttendanceGrid:
    sessions: list[LiveSession]  # the sessions that have started, oldest first
    rows: list[AttendanceRow]


def attendance_grid(*, program: Program, now: datetime) -> AttendanceGrid:
    """Participants × sessions started by `now`. Three queries whatever the size."""
    sessions = list(
        LiveSession.objects.filter(program=program, starts_at__lte=now).order_by("starts_at", "id")
    )
    applications = list(
        Application.objects.filter(program=program, state__in=PARTICIPATING)
        .select_related("student", "city")
        .order_by("city__name_en", "student__latin_name", "id")
    )
    found = {
        (row.session_id, row.application_id): row
        for row in Attendance.objects.filter(
            session__program=program, session__starts_at__lte=now
        ).select_related("marked_by")
    }
    held = sum(1 for session in sessions if session.ends_at <= now)
    rows = []
    for application in applications:
        cells, attended = [], 0
        for session in sessions:
            attendance = found.get((session.pk, application.pk))
            counts = attendance is not None and attendance.counts(session)
            if session.ends_at > now:
                status = "live"
            else:
                status = "attended" if counts else "absent"
                attended += counts
            cells.append(AttendanceCell(session=session, attendance=attendance, status=status))
        progress = AttendanceProgress(
            attended=attended, held=held, required_percent=program.attendance_required_percent
        )
        rows.append(AttendanceRow(application=application, cells=cells, progress=progress))
    return AttendanceGrid(sessions=sessions, rows=rows)


@dataclass(frozen=True)
class ParticipantSchedule:
    """What a participant sees of their online program's sessions, in their city's time."""

    time_zone: str
    upcoming: list[LiveSession]
    progress: AttendanceProgress
    now: datetime


def participant_schedule(
    *, application: Application, now: datetime, limit: int = 5
) -> ParticipantSchedule | None:
    """None unless the application takes part in an online program. Three queries at most."""
    program = application.program
    if program.kind != Program.Kind.ONLINE or application.state not in PARTICIPATING:
        return None
    return ParticipantSchedule(
        time_zone=application.city.time_zone,
        upcoming=upcoming_sessions(program, now, limit),
        progress=attendance_progress(program=program, application_ids=[application.pk], now=now)[
            application.pk
        ],
        now=now,
    )
