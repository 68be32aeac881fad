"""A mutual visit as a trip: its two legs, the day-by-day itinerary, the guardian's trip
consent, each traveller's emergency information, evening check-ins, the host city's
household visits, incidents, messages to travellers and printable trip sheets.

A two-city visit has two legs: one city's group travels to the other (the host city), then
the other way round. Each participant travels on the leg whose host city is not their own,
and their family hosts on the other.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.models import City
from exchange.models.applications import Application
from exchange.models.certificates import RENDER_TIME_LIMIT
from exchange.models.households import Household
from exchange.models.programs import Program


class VisitLeg(models.Model):
    """One direction of a mutual visit: the guests travel to `host_city` and back."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="legs")
    host_city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")
    departs_on = models.DateField(_("departs on"))
    returns_on = models.DateField(_("returns on"))
    # What the accompanying adults do when something goes wrong on this leg: whom to call
    # first, the nearest hospital, the meeting point if the group is separated.
    emergency_plan = models.TextField(_("emergency plan"), max_length=5000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["departs_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "host_city"], name="one_leg_per_host"),
            models.CheckConstraint(condition=Q(departs_on__lte=F("returns_on")), name="leg_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.program} → {self.host_city}"

    def days(self) -> list[date]:
        span = (self.returns_on - self.departs_on).days
        return [self.departs_on + timedelta(days=n) for n in range(span + 1)]


class ItineraryItem(models.Model):
    """One entry of a leg's day-by-day programme, in the host city's local time."""

    class Kind(models.TextChoices):
        GROUP = "group", _("Group activity")
        HOUSEHOLD = "household", _("With the host family")
        TRAVEL = "travel", _("Travelling")
        FREE = "free", _("Free time with the buddy")

    leg = models.ForeignKey(VisitLeg, on_delete=models.CASCADE, related_name="items")
    day = models.DateField(_("day"))
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.GROUP)
    place = models.CharField(_("place"), max_length=200)
    activity = models.CharField(_("activity"), max_length=300)
    responsible_adult = models.CharField(_("responsible adult"), max_length=100)
    meeting_point = models.CharField(_("meeting point"), max_length=200, blank=True)
    transport = models.CharField(_("transport"), max_length=200, blank=True)

    class Meta:
        ordering = ["day", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="itinerary_item_times",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.starts_at:%H:%M} {self.activity}"


class TripConsent(models.Model):
    """A guardian's consent to one trip of a minor, for the host household they were shown.

    Asked once the matching is published (the household is known then). `shown` keeps what
    the guardian read when signing: dates, itinerary, household summary and emergency plan.
    A new placement in another household makes a new request; withdrawal keeps the row."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for the guardian")
        SIGNED = "signed", _("Signed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="trip_consents"
    )
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    guardian_email = models.EmailField(_("guardian's email address"))
    guardian_name = models.CharField(_("guardian's full name"), max_length=100, blank=True)
    shown = models.JSONField(default=dict, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    signed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=Q(is_current=True), name="one_current_trip"
            ),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | ~Q(guardian_name=""),
                name="trip_consent_names_guardian",
            ),
        ]

    def __str__(self) -> str:
        return f"Trip consent for {self.application_id} ({self.status})"

    @property
    def status(self) -> str:
        if self.withdrawn_at:
            return self.Status.WITHDRAWN
        if self.signed_at:
            return self.Status.SIGNED
        return self.Status.REQUESTED

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)


# The traveller's emergency information, field by field: the form, the service and the data
# download all name these.
EMERGENCY_FIELDS = (
    "contact_1_name",
    "contact_1_relation",
    "contact_1_phone",
    "contact_2_name",
    "contact_2_relation",
    "contact_2_phone",
    "medical_conditions",
    "allergies",
    "medications",
    "dietary_needs",
    "insurer",
    "policy_number",
    "insurance_phone",
)


class EmergencyInfo(models.Model):
    """A traveller's emergency contacts, health and insurance: encrypted at rest, seen only by
    the coordinators of the program's cities from EMERGENCY_INFO_OPENS_DAYS before their leg
    departs until it returns (each view audited), and deleted EMERGENCY_INFO_RETENTION_DAYS
    after the visit's last leg returns."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="emergency_info"
    )
    contact_1_name = EncryptedTextField(_("first emergency contact"), max_length=100)
    contact_1_relation = EncryptedTextField(_("relation"), max_length=50)
    contact_1_phone = EncryptedTextField(_("phone"), max_length=32)
    contact_2_name = EncryptedTextField(_("second emergency contact"), max_length=100)
    contact_2_relation = EncryptedTextField(_("relation"), max_length=50)
    contact_2_phone = EncryptedTextField(_("phone"), max_length=32)
    medical_conditions = EncryptedTextField(_("medical conditions"), max_length=1000, blank=True)
    allergies = EncryptedTextField(_("allergies"), max_length=500, blank=True)
    medications = EncryptedTextField(_("medications"), max_length=500, blank=True)
    dietary_needs = EncryptedTextField(_("dietary needs"), max_length=500, blank=True)
    insurer = EncryptedTextField(_("insurer"), max_length=100)
    policy_number = EncryptedTextField(_("policy number"), max_length=64)
    insurance_phone = EncryptedTextField(_("insurer’s emergency line"), max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Emergency information of {self.application_id}"


class CheckIn(models.Model):
    """A visiting student's evening check-in, every second evening of their leg."""

    class Answer(models.TextChoices):
        ALL_GOOD = "good", _("All good")
        WRONG = "wrong", _("Something’s wrong")
        TALK = "talk", _("I want to talk to someone")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="check_ins")
    leg = models.ForeignKey(VisitLeg, on_delete=models.CASCADE, related_name="check_ins")
    evening = models.DateField()
    answer = models.CharField(max_length=8, choices=Answer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Set when the coordinators of both cities were alerted (an answer but "all good", or no
    # answer by the host city's check_in_answer_by), so each alert goes out once.
    alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["evening", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "evening"], name="one_check_in_an_evening"
            )
        ]


class HouseholdVisit(models.Model):
    """A visit a host city's coordinator made to a household during a stay."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="visits")
    leg = models.ForeignKey(VisitLeg, on_delete=models.CASCADE, related_name="household_visits")
    visited_on = models.DateField(_("visited on"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    notes = models.TextField(_("notes"), max_length=3000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-visited_on", "-id"]


class Incident(models.Model):
    """Something that happened on a visit, as its own record: seen by the program's
    coordinators only, every step audited, with a timeline of follow-ups."""

    class Category(models.TextChoices):
        HEALTH = "health", _("Health")
        SAFETY = "safety", _("Safety")
        BEHAVIOUR = "behaviour", _("Behaviour")
        SAFEGUARDING = "safeguarding", _("Safeguarding concern")
        LOST = "lost", _("Lost or missing")
        OTHER = "other", _("Other")

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="incidents")
    leg = models.ForeignKey(
        VisitLeg, on_delete=models.SET_NULL, null=True, blank=True, related_name="incidents"
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    involved = models.ManyToManyField(
        Application, blank=True, related_name="incidents", verbose_name=_("who was involved")
    )
    occurred_at = models.DateTimeField(_("when it happened"))
    what_happened = models.TextField(_("what happened"), max_length=5000)
    what_was_done = models.TextField(_("what was done"), max_length=5000, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    guardians_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"Incident {self.pk} ({self.category}, {self.severity})"

    @property
    def is_serious(self) -> bool:
        return self.category == self.Category.SAFEGUARDING or self.severity == self.Severity.HIGH


class IncidentUpdate(models.Model):
    """A follow-up on an incident's timeline."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(_("follow-up"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class TripMessage(models.Model):
    """A coordinator's message to travellers, chosen on the locator (a group, everyone in a
    place, everyone), sent by email and shown in the portal, in each recipient's language."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="trip_messages")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Who it was for, as chosen: {"kind": "group"|"place"|"everyone", "value": ..., "day": ...}.
    audience = models.JSONField(default=dict)
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), max_length=3000)
    # Also emailed to each minor traveller's guardian (the coordinator ticked the box).
    to_guardians = models.BooleanField(_("also to their guardians"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]


class TripMessageDelivery(models.Model):
    class Email(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Could not be sent")

    message = models.ForeignKey(TripMessage, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trip_messages"
    )
    email = models.CharField(max_length=8, choices=Email.choices, default=Email.QUEUED)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The guardian's copy (care): the address it went to, as recorded when the message was
    # sent, and how the email went. Empty when the message was not for guardians or the
    # traveller has no guardian on record.
    guardian_email = models.EmailField(blank=True)
    guardian_status = models.CharField(max_length=8, choices=Email.choices, blank=True)
    guardian_emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["message_id", "recipient_id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "recipient"], name="deliver_once")
        ]


class TripSheetBatch(models.Model):
    """Trip sheets of one leg's travellers in one PDF, rendered by a Celery task (the pattern
    of CertificateBatch): served only to coordinators of the program's cities, audited."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RENDERING = "rendering", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    leg = models.ForeignKey(VisitLeg, on_delete=models.CASCADE, related_name="sheet_batches")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    file = models.FileField(upload_to="trip-sheets/%Y/", max_length=200, blank=True)
    error = models.CharField(max_length=300, blank=True)
    pages = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

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
