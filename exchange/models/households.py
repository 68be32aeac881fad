"""Host households: a host student's family home as a record the host city screens.

The student (or their guardian) describes the home; the host city's coordinators screen it
against their city's checklist (CityCarePolicy) and approve it for a year
(HOUSEHOLD_APPROVAL_DAYS). Matching reads these facts, not the application's answers, and a
household that is not approved on the program's first day can't host.
"""

from datetime import date, time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.models import City, Language
from exchange.models.applications import Application, Diet
from exchange.models.matching import MatchGroup

ADULT_AGE = 18


class CityCarePolicy(models.Model):
    """One city's duty-of-care rules: what screening a host household needs there, what the
    city's law allows, and whom an incident is told to. A city without a row uses the
    defaults below (every check asked, background checks recorded, guardians told of
    serious incidents)."""

    class BackgroundChecks(models.TextChoices):
        REQUIRED = "required", _("Required for every adult in the home")
        OPTIONAL = "optional", _("Recorded when done")
        NOT_PERMITTED = "not-permitted", _("Not permitted by the city’s law")

    class GuardianNotice(models.TextChoices):
        NEVER = "never", _("Coordinators decide each time")
        SERIOUS = "serious", _("Safeguarding concerns and high severity")
        ALL = "all", _("Every incident")

    city = models.OneToOneField(City, on_delete=models.CASCADE, related_name="care_policy")
    requires_home_visit = models.BooleanField(_("home visit required"), default=True)
    references_required = models.PositiveSmallIntegerField(
        _("references required"), default=2, validators=[MaxValueValidator(5)]
    )
    background_checks = models.CharField(
        _("background checks of adults"),
        max_length=16,
        choices=BackgroundChecks.choices,
        default=BackgroundChecks.REQUIRED,
    )
    # Whether the city's policy requires keeping a copy of each check. Off: only the status
    # and the date are stored, never the document.
    keeps_check_documents = models.BooleanField(_("keep a copy of each check"), default=False)
    requires_orientation = models.BooleanField(_("orientation required"), default=True)
    incident_guardian_notice = models.CharField(
        _("guardians are told of"),
        max_length=16,
        choices=GuardianNotice.choices,
        default=GuardianNotice.SERIOUS,
    )
    # Check-ins: a visiting student's evening check-in that is still unanswered at this local
    # time alerts the coordinators of both cities.
    check_in_answer_by = models.TimeField(_("check-ins answered by (local time)"), default=time(21))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = _("city care policies")

    def __str__(self) -> str:
        return f"Care policy of {self.city}"


class Household(models.Model):
    """A host student's family home. One per student; approved for a year at a time."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being filled in")
        SUBMITTED = "submitted", _("Waiting for screening")
        APPROVED = "approved", _("Approved")
        NOT_APPROVED = "not-approved", _("Not approved")

    student = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="household"
    )
    # The host city, whose coordinators screen it: the student's home city when created.
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="households")
    family_name = models.CharField(_("family name"), max_length=100)
    district = models.CharField(
        _("district or neighbourhood"),
        max_length=100,
        help_text=_("Shown to the guest’s guardian before the trip, for example Gyeongan-dong."),
    )
    # The full address: only the program's coordinators and, once the matching is published,
    # the household's own guest and the guest's guardian.
    address = EncryptedTextField(_("home address"), max_length=300)
    phone = models.CharField(_("household phone"), max_length=32)
    guest_rooms = models.PositiveSmallIntegerField(
        _("rooms for a guest"), default=1, validators=[MaxValueValidator(5)]
    )
    guest_beds = models.PositiveSmallIntegerField(
        _("beds for a guest"), default=1, validators=[MaxValueValidator(5)]
    )
    own_room = models.BooleanField(_("the guest has a room of their own"), default=True)
    pets = models.CharField(
        _("pets"), max_length=200, blank=True, help_text=_("For example: one cat. Empty: no pets.")
    )
    smoking = models.BooleanField(_("someone smokes at home"), default=False)
    diets_offered = models.JSONField(_("diets the family can cater for"), default=list, blank=True)
    languages = models.ManyToManyField(
        Language, blank=True, related_name="+", verbose_name=_("languages spoken at home")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    approved_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["city__name_en", "family_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(approved_on__isnull=False, approved_until__isnull=False),
                name="household_approval_dated",
            )
        ]

    def __str__(self) -> str:
        return f"{self.family_name} ({self.city})"

    def is_approved_on(self, day: date) -> bool:
        """Approved, and the approval still runs on `day` (a program's first day)."""
        return (
            self.status == self.Status.APPROVED
            and self.approved_until is not None
            and self.approved_on <= day <= self.approved_until
        )

    @property
    def has_pets(self) -> bool:
        return bool(self.pets.strip())

    def get_diets_offered_display(self) -> list[str]:
        return [str(Diet(key).label) for key in self.diets_offered if key in Diet.values]


class HouseholdMember(models.Model):
    """Someone who lives in the home. Adults give a phone and, where the city's law allows,
    have a background check recorded (its status and date; a copy only by city policy)."""

    class Relation(models.TextChoices):
        PARENT = "parent", _("Parent")
        GUARDIAN = "guardian", _("Legal guardian")
        GRANDPARENT = "grandparent", _("Grandparent")
        SIBLING = "sibling", _("Brother or sister")
        HOST_STUDENT = "host-student", _("The host student")
        OTHER_ADULT = "other-adult", _("Other adult")
        OTHER_CHILD = "other-child", _("Other child")

    class Check(models.TextChoices):
        NOT_DONE = "not-done", _("Not checked yet")
        PENDING = "pending", _("Check requested")
        CLEAR = "clear", _("Clear")
        CONCERN = "concern", _("Concern raised")
        NOT_PERMITTED = "not-permitted", _("Not permitted by law")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=100)
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"), validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    background_check = models.CharField(
        _("background check"), max_length=16, choices=Check.choices, default=Check.NOT_DONE
    )
    background_checked_on = models.DateField(_("checked on"), null=True, blank=True)
    background_check_document = models.FileField(
        upload_to="households/checks/%Y/", max_length=200, blank=True
    )

    class Meta:
        ordering = ["birth_year", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relation_display()})"

    def age_in(self, year: int) -> int:
        return year - self.birth_year

    def is_adult_in(self, year: int) -> bool:
        return self.age_in(year) >= ADULT_AGE


class HouseholdScreening(models.Model):
    """One round of the host city's screening of a household, against that city's
    checklist. A new round starts when an approval runs out."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("In progress")
        APPROVED = "approved", _("Approved")
        NOT_APPROVED = "not-approved", _("Not approved")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="screenings")
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")
    home_visit_on = models.DateField(_("home visit on"), null=True, blank=True)
    home_visit_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("home visit by"),
    )
    home_visit_notes = models.TextField(_("notes from the home visit"), max_length=3000, blank=True)
    references_checked = models.PositiveSmallIntegerField(
        _("references checked"), default=0, validators=[MaxValueValidator(5)]
    )
    references_notes = models.TextField(_("notes on the references"), max_length=2000, blank=True)
    orientation_on = models.DateField(_("orientation attended on"), null=True, blank=True)
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decision_note = models.CharField(_("reason"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Screening of {self.household} ({self.decision})"


class BackupHousehold(models.Model):
    """The household a visitor moves to if their placement falls through, named by the
    coordinators of the host city for one placement (a visitor in a pair or triad)."""

    group = models.ForeignKey(MatchGroup, on_delete=models.CASCADE, related_name="backups")
    visitor = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="backup_for")
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    named_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "visitor"], name="one_backup_per_placement")
        ]
