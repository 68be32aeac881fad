"""State changes for chat: rooms from the matching, messages, reports and moderation.

Every message is saved before anyone is told about it. Each room numbers its messages 1, 2, 3…
with no gaps, so a client that knows the last number it saw can ask for exactly what it missed.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from exchange.models import MatchGroup, Matching, Program
from messaging.masking import mask_contacts
from messaging.models import MESSAGE_MAX, Message, ModerationAction, Report, Room, RoomState
from messaging.selectors import COORDINATOR, room_role

ADULT_AGE = 18
MUTE_MAX = timedelta(days=7)


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


def _is_minor(user: User) -> bool:
    age = user.age()
    return age is None or age < ADULT_AGE


def room_is_open(room: Room, *, now: datetime | None = None) -> bool:
    return room.closed_at is None or room.closed_at > (now or timezone.now())


# --- Messages ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Posted:
    message: Message
    created: bool  # False when the same client_id was sent before: nothing new was stored


def _take_seq(room_id: int, sender_id: int) -> tuple[int, datetime | None, datetime | None]:
    """Number the next message of the room, in one statement that also locks the room's row
    until commit (so messages are committed in the order of their numbers) and reads what may
    stop the post: whether the room is closed, and until when the sender is muted. Raising
    afterwards rolls the number back with the transaction, so numbers never skip."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE messaging_room SET last_seq = last_seq + 1 WHERE id = %s "
            "RETURNING last_seq, closed_at, (SELECT muted_until FROM messaging_roomstate "
            "WHERE room_id = %s AND user_id = %s)",
            [room_id, room_id, sender_id],
        )
        return cursor.fetchone()


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
    if not body:
        raise ValidationError(_("Write something first."), code="empty")
    if len(body) > MESSAGE_MAX:
        raise ValidationError(
            _("A message is at most %(max)d characters.") % {"max": MESSAGE_MAX}, code="too_long"
        )
    try:
        with transaction.atomic():
            role = room_role(user=sender, room=room)
            if role is None:
                raise ValidationError(_("You are not a member of this room."), code="not_member")
            seq, closed_at, muted_until = _take_seq(room.pk, sender.pk)
            now = timezone.now()
            if closed_at is not None and closed_at <= now:
                raise ValidationError(_("This room is closed."), code="closed")
            if muted_until is not None and muted_until > now:
                raise ValidationError(
                    _("A coordinator muted you in this room until %(until)s.")
                    % {"until": timezone.localtime(muted_until).strftime("%Y-%m-%d %H:%M")},
                    code="muted",
                )
            masked: tuple[str, ...] = ()
            if role != COORDINATOR and _is_minor(sender):
                result = mask_contacts(body)
                body, masked = result.text, result.kinds
            message = Message.objects.create(
                room=room,
                seq=seq,
                sender=sender,
                body=body,
                client_id=client_id,
                masked=list(masked),
            )
    except ValidationError:
        existing = _already_posted(room, sender, client_id)
        if existing is None:
            raise
        return Posted(existing, created=False)
    except IntegrityError:
        # The same client_id was stored before, on this connection or another.
        return Posted(_already_posted(room, sender, client_id), created=False)
    return Posted(message, created=True)


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
