"""Participation certificates: one valid certificate per completed application, and the
branding (emblem, signature) each city prints on its certificates."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exchange.models.applications import Application
from exchange.models.network import City


def _certificate_path(certificate: "Certificate", filename: str) -> str:
    # A random name: the path says nothing about whose certificate it is.
    return f"certificates/{uuid.uuid4().hex}.pdf"


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
