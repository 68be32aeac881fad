"""A partnership's annual report: a bilingual PDF (the two cities' languages) rendered by a
Celery task, kept in private storage, and served only to those who may read the
partnership's outcomes (coordinators and observers of its cities), with the download
audited."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Partnership
from exchange.models.certificates import RENDER_TIME_LIMIT


def _report_path(report: "AnnualReport", filename: str) -> str:
    return f"annual-reports/{uuid.uuid4().hex}.pdf"


class AnnualReport(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RENDERING = "rendering", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # The report's two languages, in order (the cities' main languages; English when both
    # cities share one, so a partner abroad can read it).
    languages = models.JSONField(default=list)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    file = models.FileField(upload_to=_report_path, max_length=200, blank=True)
    # Why it failed, in English as stored (a msgid: the page shows it translated).
    error = models.CharField(max_length=300, blank=True)
    pages = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.partnership} {self.year} #{self.pk}"

    @property
    def is_stalled(self) -> bool:
        return (
            self.state == self.State.RENDERING
            and self.started_at is not None
            and timezone.now() - self.started_at > timedelta(seconds=2 * RENDER_TIME_LIMIT)
        )

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.QUEUED or (
            self.state == self.State.RENDERING and not self.is_stalled
        )
