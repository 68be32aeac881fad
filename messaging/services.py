"""State changes for chat: rooms from the matching, messages, reports and moderation.

Every message is saved before anyone is told about it. Each room numbers its messages 1, 2, 3…
with no gaps, so a client that knows the last number it saw can ask for exactly what it missed.
"""

import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CoordinatorMembership, User, latest_birth_date
from accounts.rules import ADULT_AGE, SUPERVISING_ADULTS, is_minor
from core.models import City
from core.policy import require
from core.text import has_unstorable_characters
from core.times import local_label
from exchange.audit import audit
from exchange.models import (
    PARTICIPATING,
    Application,
    Attendance,
    AuditEntry,
    LiveSession,
    MatchGroup,
    Matching,
    Program,
    ProgramCity,
)
from messaging.broadcast import room_broadcast
from messaging.events import deleted_event, muted_event, room_event
from messaging.masking import mask_contacts
from messaging.models import (
    ERASED_BODY,
    MESSAGE_MAX,
    Message,
    ModerationAction,
    Report,
    Room,
    RoomState,
)
from messaging.rules import COORDINATOR, PARTICIPANT, room_access, room_has_minor_reader
from messaging.selectors import supervision_notice

MUTE_MAX = timedelta(days=7)
PURGE_BATCH = 2000


# --- Rooms -------------------------------------------------------------------------------


@transaction.atomic
def rooms_sync(*, program: Program) -> list[Room]:
    """The program's rooms follow its published matching exactly: everyone in the program,
    its coordinators, and one room per published pair or group.

    A pair or group is the same when it has the same members: its room (and history) is kept
    however many times the matching is run and published again. A new pair or group gets a
    new room; the room of one that no longer exists is dissolved (read-only, for coordinators
    only, until retention purges it), and opens again if the same members are matched again.
    Running it twice changes nothing. Returns the program's open rooms.
    """
    rooms = [
        Room.objects.get_or_create(
            program=program, kind=kind, defaults={"name": f"{program.title}: {label}"}
        )[0]
        for kind, label in (
            (Room.Kind.PROGRAM, _("everyone")),
            (Room.Kind.COORDINATORS, _("coordinators")),
        )
    ]
    matching = Matching.objects.filter(program=program, status=Matching.Status.PUBLISHED).first()
    groups = (
        MatchGroup.objects.filter(matching=matching).prefetch_related(
            "members__application__student"
        )
        if matching is not None
        else []
    )
    existing = {}
    for room in (
        Room.objects.select_for_update()
        .filter(program=program, kind__in=[Room.Kind.PAIR, Room.Kind.GROUP])
        .prefetch_related("applications")
        .order_by("pk")
    ):
        key = (room.kind, frozenset(a.pk for a in room.applications.all()))
        existing.setdefault(key, room)  # the oldest room of a member set keeps its history
    kept = set()
    for group in groups:
        members = [m.application for m in group.members.all()]
        kind = Room.Kind.GROUP if group.kind == MatchGroup.Kind.GROUP else Room.Kind.PAIR
        room = existing.get((kind, frozenset(a.pk for a in members)))
        if room is None:
            # A hand edit changes a group's members in place: its old room lets go of it.
            Room.objects.filter(match_group=group).update(match_group=None)
            room = Room.objects.create(
                program=program,
                kind=kind,
                match_group=group,
                name=" · ".join(a.student.display_name for a in members),
            )
            room.applications.set(members)
        elif room.match_group_id != group.pk or room.dissolved_at is not None:
            Room.objects.filter(match_group=group).exclude(pk=room.pk).update(match_group=None)
            room.match_group = group
            room.dissolved_at = None
            room.save(update_fields=["match_group", "dissolved_at"])
        kept.add(room.pk)
        rooms.append(room)
    Room.objects.filter(
        program=program, kind__in=[Room.Kind.PAIR, Room.Kind.GROUP], dissolved_at__isnull=True
    ).exclude(pk__in=kept).update(dissolved_at=timezone.now())
    return rooms


def room_is_open(room: Room, *, now: datetime | None = None) -> bool:
    """Not closed by a coordinator and not dissolved by a new matching."""
    if room.dissolved_at is not None:
        return False
    return room.closed_at is None or room.closed_at > (now or timezone.now())


# --- Messages ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Posted:
    message: Message
    created: bool  # False when the same client_id was sent before: nothing new was stored


# Numbers the room's next message and, in the same statement, reads everything that may stop
# or change the post as the database says now (messaging.rules decides the same in
# room_access and room_with_minor_reader; the invariant tests check they agree): closed,
# dissolved, the sender's mute, whether the sender coordinates a city of the program, whether
# they still take part in this room, how many adults supervise it, and whether a minor may
# read it (then contact details are masked). The UPDATE locks the room's row until commit, so
# messages are committed in the order of their numbers; refusing afterwards rolls the number
# back.
# The parts of the statement, by the room's kind (a fixed fact of a room). Every value is a
# parameter; no alias is used in RETURNING, which SQLite doesn't allow.
_IN_ROOM = {
    "program": (
        "EXISTS (SELECT 1 FROM exchange_application AS a WHERE a.program_id = %s "
        "AND a.student_id = %s AND a.state IN (%s, %s))"
    ),
    "pair": (
        "EXISTS (SELECT 1 FROM messaging_room_applications AS ra "
        "JOIN exchange_application AS a ON a.id = ra.application_id "
        "WHERE ra.room_id = %s AND a.student_id = %s AND a.state IN (%s, %s))"
    ),
}
_MINOR_IN_ROOM = {
    "program": (
        "EXISTS (SELECT 1 FROM exchange_application AS a "
        "JOIN accounts_user AS u ON u.id = a.student_id WHERE a.program_id = %s "
        "AND a.state IN (%s, %s) AND (u.date_of_birth IS NULL OR u.date_of_birth > %s))"
    ),
    "pair": (
        "EXISTS (SELECT 1 FROM messaging_room_applications AS ra "
        "JOIN exchange_application AS a ON a.id = ra.application_id "
        "JOIN accounts_user AS u ON u.id = a.student_id WHERE ra.room_id = %s "
        "AND a.state IN (%s, %s) AND (u.date_of_birth IS NULL OR u.date_of_birth > %s))"
    ),
}


def _seq_sql(kind: str) -> str:
    """The numbering statement for a room of `kind`."""
    shape = "program" if kind == Room.Kind.PROGRAM else "pair"
    in_room = "FALSE" if kind == Room.Kind.COORDINATORS else _IN_ROOM[shape]
    minor_in_room = "FALSE" if kind == Room.Kind.COORDINATORS else _MINOR_IN_ROOM[shape]
    # Only the module's own fragments above are put in; every value is a parameter.
    return f"""
UPDATE messaging_room SET last_seq = last_seq + 1 WHERE id = %s
RETURNING last_seq, closed_at, dissolved_at,
  (SELECT s.muted_until FROM messaging_roomstate AS s WHERE s.room_id = %s AND s.user_id = %s),
  EXISTS (SELECT 1 FROM accounts_user AS me WHERE me.id = %s AND me.is_active),
  EXISTS (
    SELECT 1 FROM accounts_coordinatormembership AS cm
    JOIN exchange_programcity AS pc ON pc.city_id = cm.city_id
    WHERE pc.program_id = %s AND cm.user_id = %s),
  {in_room},
  (SELECT count(DISTINCT cm.user_id) FROM accounts_coordinatormembership AS cm
    JOIN exchange_programcity AS pc ON pc.city_id = cm.city_id
    WHERE pc.program_id = %s),
  EXISTS (
    SELECT 1 FROM accounts_coordinatormembership AS cm
    JOIN exchange_programcity AS pc ON pc.city_id = cm.city_id
    JOIN accounts_user AS u ON u.id = cm.user_id
    WHERE pc.program_id = %s AND u.date_of_birth > %s)
  OR {minor_in_room}
"""  # noqa: S608


SEQ_SQL = {kind: _seq_sql(kind) for kind in Room.Kind.values}


@dataclass(frozen=True)
class Numbered:
    seq: int
    closed_at: datetime | None
    dissolved_at: datetime | None
    muted_until: datetime | None
    coordinator: bool
    participant: bool
    adults: int
    minor_reader: bool


def _take_seq(room: Room, sender_id: int, today: date) -> Numbered | None:
    states = [str(state) for state in PARTICIPATING]
    born_after = latest_birth_date(ADULT_AGE, today)
    where = room.program_id if room.kind == Room.Kind.PROGRAM else room.pk
    params = [room.pk, room.pk, sender_id, sender_id, room.program_id, sender_id]
    if room.kind != Room.Kind.COORDINATORS:
        params += [where, sender_id, *states]
    params += [room.program_id, room.program_id, born_after]
    if room.kind != Room.Kind.COORDINATORS:
        params += [where, *states, born_after]
    with connection.cursor() as cursor:
        cursor.execute(SEQ_SQL[room.kind], params)
        row = cursor.fetchone()
    if row is None:
        return None
    seq, closed_at, dissolved_at, muted_until, active, coordinator, participant, adults, minor = row
    # SQLite hands back text for timestamps and integers for booleans.
    return Numbered(
        seq=seq,
        closed_at=_moment(closed_at),
        dissolved_at=_moment(dissolved_at),
        muted_until=_moment(muted_until),
        coordinator=bool(active and coordinator),
        participant=bool(active and participant),
        adults=adults,
        minor_reader=bool(minor),
    )


def _moment(value) -> datetime | None:
    """A timestamp from raw SQL as an aware datetime: SQLite gives naive ones (in UTC) or text."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


def _already_posted(room: Room, sender: User, client_id: uuid.UUID) -> Message | None:
    return Message.objects.filter(room=room, sender=sender, client_id=client_id).first()


def message_post(*, room: Room, sender: User, body: str, client_id: uuid.UUID | str) -> Posted:
    """Store a message once per client_id. Contact details in a minor's message are masked.

    The usual post is three statements in one transaction: the sender's membership, the room's
    next number (with the closed and muted checks), and the insert. A client_id seen before
    (a resend after a lost acknowledgement) returns the stored message, even if the sender
    could no longer post.
    """
    try:
        client_id = uuid.UUID(str(client_id))
    except ValueError as error:
        raise ValidationError(_("client_id must be a UUID."), code="bad_client_id") from error
    body = body.strip()
    if has_unstorable_characters(body):
        raise ValidationError(
            _(
                "This message holds characters that can’t be stored (a control or a broken "
                "character). Remove them and send it again."
            ),
            code="bad_characters",
        )
    if not "".join(char for char in body if unicodedata.category(char) != "Cf").strip():
        # Nothing but zero-width and other invisible format characters.
        raise ValidationError(_("Write something first."), code="empty")
    if len(body) > MESSAGE_MAX:
        raise ValidationError(
            _("A message is at most %(max)d characters.") % {"max": MESSAGE_MAX}, code="too_long"
        )
    try:
        with transaction.atomic():
            numbered = _take_seq(room, sender.pk, timezone.localdate())
            if numbered is None or not (numbered.coordinator or numbered.participant):
                raise ValidationError(_("You are not a member of this room."), code="not_member")
            role = COORDINATOR if numbered.coordinator else PARTICIPANT
            now = timezone.now()
            if numbered.dissolved_at is not None:
                raise ValidationError(
                    _(
                        "The published matching no longer has this pair or group: the room is "
                        "read-only."
                    ),
                    code="dissolved",
                )
            if role == PARTICIPANT and numbered.adults < SUPERVISING_ADULTS:
                if is_minor(sender):
                    raise ValidationError(
                        _("You are no longer a member of this room."), code="not_member"
                    )
                raise ValidationError(supervision_notice(room=room), code="unsupervised")
            if numbered.closed_at is not None and numbered.closed_at <= now:
                raise ValidationError(_("This room is closed."), code="closed")
            if numbered.muted_until is not None and numbered.muted_until > now:
                raise ValidationError(
                    _("A coordinator muted you in this room until %(until)s.")
                    % {
                        "until": timezone.localtime(numbered.muted_until).strftime("%Y-%m-%d %H:%M")
                    },
                    code="muted",
                )
            session_gate(room=room, role=role, now=now, sender=sender)
            seq = numbered.seq
            # Masking follows the audience: whenever a minor may read the room, whoever
            # sends; coordinators' own messages are exempt.
            result = mask_contacts(body) if role != COORDINATOR and numbered.minor_reader else None
            message = Message.objects.create(
                room=room,
                seq=seq,
                sender=sender,
                body=result.text if result else body,
                client_id=client_id,
                masked=list(result.kinds) if result else [],
            )
            if message.masked:
                _contact_masked(message=message, original=body, sender=sender)
    except ValidationError:
        existing = _already_posted(room, sender, client_id)
        if existing is None:
            raise
        return Posted(existing, created=False)
    except IntegrityError:
        # The same client_id was stored before, on this connection or another.
        return Posted(_already_posted(room, sender, client_id), created=False)
    return Posted(message, created=True)


def _contact_masked(*, message: Message, original: str, sender: User) -> None:
    """File the automatic report and the audit entry of a message whose contact details were
    masked. The audit says what kinds, never the text: the report keeps that, for the
    program's coordinators only."""
    kinds = ", ".join(message.masked)
    Report.objects.create(
        message=message, reporter=None, automatic=True, original_body=original, reason=kinds
    )
    application_id = (
        Application.objects.filter(
            program_id=message.room.program_id, student=sender, state__in=PARTICIPATING
        )
        .values_list("pk", flat=True)
        .first()
    )
    audit(
        action=AuditEntry.Action.CONTACT_MASKED,
        by=sender,
        program_id=message.room.program_id,
        city_ids=ProgramCity.objects.filter(program_id=message.room.program_id)
        .order_by()
        .values_list("city_id", flat=True),
        application_id=application_id,
        detail=f"room {message.room_id}, message {message.seq}: {kinds}",
    )


def history_mask_for_minors(*, room: Room) -> int:
    """Masking follows the audience over time too: when a minor may now read a room (a new
    participant, a new matching), the contact details its earlier messages carry are masked
    as if the minor had been there, each with its automatic report and audit entry.
    Coordinators' own messages stay as they are. Returns how many messages were masked."""
    if not room_has_minor_reader(room=room, on=timezone.localdate()):
        return 0
    coordinators = CoordinatorMembership.objects.filter(
        city__program_cities__program_id=room.program_id
    ).values("user_id")
    masked = 0
    candidates = (
        Message.objects.select_for_update(of=("self",))
        .filter(room=room, masked=[], deleted_at__isnull=True)
        .exclude(sender_id__in=coordinators)
        .select_related("room", "sender")
        .order_by("seq")
    )
    for message in candidates:
        result = mask_contacts(message.body)
        if not result.kinds:
            continue
        original = message.body
        message.body, message.masked = result.text, list(result.kinds)
        message.save(update_fields=["body", "masked"])
        _contact_masked(message=message, original=original, sender=message.sender)
        masked += 1
    return masked


@transaction.atomic
def read_marker_set(*, room: Room, user: User, seq: int) -> RoomState:
    state, _created = RoomState.objects.select_for_update().get_or_create(room=room, user=user)
    if seq > state.last_read_seq:
        state.last_read_seq = min(seq, Room.objects.get(pk=room.pk).last_seq)
        state.save(update_fields=["last_read_seq"])
    return state


# --- Reports and moderation --------------------------------------------------------------


def _require_coordinator(room: Room, user: User) -> None:
    require(
        user,
        "messaging.moderate_room",
        room,
        message=_("Only the program’s coordinators moderate."),
    )


def _can_read(user: User, room: Room) -> bool:
    access = room_access(user=user, room_id=room.pk)
    return access is not None and access.can_read


@transaction.atomic
def report_create(*, message: Message, reporter: User, reason: str) -> Report:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say what is wrong with this message."), code="empty")
    if not _can_read(reporter, message.room):
        raise ValidationError(_("You are not a member of this room."), code="not_member")
    report, created = Report.objects.get_or_create(
        message=message, reporter=reporter, defaults={"reason": reason[:500]}
    )
    if not created:
        raise ValidationError(_("You already reported this message."), code="duplicate")
    return report


@transaction.atomic
def message_delete(*, message: Message, by: User, reason: str = "") -> Message:
    """Leave a tombstone where the message was; the audit keeps what it said."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    _require_coordinator(message.room, by)
    if message.deleted_at is not None:
        return message
    ModerationAction.objects.create(
        room=message.room,
        actor=by,
        action=ModerationAction.Action.DELETE,
        target=message.sender,
        message=message,
        detail=f"{message.body}\n---\n{reason}".strip(),
    )
    message.body = ""
    message.deleted_at = timezone.now()
    message.deleted_by = by
    message.save(update_fields=["body", "deleted_at", "deleted_by"])
    Report.objects.filter(message=message, resolved_at__isnull=True).update(
        resolved_at=message.deleted_at, resolved_by=by
    )
    room_broadcast(message.room_id, deleted_event(message))
    return message


@transaction.atomic
def member_mute(*, room: Room, user: User, until: datetime | None, by: User) -> RoomState:
    """Mute a member until a moment (at most a week), or unmute with `until=None`."""
    _require_coordinator(room, by)
    if until is not None and not timezone.now() < until <= timezone.now() + MUTE_MAX:
        raise ValidationError(_("Mute for up to seven days."), code="bad_until")
    access = room_access(user=user, room_id=room.pk)
    if access is None or access.role is None:
        raise ValidationError(_("That person is not in this room."), code="not_member")
    state, _created = RoomState.objects.select_for_update().get_or_create(room=room, user=user)
    state.muted_until = until
    state.save(update_fields=["muted_until"])
    ModerationAction.objects.create(
        room=room,
        actor=by,
        action=ModerationAction.Action.MUTE if until else ModerationAction.Action.UNMUTE,
        target=user,
        detail=until.isoformat() if until else "",
    )
    room_broadcast(room.pk, muted_event(room, user, until))
    return state


@transaction.atomic
def room_close(*, room: Room, by: User, closed: bool = True) -> Room:
    _require_coordinator(room, by)
    room = Room.objects.select_for_update().get(pk=room.pk)
    room.closed_at = timezone.now() if closed else None
    room.save(update_fields=["closed_at"])
    ModerationAction.objects.create(
        room=room,
        actor=by,
        action=ModerationAction.Action.CLOSE if closed else ModerationAction.Action.REOPEN,
    )
    room_broadcast(room.pk, room_event(room))
    return room


@transaction.atomic
def report_resolve(*, report: Report, by: User) -> Report:
    report = Report.objects.select_for_update().select_related("message__room").get(pk=report.pk)
    _require_coordinator(report.message.room, by)
    if report.resolved_at is not None:
        raise ValidationError(_("This report is already resolved."), code="resolved")
    report.resolved_at = timezone.now()
    report.resolved_by = by
    report.save(update_fields=["resolved_at", "resolved_by"])
    ModerationAction.objects.create(
        room=report.message.room,
        actor=by,
        action=ModerationAction.Action.RESOLVE,
        message=report.message,
        target=report.message.sender,
        detail=report.reason,
    )
    return report


# --- Live sessions -----------------------------------------------------------------------


def session_gate(*, room: Room, role: str, now: datetime, sender: User | None = None) -> None:
    """In an online program, participants post in its rooms only while a session is live.

    Coordinators always may, and the coordinators' room is never gated. One query at most.
    The refusal names the next session's start in the sender's city time zone.
    """
    if role == COORDINATOR or room.kind == Room.Kind.COORDINATORS:
        return
    if Room.program.is_cached(room) and room.program.kind != Program.Kind.ONLINE:
        return  # the consumer loads the program with its room: no query for visits
    live_until = getattr(room, "_live_until", None)
    if live_until is not None and now < live_until:
        return  # a session found live on this room object; it can't be moved once started
    sessions = LiveSession.objects.filter(program_id=OuterRef("pk"))
    home_city_id = sender.home_city_id if sender is not None else None
    row = (
        Program.objects.filter(pk=room.program_id, kind=Program.Kind.ONLINE)
        .annotate(
            live_until=Subquery(
                sessions.filter(starts_at__lte=now, ends_at__gt=now).values("ends_at")[:1]
            ),
            next_start=Subquery(
                sessions.filter(starts_at__gt=now).order_by("starts_at").values("starts_at")[:1]
            ),
            zone=Subquery(City.objects.filter(pk=home_city_id).values("time_zone")[:1])
            if home_city_id
            else Value(None, output_field=CharField()),
        )
        .values_list("live_until", "next_start", "zone")
        .first()
    )
    if row is None:  # not an online program
        return
    live_until, next_start, zone = row
    if live_until is not None:
        room._live_until = live_until
        return
    if next_start is None:
        message = _("The chat is open during live sessions only, and none is scheduled.")
    else:
        message = _(
            "The chat is open during live sessions only. The next one starts %(start)s."
        ) % {"start": local_label(next_start, zone or timezone.get_current_timezone_name())}
    raise ValidationError(message, code="session_not_live")


# --- Attendance --------------------------------------------------------------------------


# --- Purging old chats -------------------------------------------------------------------


def messages_purge(*, today: date) -> int:
    """Delete every message of the programs that ended more than CHAT_RETENTION_DAYS before
    `today`, and blank the message text the moderation trail kept. Returns how many messages
    were deleted.

    The moderation rows stay (who muted, deleted or closed what, and when, stays audited), and
    each room's last_seq stays, so message numbers never start again from 1.
    """
    cutoff = today - timedelta(days=settings.CHAT_RETENTION_DAYS)
    programs = Program.objects.filter(ends_on__lt=cutoff)
    messages = Message.objects.filter(room__program__in=programs)
    deleted = 0
    while batch := list(messages.values_list("pk", flat=True)[:PURGE_BATCH]):
        # Batches keep each transaction (and the rows the delete loads) small.
        with transaction.atomic():
            Message.objects.filter(pk__in=batch).delete()
        deleted += len(batch)
    # A deletion keeps the message's text and a resolved report keeps the reporter's words;
    # a mute keeps only its end date, which is no message text.
    ModerationAction.objects.filter(room__program__in=programs).exclude(
        action__in=[ModerationAction.Action.MUTE, ModerationAction.Action.UNMUTE]
    ).exclude(detail="").update(detail="")
    return deleted


# Attendance is marked on connect and then once a minute per socket; a longer silence than
# this means the person left, and the time in between does not count.
PRESENCE_GAP = timedelta(seconds=90)


def attendance_mark(*, room_id: int, user_id: int, at: datetime) -> bool:
    """Count a participant present in a room at `at`, if a session of its program is live.

    Called by the consumer on connect and then once a minute while the socket is open. Adds
    the time since the person was last seen, unless that was longer ago than PRESENCE_GAP
    (they had left). Two queries: one read, one write. Coordinators are not counted.
    Returns whether attendance was recorded.
    """
    for _attempt in range(3):
        live = LiveSession.objects.filter(
            program_id=OuterRef("program_id"), starts_at__lte=at, ends_at__gt=at
        )
        mine = Attendance.objects.filter(
            session__program_id=OuterRef("program_id"),
            session__starts_at__lte=at,
            session__ends_at__gt=at,
            application__student_id=user_id,
        )
        row = (
            Room.objects.filter(pk=room_id)
            .exclude(kind=Room.Kind.COORDINATORS)
            .annotate(
                live_session_id=Subquery(live.values("pk")[:1]),
                participant_application_id=Subquery(
                    Application.objects.filter(
                        program_id=OuterRef("program_id"),
                        student_id=user_id,
                        state__in=PARTICIPATING,
                    ).values("pk")[:1]
                ),
                room_member=Exists(
                    Room.applications.through.objects.filter(
                        room_id=room_id, application__student_id=user_id
                    )
                ),
                program_coordinator=Exists(
                    CoordinatorMembership.objects.filter(
                        user_id=user_id, city__program_cities__program_id=OuterRef("program_id")
                    )
                ),
                attendance_id=Subquery(mine.values("pk")[:1]),
                attendance_last_seen=Subquery(mine.values("last_seen_at")[:1]),
            )
            .values_list(
                "kind",
                "live_session_id",
                "participant_application_id",
                "room_member",
                "program_coordinator",
                "attendance_id",
                "attendance_last_seen",
            )
            .first()
        )
        if row is None:
            return False
        kind, session_id, application_id, member, coordinator, attendance_id, last_seen = row
        if session_id is None or application_id is None or coordinator:
            return False
        if kind != Room.Kind.PROGRAM and not member:
            return False
        if attendance_id is None:
            # Two sockets of the same person may both get here; the second insert is
            # ignored, and the first one's moment is as good as ours.
            Attendance.objects.bulk_create(
                [
                    Attendance(
                        session_id=session_id,
                        application_id=application_id,
                        first_seen_at=at,
                        last_seen_at=at,
                    )
                ],
                ignore_conflicts=True,
            )
            return True
        if last_seen is None:  # a coordinator's correction, before the person was ever seen
            updated = Attendance.objects.filter(pk=attendance_id, last_seen_at=None).update(
                first_seen_at=at, last_seen_at=at
            )
        elif at <= last_seen:
            return True  # another socket of the same person already counted this moment
        else:
            gap = at - last_seen
            added = round(gap.total_seconds()) if gap <= PRESENCE_GAP else 0
            # Only if nobody moved last_seen_at since we read it: the same minute is never
            # counted twice when a person has two sockets open.
            updated = Attendance.objects.filter(pk=attendance_id, last_seen_at=last_seen).update(
                last_seen_at=at, seconds_present=F("seconds_present") + added
            )
        if updated:
            return True
    return True


# A message the sender's erasure blanked holds ERASED_BODY (messaging.models): its number
# stays, so the room's history has no gap and resumes still work.
# A room's name lists its members; an erased member's part reads this.
ERASED_MEMBER = "—"


@transaction.atomic
def messages_erase(*, user: User, identifiers: list[str]) -> int:
    """The chat's part of an erasure: blank what the person wrote (messages, the original
    text kept with their masked messages, their reports' reasons), the moderation log text
    about them, and their name in the rooms' names. Returns how many messages were blanked.

    Messages are blanked, not deleted: numbering, counts and the replies around them stay."""
    folded = [value.casefold() for value in identifiers]

    def mentions(text: str) -> bool:
        return any(value in text.casefold() for value in folded)

    def containing(field: str) -> Q:
        return reduce(or_, (Q(**{f"{field}__icontains": v}) for v in identifiers), Q(pk__in=[]))

    Report.objects.filter(message__sender=user).update(original_body="")
    Report.objects.filter(Q(reporter=user) | containing("reason")).update(reason=ERASED_BODY)
    ModerationAction.objects.filter(
        Q(target=user) | Q(message__sender=user) | containing("detail")
    ).update(detail="")
    count = Message.objects.filter(sender=user).update(body=ERASED_BODY, masked=[])
    RoomState.objects.filter(user=user).update(muted_until=None)
    for room in Room.objects.filter(applications__student=user).distinct():
        parts = [ERASED_MEMBER if mentions(part) else part for part in room.name.split(" · ")]
        Room.objects.filter(pk=room.pk).update(name=" · ".join(parts))
    return count
