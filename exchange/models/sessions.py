"""A program's schedule of live sessions and who attended them: the completion rule of an
online exchange belongs with the program, not with the chat."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from exchange.models.applications import Application
from exchange.models.programs import Program


class LiveSession(models.Model):
    """A scheduled live chat session of an online program. Times are stored in UTC; each
    person sees them in their own city's time zone.

    While a session is live, participants may post in the program's rooms and their presence
    counts towards attendance (`exchange.services.sessions.attendance_mark`).
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="live_sessions")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["program", "starts_at"], name="live_session_program_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="live_session_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def seconds(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds())


class Attendance(models.Model):
    """How long a participant was in the program's rooms during one live session.

    `attended` is a coordinator's correction (a student who joined from a teacher's laptop);
    when it is empty, a participant attended when present for at least half the session.
    """

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="attendances")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attendances"
    )
    # Empty when a coordinator marked someone who was never seen connected.
    first_seen_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    seconds_present = models.PositiveIntegerField(default=0)
    attended = models.BooleanField(null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "application"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.application_id}"

    def counts(self, session: LiveSession) -> bool:
        """Whether this counts as attending `session`."""
        if self.attended is not None:
            return self.attended
        return self.seconds_present * 2 >= session.seconds
