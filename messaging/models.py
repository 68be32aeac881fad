"""Chat rooms, their messages, and the moderation trail.

Who is in a room is not stored: it follows the matching and the program's roles
(`messaging.selectors.room_role`), so a participant who withdraws loses access at once.
Per-person state (read marker, mute) is stored in RoomState.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from exchange.models import Application, MatchGroup, Program

MESSAGE_MAX = 2000
# What a message the sender's erasure blanked holds (messaging.services.messages_erase). It is a
# marker, not text: pages and the chat show it as chat_strings["erased"], in the reader's language.
ERASED_BODY = "[erased]"


class Room(models.Model):
    class Kind(models.TextChoices):
        PAIR = "pair", _("Buddy chat")
        GROUP = "group", _("Group chat")
        PROGRAM = "program", _("Everyone in the program")
        COORDINATORS = "coordinators", _("Coordinators")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rooms")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Pair and group rooms belong to a match; the room (and its history) outlives a re-run.
    match_group = models.OneToOneField(
        MatchGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="room"
    )
    # The matched students of a pair or group room, kept here so membership survives re-runs.
    applications = models.ManyToManyField(Application, blank=True, related_name="rooms")
    name = models.CharField(max_length=200)
    # The last message number handed out; each room counts from 1 without gaps.
    last_seq = models.PositiveBigIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Set when a newly published matching no longer has this pair or group: the room stays
    # (with its history) read-only, for coordinators, until retention purges it.
    dissolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "kind"],
                condition=Q(kind__in=["program", "coordinators"]),
                name="one_program_room_of_each_kind",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The room's name in the reader's language. The program's two rooms are named by
        their kind (a stored name would stay in the language of whoever created it); a pair or
        group room by its members' names, which read the same in every language."""
        if self.kind in (self.Kind.PROGRAM, self.Kind.COORDINATORS):
            return str(self.get_kind_display())
        return self.name


class Message(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveBigIntegerField()
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(max_length=MESSAGE_MAX)
    # Chosen by the sending client; the same id twice is one message.
    client_id = models.UUIDField(default=uuid.uuid4)
    # Contact details masked because a minor can read the room ("phone", "email"...).
    masked = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["room_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="message_seq_once"),
            models.UniqueConstraint(
                fields=["room", "sender", "client_id"], name="message_client_id_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room_id}#{self.seq}"


class RoomState(models.Model):
    """One person's place in a room: what they have read, and whether they are muted."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="states")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_seq = models.PositiveBigIntegerField(default=0)
    muted_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="room_state_once")]


class Report(models.Model):
    """A member's report of a message, for the program's coordinators to look at, or an
    automatic one: contact details were masked in it (messaging.services.message_post)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    # None for an automatic report, and for a member who has since been deleted.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500)
    automatic = models.BooleanField(default=False)
    # What the sender wrote before masking, for the coordinators only: it is never sent to a
    # room, and it goes with the message when the chat is purged.
    original_body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["message", "reporter"], name="report_once")]


class ModerationAction(models.Model):
    """Every moderation step, for the audit: who did what to whom, when and why."""

    class Action(models.TextChoices):
        DELETE = "delete", _("Deleted a message")
        MUTE = "mute", _("Muted a member")
        UNMUTE = "unmute", _("Unmuted a member")
        CLOSE = "close", _("Closed the room")
        REOPEN = "reopen", _("Reopened the room")
        RESOLVE = "resolve", _("Resolved a report")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="moderation")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What was removed or why, kept for the audit even after the message is gone.
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
