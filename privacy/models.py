"""Requests to delete one's data (PIPA Art. 36, GDPR Art. 17) and their decisions.

A request holds no personal text of its own: who asked is the student's (anonymised) row,
the guardian's consent record when a guardian asked, so nothing here survives an erasure
that the erasure would have had to find.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import City


class DeletionRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a decision")
        APPROVED = "approved", _("Approved: data erased")
        REFUSED = "refused", _("Refused")

    class RequestedBy(models.TextChoices):
        STUDENT = "student", _("The student")
        GUARDIAN = "guardian", _("Their guardian")
        STAFF = "staff", _("Site staff")

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deletion_requests"
    )
    # The student's home city when they asked: its coordinators decide.
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")
    requested_by = models.CharField(max_length=16, choices=RequestedBy.choices)
    # The guardian's consent record whose signed link made the request.
    consent = models.ForeignKey(
        "accounts.GuardianConsent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(_("decide by"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Why a request was refused, as the coordinator wrote it; shown to the student.
    reason = models.TextField(_("reason"), max_length=1000, blank=True)

    class Meta:
        ordering = ["due_on", "requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"], condition=Q(status="open"), name="one_open_deletion_request"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(decided_at__isnull=False),
                name="decided_deletion_request_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(reason=""),
                name="refused_deletion_request_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Deletion request #{self.pk} ({self.status})"

    def is_overdue(self, today=None) -> bool:
        return self.status == self.Status.OPEN and (today or timezone.localdate()) > self.due_on
