"""Programs that two or more partner cities run together, and each city's places."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import City, Language, Theme


class Program(models.Model):
    class Kind(models.TextChoices):
        MUTUAL_VISIT = "visit", _("Mutual visit")
        ONLINE = "online", _("Online exchange")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for applications")
        CLOSED = "closed", _("Applications closed")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=10000)
    themes = models.ManyToManyField(Theme, related_name="programs", verbose_name=_("themes"))
    cities = models.ManyToManyField(
        City, through="ProgramCity", related_name="programs", verbose_name=_("cities")
    )
    applications_open = models.DateTimeField(_("applications open"))
    applications_close = models.DateTimeField(_("applications close"))
    starts_on = models.DateField(_("program starts"))
    ends_on = models.DateField(_("program ends"))
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), validators=[MinValueValidator(10), MaxValueValidator(30)]
    )
    max_age = models.PositiveSmallIntegerField(
        _("maximum age"), validators=[MinValueValidator(10), MaxValueValidator(30)]
    )
    working_languages = models.ManyToManyField(
        Language, related_name="programs", verbose_name=_("working languages")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    blind_review = models.BooleanField(
        _("blind review"),
        default=False,
        help_text=_("Reviewers don’t see applicants’ names and schools until decisions are out."),
    )
    # Online exchanges only: the share of the sessions held that a participant must attend to
    # be marked completed and get a certificate.
    attendance_required_percent = models.PositiveSmallIntegerField(
        _("attendance required (%)"),
        default=75,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Online exchanges: the share of the live sessions held that a participant must "
            "attend to complete the program."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["applications_close", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__lte=F("max_age")), name="program_age_range"
            ),
            models.CheckConstraint(
                condition=Q(applications_open__lt=F("applications_close")),
                name="program_application_window",
            ),
            models.CheckConstraint(condition=Q(starts_on__lte=F("ends_on")), name="program_dates"),
            models.CheckConstraint(
                condition=Q(attendance_required_percent__lte=100),
                name="program_attendance_percent_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("exchange:program_detail", kwargs={"pk": self.pk})


class ProgramCity(models.Model):
    """A city taking part in a program, with the number of places it offers."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="program_cities")
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="program_cities")
    quota = models.PositiveSmallIntegerField(
        _("places"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )

    class Meta:
        ordering = ["city__name_en"]
        constraints = [
            models.UniqueConstraint(fields=["program", "city"], name="program_city_unique"),
            models.CheckConstraint(condition=Q(quota__gte=1), name="program_city_quota_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.city} ({self.quota})"
