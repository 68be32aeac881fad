"""The network: cities, their partnerships, and the shared vocabulary of themes and languages."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
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


class LanguageLevel(models.IntegerChoices):
    """How well someone speaks a language: the profile and applications use the same scale."""

    BEGINNER = 1, _("Beginner")
    INTERMEDIATE = 2, _("Intermediate")
    ADVANCED = 3, _("Advanced")
    NATIVE = 4, _("Native")


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
