"""The core domain: partner cities, their partnerships, and the programs they run together."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class Theme(models.Model):
    """A program theme, also used for students' interests so the two can be compared."""

    class Slug(models.TextChoices):
        CULTURE_ARTS = "culture-arts", _("Culture and arts")
        CERAMICS = "ceramics", _("Ceramics")
        SPORTS = "sports", _("Sports")
        AGRICULTURE = "agriculture", _("Agriculture and food")
        AI_TECH = "ai-tech", _("AI and technology")
        MEDIA = "media", _("Media and journalism")
        LANGUAGES = "languages", _("Languages")
        HISTORY = "history", _("History and heritage")
        ENVIRONMENT = "environment", _("Environment")
        MUSIC = "music", _("Music")
        TOURISM = "tourism", _("Tourism")

    slug = models.CharField(max_length=32, unique=True, choices=Slug.choices)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return str(self.Slug(self.slug).label)


class Language(models.Model):
    """A spoken language. Its name is shown in the reader's interface language."""

    class Code(models.TextChoices):
        KOREAN = "ko", _("Korean")
        CHINESE = "zh", _("Chinese")
        VIETNAMESE = "vi", _("Vietnamese")
        JAPANESE = "ja", _("Japanese")
        ENGLISH = "en", _("English")
        SPANISH = "es", _("Spanish")
        FRENCH = "fr", _("French")
        GERMAN = "de", _("German")
        RUSSIAN = "ru", _("Russian")

    code = models.CharField(max_length=16, primary_key=True, choices=Code.choices)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return str(self.Code(self.code).label)


class Country(models.TextChoices):
    KOREA = "KR", _("South Korea")
    CHINA = "CN", _("China")
    VIETNAM = "VN", _("Vietnam")
    JAPAN = "JP", _("Japan")
    USA = "US", _("United States")


class City(models.Model):
    """A local government that takes part in exchanges (a city, county or province)."""

    slug = models.SlugField(max_length=64, unique=True)
    name_local = models.CharField(_("name in local script"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    main_language = models.ForeignKey(
        Language, on_delete=models.PROTECT, related_name="+", verbose_name=_("main language")
    )
    consent_age = models.PositiveSmallIntegerField(
        _("age under which guardian consent is needed"),
        default=18,
        validators=[MinValueValidator(settings.MINIMUM_CONSENT_AGE), MaxValueValidator(25)],
        help_text=_("Applicants younger than this need a guardian's consent. Never below 14."),
    )

    class Meta:
        ordering = ["name_en"]
        verbose_name_plural = _("cities")
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_age__gte=settings.MINIMUM_CONSENT_AGE),
                name="city_consent_age_at_least_minimum",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.name_local} ({self.name_en})"
            if self.name_local != self.name_en
            else self.name_en
        )

    def get_absolute_url(self) -> str:
        return reverse("exchange:city_detail", kwargs={"slug": self.slug})


class Partnership(models.Model):
    """A relationship between two cities. Stored once, with the lower id first."""

    class Kind(models.TextChoices):
        SISTER = "sister", _("Sister city")
        FRIENDSHIP = "friendship", _("Friendship city")
        DOMESTIC = "domestic", _("Domestic cooperation")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PLANNED = "planned", _("Planned")

    city_a = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    city_b = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    since = models.PositiveSmallIntegerField(_("since (year)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)

    class Meta:
        ordering = ["since", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(city_a__lt=F("city_b")), name="partnership_ordered"),
            models.UniqueConstraint(fields=["city_a", "city_b"], name="partnership_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.city_a.name_en} – {self.city_b.name_en} ({self.get_kind_display()})"

    def other(self, city: City) -> City:
        return self.city_b if city.pk == self.city_a_id else self.city_a


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


class Application(models.Model):
    """A student's application to a program, as a resident of one of its cities."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        ACCEPTED = "accepted", _("Accepted")
        WAITLISTED = "waitlisted", _("Waitlisted")
        REJECTED = "rejected", _("Not selected")
        CONFIRMED = "confirmed", _("Place confirmed")
        DECLINED = "declined", _("Place declined")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="applications")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications"
    )
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="applications")
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    motivation = models.TextField(_("motivation"), max_length=2000, blank=True)
    availability = models.TextField(_("availability"), max_length=1000, blank=True)
    # Set when a place is offered: the student must confirm before this moment.
    confirm_by = models.DateTimeField(_("confirm by"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "student"], name="one_application_per_program"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} → {self.program}"


class ApplicationEvent(models.Model):
    """The audit trail of an application: who moved it, when, from what, to what, and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_state = models.CharField(max_length=16, choices=Application.State.choices)
    to_state = models.CharField(max_length=16, choices=Application.State.choices)
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_state} → {self.to_state}"
