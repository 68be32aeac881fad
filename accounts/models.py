"""Users, their profiles, coordinator teams and guardian consent."""

from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import City, Language, LanguageLevel, Theme


def age_on(date_of_birth: date, day: date) -> int:
    """Completed years on `day` (someone born on 29 February turns a year older on 1 March)."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


def latest_birth_date(age: int, day: date) -> date:
    """The latest date of birth of someone at least `age` on `day`, as age_on counts: anyone
    born after it is younger (29 February, `age` years back in a common year, is the 28th)."""
    try:
        return day.replace(year=day.year - age)
    except ValueError:
        return day.replace(year=day.year - age, day=28)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person with an account. Students are the default; coordinators belong to city teams."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)

    native_name = models.CharField(
        _("name in your own script"),
        max_length=100,
        blank=True,
        help_text=_("As written at home, for example 김민지, 王晓雨, 田中結衣 or Nguyễn Thị Lan."),
    )
    latin_name = models.CharField(
        _("name in Latin letters"),
        max_length=100,
        blank=True,
        help_text=_("As in your passport, for example Kim Minji."),
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    home_city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("home city"),
    )
    school = models.CharField(_("school"), max_length=200, blank=True)
    interests = models.ManyToManyField(
        Theme, blank=True, related_name="+", verbose_name=_("interests")
    )
    preferred_language = models.CharField(
        _("interface language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    # Set when the person's data was erased (privacy.services): the row stays, anonymised
    # and unable to sign in, so counts, places and certificates stay whole.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["latin_name", "email"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """Native script first, with the Latin form beside it when they differ."""
        if self.native_name and self.latin_name and self.native_name != self.latin_name:
            return f"{self.native_name} ({self.latin_name})"
        return self.native_name or self.latin_name or self.email.split("@")[0]

    def age(self, on: date | None = None) -> int | None:
        if self.date_of_birth is None:
            return None
        return age_on(self.date_of_birth, on or timezone.localdate())

    @property
    def is_under_minimum_consent_age(self) -> bool:
        """Under 14 (PIPA Art. 22-2): nothing beyond the consent request without a guardian."""
        age = self.age()
        return age is not None and age < settings.MINIMUM_CONSENT_AGE

    @property
    def needs_guardian_consent(self) -> bool:
        """Whether applying to programs needs a guardian's consent, by the home city's rule."""
        age = self.age()
        if age is None:
            return False
        threshold = self.home_city.consent_age if self.home_city else 18
        return age < max(threshold, settings.MINIMUM_CONSENT_AGE)

    @property
    def profile_is_complete(self) -> bool:
        return bool(
            self.native_name and self.latin_name and self.date_of_birth and self.home_city_id
        )


class SpokenLanguage(models.Model):
    Level = LanguageLevel

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="spoken_languages")
    language = models.ForeignKey(Language, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)

    class Meta:
        ordering = ["-level", "language"]
        constraints = [
            models.UniqueConstraint(fields=["user", "language"], name="spoken_language_once"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=4), name="level_range"),
        ]

    def __str__(self) -> str:
        return f"{self.language} ({self.get_level_display()})"


class CoordinatorMembership(models.Model):
    """Membership of a city's coordinator team. A coordinator acts only for these cities."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="coordinator_memberships")
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="coordinator_memberships")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "city"], name="coordinator_membership_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.city}"


class ObserverMembership(models.Model):
    """A read-only observer of a city's exchanges: the mayor's office, a working group's
    member from outside the coordinator team. Sees dashboards, action plans and reports,
    never a person (outcomes.rules)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="observer_memberships")
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="observer_memberships")
    added_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "city"], name="observer_membership_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.city} (observer)"


class GuardianConsent(models.Model):
    """A request for, and the record of, a legal guardian's consent for one student.

    A student has at most one current request; naming a different guardian replaces it.
    Withdrawal keeps the row, so the record of what was consented and when survives.
    """

    class Relationship(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        LEGAL_GUARDIAN = "guardian", _("Legal guardian")
        OTHER = "other", _("Other legal representative")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for your guardian")
        GIVEN = "given", _("Given")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="guardian_consents")
    guardian_email = models.EmailField(_("guardian's email address"))
    requested_at = models.DateTimeField(default=timezone.now)
    guardian_name = models.CharField(_("guardian's full name"), max_length=100, blank=True)
    relationship = models.CharField(
        _("relationship to the student"), max_length=16, choices=Relationship.choices, blank=True
    )
    consented_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"], condition=Q(is_current=True), name="one_current_consent"
            ),
            models.CheckConstraint(
                condition=Q(consented_at__isnull=True)
                | (~Q(guardian_name="") & ~Q(relationship="")),
                name="consent_names_guardian",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.guardian_email} ({self.status})"

    @property
    def status(self) -> str:
        if self.withdrawn_at:
            return self.Status.WITHDRAWN
        if self.consented_at:
            return self.Status.GIVEN
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)
