"""Students' applications to programs, their documents, and the audit trail."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import City, Language, LanguageLevel, Theme
from exchange.models.programs import Program


class Diet(models.TextChoices):
    """Dietary needs a visitor has, and that a host household can cater for."""

    VEGETARIAN = "vegetarian", _("Vegetarian")
    VEGAN = "vegan", _("Vegan")
    HALAL = "halal", _("Halal")
    NO_PORK = "no-pork", _("No pork")
    NO_BEEF = "no-beef", _("No beef")
    NUT_FREE = "nut-free", _("Nut allergy")
    SEAFOOD_FREE = "seafood-free", _("Seafood allergy")
    GLUTEN_FREE = "gluten-free", _("Gluten-free")
    LACTOSE_FREE = "lactose-free", _("Lactose-free")


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

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Another gender or prefer not to say")

    class Passport(models.TextChoices):
        VALID = "valid", _("I have a valid passport")
        APPLIED = "applied", _("I have applied for one")
        NONE = "none", _("I don’t have one yet")
        NOT_NEEDED = "not-needed", _("Not needed (domestic visit)")

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="applications")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications"
    )
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="applications")
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)

    # What every applicant answers.
    motivation = models.TextField(_("motivation"), max_length=2000, blank=True)
    availability = models.TextField(_("availability"), max_length=1000, blank=True)
    interests = models.ManyToManyField(
        Theme, blank=True, related_name="+", verbose_name=_("interests")
    )
    practise_languages = models.ManyToManyField(
        Language, blank=True, related_name="+", verbose_name=_("languages I want to practise")
    )

    # Mutual visits only: the homestay.
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    can_host = models.BooleanField(_("my family can host a visitor"), null=True, blank=True)
    other_children = models.PositiveSmallIntegerField(
        _("other children at home"), null=True, blank=True, validators=[MaxValueValidator(20)]
    )
    household_pets = models.BooleanField(_("pets at home"), null=True, blank=True)
    household_smokers = models.BooleanField(_("someone smokes at home"), null=True, blank=True)
    own_room = models.BooleanField(_("the visitor has a room of their own"), null=True, blank=True)
    diets_offered = models.JSONField(_("diets the family can cater for"), default=list, blank=True)
    pet_allergy = models.BooleanField(_("allergic to pets"), default=False)
    dietary_needs = models.JSONField(_("dietary needs"), default=list, blank=True)
    dietary_notes = models.CharField(_("other dietary needs"), max_length=300, blank=True)
    medical_needs = models.TextField(
        _("medical needs the host family should know"), max_length=1000, blank=True
    )
    passport = models.CharField(
        _("passport status"), max_length=16, choices=Passport.choices, blank=True
    )

    # A decision a coordinator has prepared; it takes effect when the city's decisions are
    # released together, so the students hear at the same moment.
    staged_decision = models.CharField(
        _("prepared decision"),
        max_length=16,
        blank=True,
        choices=[
            (State.ACCEPTED.value, State.ACCEPTED.label),
            (State.WAITLISTED.value, State.WAITLISTED.label),
            (State.REJECTED.value, State.REJECTED.label),
        ],
    )
    staged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when a place is offered: the student must confirm before this moment.
    confirm_by = models.DateTimeField(_("confirm by"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "student"], name="one_application_per_program"
            )
        ]
        indexes = [models.Index(fields=["program", "city", "state"])]

    def __str__(self) -> str:
        return f"{self.student} → {self.program}"

    @property
    def is_visit(self) -> bool:
        return self.program.kind == Program.Kind.MUTUAL_VISIT

    def get_dietary_needs_display(self) -> list[str]:
        return [str(Diet(key).label) for key in self.dietary_needs if key in Diet.values]

    def get_diets_offered_display(self) -> list[str]:
        return [str(Diet(key).label) for key in self.diets_offered if key in Diet.values]


# The states of someone taking part: in the rooms, in the attendance, on the certificate list.
PARTICIPATING = (Application.State.CONFIRMED, Application.State.COMPLETED)


class ApplicationLanguage(models.Model):
    """A language the applicant speaks, with a level (the same scale as the profile)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="languages")
    language = models.ForeignKey(Language, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"), choices=LanguageLevel.choices)

    class Meta:
        ordering = ["-level", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "language"], name="application_language_once"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=4), name="application_language_level"
            ),
        ]


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


class RequiredDocument(models.Model):
    """A document every applicant to the program must upload."""

    class Kind(models.TextChoices):
        GUARDIAN_CONSENT = "guardian-consent", _("Signed guardian consent form")
        PASSPORT = "passport", _("Passport copy")
        SCHOOL_LETTER = "school-letter", _("Letter from your school")
        MEDICAL = "medical", _("Medical form")
        PHOTO = "photo", _("Photo of yourself")
        OTHER = "other", _("Other document")

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="required_documents"
    )
    kind = models.CharField(_("document"), max_length=32, choices=Kind.choices)
    note = models.CharField(_("note for applicants"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "kind"], name="required_document_once")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


def _document_path(document: "ApplicationDocument", filename: str) -> str:
    # A random name: nothing in the path says whose document it is or lets one be guessed.
    extension = PurePosixPath(filename).suffix
    return f"documents/{document.application.program_id}/{uuid.uuid4().hex}{extension}"


class ApplicationDocument(models.Model):
    """An uploaded document, stored privately (outside anything the web server exposes)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    requirement = models.ForeignKey(
        RequiredDocument, on_delete=models.CASCADE, related_name="uploads"
    )
    file = models.FileField(upload_to=_document_path, max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["requirement_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "requirement"], name="one_document_per_requirement"
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class AuditEntry(models.Model):
    """Who looked at or did what, beyond state changes (those are ApplicationEvents)."""

    class Action(models.TextChoices):
        DOCUMENT_DOWNLOAD = "document-download", _("Downloaded a document")
        DOCUMENT_UPLOAD = "document-upload", _("Uploaded a document")
        DOCUMENT_DELETE = "document-delete", _("Removed a document")
        EXPORT = "export", _("Exported the applicant list")
        DECISIONS_RELEASE = "decisions-release", _("Released decisions")
        MATCHING_RUN = "matching-run", _("Ran the matching")
        MATCHING_CHANGE = "matching-change", _("Changed the matching")
        MATCHING_APPROVE = "matching-approve", _("Approved the matching")
        MATCHING_PUBLISH = "matching-publish", _("Published the matching")
        CERTIFICATE_ISSUE = "certificate-issue", _("Issued a certificate")
        CERTIFICATE_DOWNLOAD = "certificate-download", _("Downloaded certificates")
        CERTIFICATE_BATCH = "certificate-batch", _("Asked for certificates to print")
        CERTIFICATE_REVOKE = "certificate-revoke", _("Revoked a certificate")
        CERTIFICATE_REISSUE = "certificate-reissue", _("Reissued a certificate")
        ATTENDANCE_SET = "attendance-set", _("Corrected a session attendance")
        PLACES_CHANGE = "places-change", _("Changed a city’s places")
        CONTACT_MASKED = "contact-masked", _("Contact details masked in a chat message")
        DOCUMENTS_EXPIRE = "documents-expire", _("Deleted documents past their retention")
        DATA_EXPORT = "data-export", _("Downloaded a copy of a person’s data")
        ERASURE_REQUEST = "erasure-request", _("Asked for a person’s data to be deleted")
        ERASURE_APPROVE = "erasure-approve", _("Approved a deletion request")
        ERASURE_REFUSE = "erasure-refuse", _("Refused a deletion request")
        ERASURE_DONE = "erasure-done", _("Erased a person’s data")
        # Duty of care on mutual visits (issue 15).
        HOUSEHOLD_SUBMIT = "household-submit", _("Sent a host household for screening")
        HOUSEHOLD_SCREEN = "household-screen", _("Recorded a household screening step")
        HOUSEHOLD_APPROVE = "household-approve", _("Approved a host household")
        HOUSEHOLD_REFUSE = "household-refuse", _("Did not approve a host household")
        HOUSEHOLD_VIEW = "household-view", _("Viewed a host household’s address and members")
        HOUSEHOLD_BACKUP = "household-backup", _("Named a backup household")
        HOUSEHOLD_VISIT = "household-visit", _("Recorded a visit to a household")
        TRIP_CONSENT_REQUEST = "trip-consent-request", _("Asked a guardian for trip consent")
        TRIP_CONSENT_SIGN = "trip-consent-sign", _("A guardian signed the trip consent")
        TRIP_CONSENT_WITHDRAW = "trip-consent-withdraw", _("A guardian withdrew the trip consent")
        EMERGENCY_VIEW = "emergency-view", _("Viewed emergency and medical information")
        EMERGENCY_EXPIRE = "emergency-expire", _("Deleted emergency information past retention")
        ITINERARY_CHANGE = "itinerary-change", _("Changed the itinerary")
        TRIP_SHEETS = "trip-sheets", _("Printed trip sheets")
        TRIP_MESSAGE = "trip-message", _("Sent a message to travellers")
        CHECK_IN_ALERT = "check-in-alert", _("A check-in raised an alert")
        INCIDENT_LOG = "incident-log", _("Logged an incident")
        INCIDENT_UPDATE = "incident-update", _("Added a follow-up to an incident")
        INCIDENT_VIEW = "incident-view", _("Viewed an incident")
        INCIDENT_EXPORT = "incident-export", _("Exported incidents")
        # Outcomes (issue 16).
        SURVEY_CHANGE = "survey-change", _("Changed a survey")
        SURVEY_SEND = "survey-send", _("Sent a survey")
        SURVEY_RESEND = "survey-resend", _("Sent a survey again")
        SURVEY_QUOTE = "survey-quote", _("Chose a quote for the report")
        LEARNING_CONFIRM = "learning-confirm", _("Confirmed a learning outcome")
        PLAN_CHANGE = "plan-change", _("Changed an action plan")
        WORKING_GROUP_CHANGE = "working-group-change", _("Changed a working group")
        REPORT_REQUEST = "report-request", _("Asked for an annual report")
        REPORT_DOWNLOAD = "report-download", _("Downloaded an annual report")
        FIGURES_EXPORT = "figures-export", _("Exported figures")
        OBSERVER_ADD = "observer-add", _("Named an observer")
        OBSERVER_REMOVE = "observer-remove", _("Removed an observer")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=32, choices=Action.choices)
    # Empty for what concerns a person rather than a program (their data rights).
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_entries"
    )
    # The city whose coordinators see the entry; empty only for a person with no city (a
    # data-rights entry that only site staff see).
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_entries"
    )
    # The person the entry is about, when it is not an application (a data-rights request).
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.actor} {self.action} {self.detail}"


class Reminder(models.Model):
    """A deadline reminder that was sent, so the periodic task sends each one once."""

    class Kind(models.TextChoices):
        APPLICATION_DEADLINE = "apply", _("Application deadline")
        CONFIRM_DEADLINE = "confirm", _("Confirmation deadline")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="reminder_once")
        ]
