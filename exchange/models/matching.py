"""Matching confirmed participants across a program's cities: one shared record per program.

The engine (the `matching` package) proposes; coordinators of every city adjust, approve and
publish. Pairs and groups are what the chat rooms are later built from.
"""

from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import City
from exchange.models.applications import Application
from exchange.models.programs import Program


class Matching(models.Model):
    """The rules and the current proposal for one program, which both cities work on."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        PUBLISHED = "published", _("Published")

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="matching")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Every change makes a new version; approvals count only for the version they saw.
    version = models.PositiveIntegerField(default=0)

    # Mutual visits: buddy pairs.
    same_gender = models.BooleanField(_("same gender for homestay pairs"), default=True)
    max_age_gap = models.PositiveSmallIntegerField(
        _("largest age gap in a pair (years)"),
        default=2,
        validators=[MaxValueValidator(10)],
    )
    allow_two_visitors = models.BooleanField(
        _("a host may take two visitors when the numbers differ"), default=False
    )
    weight_interests = models.PositiveSmallIntegerField(
        _("weight of shared interests"), default=2, validators=[MaxValueValidator(5)]
    )
    weight_language_practice = models.PositiveSmallIntegerField(
        _("weight of practising each other’s language"),
        default=1,
        validators=[MaxValueValidator(5)],
    )
    weight_age = models.PositiveSmallIntegerField(
        _("weight of closeness in age"), default=1, validators=[MaxValueValidator(5)]
    )

    # Online exchanges: mixed groups.
    group_min_size = models.PositiveSmallIntegerField(
        _("smallest group"), default=4, validators=[MinValueValidator(2), MaxValueValidator(30)]
    )
    group_max_size = models.PositiveSmallIntegerField(
        _("largest group"), default=8, validators=[MinValueValidator(2), MaxValueValidator(30)]
    )
    window_start = models.TimeField(_("sessions may start from (local time)"), default=time(16))
    window_end = models.TimeField(_("sessions must end by (local time)"), default=time(21))
    session_minutes = models.PositiveSmallIntegerField(
        _("session length (minutes)"),
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(240)],
    )
    # The session start the engine found for everyone, in minutes after 00:00 UTC.
    slot_utc = models.PositiveSmallIntegerField(null=True, blank=True)

    ran_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(group_min_size__lte=F("group_max_size")), name="matching_group_sizes"
            )
        ]

    def __str__(self) -> str:
        return f"Matching for {self.program}"


class MatchGroup(models.Model):
    """A buddy pair, a host with two visitors, or an online group."""

    class Kind(models.TextChoices):
        PAIR = "pair", _("Buddy pair")
        TRIAD = "triad", _("Host with two visitors")
        GROUP = "group", _("Group")

    matching = models.ForeignKey(Matching, on_delete=models.CASCADE, related_name="groups")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    number = models.PositiveIntegerField()
    score = models.DecimalField(max_digits=5, decimal_places=3, default=0)
    # The engine's reasons, as [{"code": ..., "detail": {...}}]; shown translated.
    reasons = models.JSONField(default=list)
    locked = models.BooleanField(default=False)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["matching", "number"], name="match_group_number")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class MatchMember(models.Model):
    class Role(models.TextChoices):
        BUDDY = "buddy", _("Buddy")
        SECOND_VISITOR = "second", _("Second visitor")
        MEMBER = "member", _("Member")

    group = models.ForeignKey(MatchGroup, on_delete=models.CASCADE, related_name="members")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    matching = models.ForeignKey(Matching, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        ordering = ["application__city__name_en", "application_id"]
        constraints = [
            # Nobody is in two pairs or groups of one program.
            models.UniqueConstraint(fields=["matching", "application"], name="matched_once")
        ]


class MatchLeftover(models.Model):
    """A confirmed participant the proposal leaves out, with the reasons why."""

    matching = models.ForeignKey(Matching, on_delete=models.CASCADE, related_name="leftovers")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    reasons = models.JSONField(default=list)

    class Meta:
        ordering = ["application__city__name_en", "application_id"]
        constraints = [
            models.UniqueConstraint(fields=["matching", "application"], name="left_over_once")
        ]


class MatchApproval(models.Model):
    """One city's coordinators approve one version of the proposal."""

    matching = models.ForeignKey(Matching, on_delete=models.CASCADE, related_name="approvals")
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["matching", "city"], name="one_approval_per_city")
        ]
