"""Participation certificates: one valid certificate per completed application, the
branding (emblem, signature) each city prints on its certificates, and the batches
coordinators ask for to print a program's certificates."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import City
from exchange.models.applications import Application
from exchange.models.programs import Program

# Hard and soft time limits (seconds) of the Celery tasks that render certificates
# (exchange.tasks). A single render takes ~60 ms; a batch of 300 stored certificates ~1 s,
# or ~20 s if none was rendered yet: a minute means something is stuck (a font cache
# rebuild, a huge image). Their memory limit is in exchange/limits.py.
RENDER_TIME_LIMIT = 60
RENDER_SOFT_TIME_LIMIT = 50


def _certificate_path(certificate: "Certificate", filename: str) -> str:
    # A random name: the path says nothing about whose certificate it is.
    return f"certificates/{uuid.uuid4().hex}.pdf"


def _batch_path(batch: "CertificateBatch", filename: str) -> str:
    return f"certificate-batches/{uuid.uuid4().hex}.{batch.format}"


def _branding_path(branding: "CityBranding", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "png"
    return f"branding/{uuid.uuid4().hex}.{extension}"


class Certificate(models.Model):
    """A certificate of participation. Valid until revoked; a reissue revokes the old one and
    points it at its replacement, so a printed serial can always be traced."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="certificates"
    )
    serial = models.CharField(_("serial number"), max_length=32, unique=True)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True)
    replaced_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaces"
    )
    pdf = models.FileField(upload_to=_certificate_path, max_length=200, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["issued_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(revoked_at__isnull=True),
                name="one_valid_certificate_per_application",
            )
        ]

    def __str__(self) -> str:
        return self.serial

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class CityBranding(models.Model):
    """What a city prints on its participants' certificates. Images sit in private storage
    and were cleaned by exchange.uploads.clean_upload before they were saved."""

    city = models.OneToOneField(City, on_delete=models.CASCADE, related_name="branding")
    emblem = models.FileField(_("emblem"), upload_to=_branding_path, max_length=200, blank=True)
    signature = models.FileField(
        _("signature"), upload_to=_branding_path, max_length=200, blank=True
    )
    signatory_name = models.CharField(_("signatory"), max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = _("city brandings")

    def __str__(self) -> str:
        return str(self.city)


class CertificateBatch(models.Model):
    """A coordinator's request for a program's certificates in one file, rendered by a Celery
    task. The file sits in private storage and is served only by a view that checks who may
    print every one of the batch's cities, and audits the download."""

    class Format(models.TextChoices):
        PDF = "pdf", _("One PDF, a page per certificate")
        ZIP = "zip", _("ZIP of single PDFs")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RENDERING = "rendering", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="certificate_batches"
    )
    # The applicants' cities whose valid certificates go in; all of them the requester's own.
    cities = models.ManyToManyField(City, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    format = models.CharField(max_length=8, choices=Format.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    file = models.FileField(upload_to=_batch_path, max_length=200, blank=True)
    # Why it failed, in English as stored (a msgid: the page shows it translated).
    error = models.CharField(max_length=300, blank=True)
    pages = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("certificate batches")

    def __str__(self) -> str:
        return f"{self.program} #{self.pk} ({self.format})"

    @property
    def is_stalled(self) -> bool:
        """Still marked rendering well past the task's hard time limit: the worker was killed
        (out of memory, the limit itself) before it could record the failure."""
        return (
            self.state == self.State.RENDERING
            and self.started_at is not None
            and timezone.now() - self.started_at > timedelta(seconds=2 * RENDER_TIME_LIMIT)
        )

    @property
    def is_pending(self) -> bool:
        """Queued, or being rendered right now: the page keeps asking until it is not."""
        return self.state == self.State.QUEUED or (
            self.state == self.State.RENDERING and not self.is_stalled
        )
