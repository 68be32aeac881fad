"""State changes for chat: rooms from the matching, messages, reports and moderation.

Every message is saved before anyone is told about it. Each room numbers its messages 1, 2, 3…
with no gaps, so a client that knows the last number it saw can ask for exactly what it missed.
"""

import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Exists, F, OuterRef, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CoordinatorMembership, User
from accounts.rules import coordinator_city_ids
from exchange.audit import audit
from exchange.models import (
    Application,
    AuditEntry,
    City,
    MatchGroup,
    Matching,
    Program,
    ProgramCity,
)
from messaging.masking import mask_contacts
from messaging.models import (
    MESSAGE_MAX,
    Attendance,
    LiveSession,
    Message,
    ModerationAction,
    Report,
    Room,
    RoomState,
)
from messaging.selectors import (
    COORDINATOR,
    PARTICIPANT,
    PARTICIPATING,
    coordinates_room,
    coordinator_time_zone,
    participant_applications,
    room_role,
    room_with_minor_reader,
)
from messaging.times import local_label

MUTE_MAX = timedelta(days=7)
SESSION_MAX = timedelta(hours=6)
# Attendance is marked on connect and then once a minute per socket; a longer silence than
# this means the person left, and the time in between does not count.
PRESENCE_GAP = timedelta(seconds=90)
PURGE_BATCH = 2000


# --- Rooms -------------------------------------------------------------------------------


@transaction.atomic
def rooms_sync(*, program: Program) -> list[Room]:
    """The program's rooms: everyone in the program, its coordinators, and, once a matching is
    published, one room per pair or group. Safe to run again; history is never lost."""
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
    if matching is None:
        return rooms
    groups = MatchGroup.objects.filter(matching=matching).prefetch_related(
        "members__application__student"
    )
    for group in groups:
        members = [m.application for m in group.members.all()]
        room, _created = Room.objects.get_or_create(
            match_group=group,
            defaults={
                "program": program,
                "kind": Room.Kind.GROUP if group.kind == MatchGroup.Kind.GROUP else Room.Kind.PAIR,
                "name": " · ".join(a.student.display_name for a in members),
            },
        )
        room.applications.set(members)
        rooms.append(room)
    return rooms


def room_is_open(room: Room, *, now: datetime | None = None) -> bool:
    return room.closed_at is None or room.closed_at > (now or timezone.now())


# --- Messages ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Posted:
    message: Message
    created: bool  # False when the same client_id was sent before: nothing new was stored


SEQ_SQL = (
    "UPDATE messaging_room SET last_seq = last_seq + 1 WHERE id = %s RETURNING last_seq, "
    "closed_at, (SELECT muted_until FROM messaging_roomstate WHERE room_id = %s AND "
    "user_id = %s), "
)


def _minor_reader_sql(room: Room, on: date) -> tuple[str, tuple]:
    """selectors.room_with_minor_reader as an EXISTS for the numbering statement, compiled
    once per room object and day: compiling it took longer than running it, and a socket
    holds its room for hours. Only the SQL is kept; who reads is read on every post."""
    cached = getattr(room, "_minor_reader_sql", None)
    if cached is None or cached[0] != on:
        sql, params = room_with_minor_reader(room=room, on=on).values("pk").query.sql_with_params()
        cached = room._minor_reader_sql = (on, f"EXISTS ({sql})", tuple(params))
    return cached[1], cached[2]


def _take_seq(
    room_id: int,
    sender_id: int,
    membership: QuerySet | None,
    minor_reader: tuple[str, tuple] | None,
) -> tuple[int, datetime | None, datetime | None, int | None, bool]:
    """Number the next message of the room, in one statement that also locks the room's row
    until commit (so messages are committed in the order of their numbers) and reads what may
    stop or change the post: whether the room is closed, until when the sender is muted, the
    sender's application from `membership` (their participating applications; None for a
    coordinator, and no application then), so a student who withdrew is refused at once, and
    whether `minor_reader` (from _minor_reader_sql; None: not asked) finds a minor among the
    readers. Raising afterwards rolls the number back with the transaction, so numbers never
    skip."""
    if membership is None:
        member_sql, member_params = "NULL", ()
    else:
        member_sql, member_params = membership.values("pk")[:1].query.sql_with_params()
        member_sql = f"({member_sql})"
    minor_sql, minor_params = minor_reader or ("FALSE", ())
    # Both are the ORM's own compiled SQL; every value in them is a parameter.
    sql = f"{SEQ_SQL}{member_sql}, {minor_sql}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [room_id, room_id, sender_id, *member_params, *minor_params])
        return cursor.fetchone()


def _already_posted(room: Room, sender: User, client_id: uuid.UUID) -> Message | None:
    return Message.objects.filter(room=room, sender=sender, client_id=client_id).first()


def message_post(*, room: Room, sender: User, body: str, client_id: uuid.UUID | str) -> Posted:
    """Store a message once per client_id. Contact details are masked whenever a minor can
    read the room, whoever sends them, except in coordinators' own messages; each masked
    message files an automatic report, with the original text, in the program's moderation
    queue, and an audit entry.

    The usual post is three statements in one transaction: the sender's membership, the room's
    next number (with the closed and muted checks and whether a minor reads the room), and the
    insert. A masked one adds the report and the audit. A client_id seen before (a resend
    after a lost acknowledgement) returns the stored message, even if the sender could no
    longer post.
    """
    try:
        client_id = uuid.UUID(str(client_id))
    except ValueError as error:
        raise ValidationError(_("client_id must be a UUID."), code="bad_client_id") from error
    body = body.strip()
    if not body:
        raise ValidationError(_("Write something first."), code="empty")
    if len(body) > MESSAGE_MAX:
        raise ValidationError(
            _("A message is at most %(max)d characters.") % {"max": MESSAGE_MAX}, code="too_long"
        )
    try:
        with transaction.atomic():
            # The role, checked in the numbering statement itself (one round trip less).
            membership = None
            role = COORDINATOR
            if not coordinates_room(user=sender, room=room):
                membership = participant_applications(user=sender, room=room)
                if membership is None:
                    raise ValidationError(
                        _("You are not a member of this room."), code="not_member"
                    )
                role = PARTICIPANT
            session_gate(room=room, role=role, now=timezone.now(), sender=sender)
            minor_reader = (
                None if role == COORDINATOR else _minor_reader_sql(room, timezone.localdate())
            )
            seq, closed_at, muted_until, application_id, masking = _take_seq(
                room.pk, sender.pk, membership, minor_reader
            )
            if membership is not None and application_id is None:
                raise ValidationError(_("You are not a member of this room."), code="not_member")
            now = timezone.now()
            if closed_at is not None and closed_at <= now:
                raise ValidationError(_("This room is closed."), code="closed")
            if muted_until is not None and muted_until > now:
                raise ValidationError(
                    _("A coordinator muted you in this room until %(until)s.")
                    % {"until": timezone.localtime(muted_until).strftime("%Y-%m-%d %H:%M")},
                    code="muted",
                )
            result = mask_contacts(body) if masking else None
            message = Message.objects.create(
                room=room,
                seq=seq,
                sender=sender,
                body=result.text if result else body,
                client_id=client_id,
                masked=list(result.kinds) if result else [],
            )
            if message.masked:
                _contact_masked(message=message, original=body, application_id=application_id)
    except ValidationError:
        existing = _already_posted(room, sender, client_id)
        if existing is None:
            raise
        return Posted(existing, created=False)
    except IntegrityError:
        # The same client_id was stored before, on this connection or another.
        return Posted(_already_posted(room, sender, client_id), created=False)
    return Posted(message, created=True)


def _contact_masked(*, message: Message, original: str, application_id: int | None) -> None:
    """File the automatic report and the audit entry of a message whose contact details were
    masked. The audit says what kinds, never the text: the report keeps that."""
    kinds = ", ".join(message.masked)
    Report.objects.create(
        message=message, reporter=None, automatic=True, original_body=original, reason=kinds
    )
    audit(
        action=AuditEntry.Action.CONTACT_MASKED,
        by=message.sender,
        program_id=message.room.program_id,
        city_ids=ProgramCity.objects.filter(program_id=message.room.program_id)
        .order_by()
        .values_list("city_id", flat=True),
        application_id=application_id,
        detail=f"room {message.room_id}, message {message.seq}: {kinds}",
    )


@transaction.atomic
def read_marker_set(*, room: Room, user: User, seq: int) -> RoomState:
    state, _created = RoomState.objects.select_for_update().get_or_create(room=room, user=user)
    if seq > state.last_read_seq:
        state.last_read_seq = min(seq, Room.objects.get(pk=room.pk).last_seq)
        state.save(update_fields=["last_read_seq"])
    return state


# --- Reports and moderation --------------------------------------------------------------


def _require_coordinator(room: Room, user: User) -> None:
    if room_role(user=user, room=room) != COORDINATOR:
        raise ValidationError(_("Only the program’s coordinators moderate."), code="forbidden")


@transaction.atomic
def report_create(*, message: Message, reporter: User, reason: str) -> Report:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say what is wrong with this message."), code="empty")
    if room_role(user=reporter, room=message.room) is None:
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
    return message


@transaction.atomic
def member_mute(*, room: Room, user: User, until: datetime | None, by: User) -> RoomState:
    """Mute a member until a moment (at most a week), or unmute with `until=None`."""
    _require_coordinator(room, by)
    if until is not None and not timezone.now() < until <= timezone.now() + MUTE_MAX:
        raise ValidationError(_("Mute for up to seven days."), code="bad_until")
    if room_role(user=user, room=room) is None:
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


def _program_window(program: Program) -> tuple[datetime, datetime]:
    """From the first moment of the program's first day anywhere among its cities to the last
    moment of its last day anywhere among them."""
    zones = {
        zoneinfo.ZoneInfo(zone)
        for zone in program.program_cities.values_list("city__time_zone", flat=True)
    } or {zoneinfo.ZoneInfo(settings.TIME_ZONE)}
    first = min(datetime.combine(program.starts_on, time(0), tzinfo=zone) for zone in zones)
    last = max(
        datetime.combine(program.ends_on + timedelta(days=1), time(0), tzinfo=zone)
        for zone in zones
    )
    return first, last


def _lock_online_program(program: Program, by: User) -> Program:
    # Locking the program serialises every schedule change of it, so two coordinators can't
    # add overlapping sessions at the same moment.
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.kind != Program.Kind.ONLINE:
        raise ValidationError(
            _(
                "Live sessions are for online exchanges. “%(title)s” is a mutual visit: its "
                "participants meet in person, so it has no chat sessions to schedule."
            )
            % {"title": program.title},
            code="not_online",
        )
    city_ids = set(program.program_cities.values_list("city_id", flat=True))
    if not coordinator_city_ids(by) & city_ids:
        raise ValidationError(
            _("Only the program’s coordinators schedule its sessions."), code="forbidden"
        )
    return program


def _require_not_started(session: LiveSession, now: datetime) -> None:
    if session.starts_at <= now:
        raise ValidationError(
            _("“%(title)s” has already started: it can’t be moved or deleted any more.")
            % {"title": session.title},
            code="started",
        )


def _validate_session(
    *,
    program: Program,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    zone: str,
    session: LiveSession | None = None,
) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("Session times must be aware datetimes.")
    errors: dict[str, list[str]] = {}
    if not title:
        errors.setdefault("title", []).append(_("Give the session a title."))
    if starts_at <= now:
        errors.setdefault("starts_at", []).append(_("A session must start in the future."))
    if ends_at <= starts_at:
        errors.setdefault("ends_at", []).append(_("A session must end after it starts."))
    elif ends_at - starts_at > SESSION_MAX:
        errors.setdefault("ends_at", []).append(
            _("A session lasts at most %(hours)d hours.")
            % {"hours": SESSION_MAX.total_seconds() // 3600}
        )
    first, last = _program_window(program)
    if starts_at < first or ends_at > last:
        errors.setdefault(NON_FIELD_ERRORS, []).append(
            _("Sessions take place during the program, from %(start)s to %(end)s.")
            % {"start": program.starts_on.isoformat(), "end": program.ends_on.isoformat()}
        )
    if not errors:
        overlapping = (
            LiveSession.objects.filter(
                program=program, starts_at__lt=ends_at, ends_at__gt=starts_at
            )
            .exclude(pk=session.pk if session else None)
            .order_by("starts_at")
            .first()
        )
        if overlapping is not None:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("This overlaps “%(title)s”, from %(start)s to %(end)s.")
                % {
                    "title": overlapping.title,
                    "start": local_label(overlapping.starts_at, zone),
                    "end": local_label(overlapping.ends_at, zone),
                }
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def session_create(
    *,
    program: Program,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    by: User,
    now: datetime | None = None,
) -> LiveSession:
    """Schedule a live session of an online program, inside its dates, overlapping no other."""
    now = now or timezone.now()
    program = _lock_online_program(program, by)
    title = title.strip()
    _validate_session(
        program=program,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        now=now,
        zone=coordinator_time_zone(user=by, program=program),
    )
    return LiveSession.objects.create(
        program=program, title=title[:200], starts_at=starts_at, ends_at=ends_at, created_by=by
    )


@transaction.atomic
def session_update(
    *,
    session: LiveSession,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    by: User,
    now: datetime | None = None,
) -> LiveSession:
    """Rename or move a session. A session that has started keeps its times: attendance
    was counted against them. Its title may still be corrected."""
    now = now or timezone.now()
    program = _lock_online_program(session.program, by)
    session = LiveSession.objects.get(pk=session.pk)
    title = title.strip()
    if (starts_at, ends_at) != (session.starts_at, session.ends_at):
        _require_not_started(session, now)
        _validate_session(
            program=program,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            now=now,
            zone=coordinator_time_zone(user=by, program=program),
            session=session,
        )
    elif not title:
        raise ValidationError({"title": [_("Give the session a title.")]})
    session.title = title[:200]
    session.starts_at, session.ends_at = starts_at, ends_at
    session.save(update_fields=["title", "starts_at", "ends_at"])
    return session


@transaction.atomic
def session_delete(*, session: LiveSession, by: User, now: datetime | None = None) -> None:
    """Remove a session that has not started yet (one that has carries attendance)."""
    now = now or timezone.now()
    _lock_online_program(session.program, by)
    session = LiveSession.objects.get(pk=session.pk)
    _require_not_started(session, now)
    session.delete()


# --- Attendance --------------------------------------------------------------------------


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


@transaction.atomic
def attendance_set(
    *,
    session: LiveSession,
    application: Application,
    attended: bool | None,
    by: User,
    now: datetime | None = None,
) -> Attendance:
    """A coordinator of the participant's city corrects their attendance of a session:
    True or False overrides what was counted, None goes back to the count. Audited."""
    now = now or timezone.now()
    application = Application.objects.select_related("student").get(pk=application.pk)
    if application.program_id != session.program_id or application.state not in PARTICIPATING:
        raise ValidationError(
            _("%(name)s does not take part in this program.")
            % {"name": application.student.display_name},
            code="not_participant",
        )
    if application.city_id not in coordinator_city_ids(by):
        raise ValidationError(
            _("Only coordinators of the participant’s city correct their attendance."),
            code="forbidden",
        )
    if session.starts_at > now:
        raise ValidationError(
            _("“%(title)s” hasn’t started yet.") % {"title": session.title}, code="not_started"
        )
    attendance, _created = Attendance.objects.select_for_update().get_or_create(
        session=session, application=application
    )
    attendance.attended = attended
    attendance.marked_by = by
    attendance.marked_at = now
    attendance.save(update_fields=["attended", "marked_by", "marked_at"])
    outcome = {True: "attended", False: "absent", None: "as counted"}[attended]
    audit(
        action=AuditEntry.Action.ATTENDANCE_SET,
        by=by,
        program_id=session.program_id,
        city_ids=[application.city_id],
        application_id=application.pk,
        detail=f"{session.title} ({session.starts_at:%Y-%m-%d %H:%M} UTC): {outcome}",
    )
    return attendance


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
