"""A partnership's working groups (coordinators of both cities, and observers who follow),
each with an action plan: activities with an owner, dates, a status and budget lines in each
city's own currency, and indicators with a target per year.

Amounts are never converted: each budget line is in its city's currency, and totals are
shown side by side per currency.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import City, Partnership

# Each country's currency (ISO 4217). A budget line is in the currency of the city it is for.
CURRENCY_BY_COUNTRY = {"KR": "KRW", "CN": "CNY", "VN": "VND", "JP": "JPY", "US": "USD"}


def city_currency(city: City) -> str:
    return CURRENCY_BY_COUNTRY.get(city.country, "")


class WorkingGroup(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="working_groups"
    )
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("what it works on"), max_length=3000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A closed group keeps its plan for the record (and the annual report); nobody edits it.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["partnership", "name", "id"]

    def __str__(self) -> str:
        return self.name


class WorkingGroupMember(models.Model):
    """A coordinator (who edits the plan) or an observer (who follows it) of one of the
    partnership's cities."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_groups"
    )
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["group", "city", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="working_group_member_once")
        ]


class PlanActivity(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        UNDER_WAY = "under-way", _("Under way")
        DONE = "done", _("Done")
        POSTPONED = "postponed", _("Postponed")
        CANCELLED = "cancelled", _("Cancelled")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(_("activity"), max_length=200)
    description = models.TextField(_("description"), max_length=3000, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group", "starts_on", "id"]
        verbose_name_plural = _("plan activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="plan_activity_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class BudgetLine(models.Model):
    activity = models.ForeignKey(
        PlanActivity, on_delete=models.CASCADE, related_name="budget_lines"
    )
    # Whose budget: one of the partnership's two cities; the currency is that city's.
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("item"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3)
    planned = models.DecimalField(_("planned"), max_digits=14, decimal_places=2)
    spent = models.DecimalField(_("spent"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["activity", "city", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned__gte=0, spent__gte=0), name="budget_line_not_negative"
            )
        ]


class Indicator(models.Model):
    class Measure(models.TextChoices):
        # Counted by the portal (outcomes.figures), for the partnership and the year.
        PARTICIPANTS_FROM_A = "participants-a", _("Participants from the first city")
        PARTICIPANTS_FROM_B = "participants-b", _("Participants from the second city")
        PROGRAMS = "programs", _("Programs run")
        COMPLETION = "completion", _("Completion rate (%)")
        ATTENDANCE = "attendance", _("Attendance at live sessions (%)")
        SATISFACTION = "satisfaction", _("Satisfaction (1–5)")
        SELF_ASSESSED = "self-assessed", _("Self-assessed change (points, 1–5 scale)")
        # Entered by the working group, with a note.
        MANUAL = "manual", _("Entered by the working group")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicator"), max_length=200)
    measure = models.CharField(_("measured by"), max_length=16, choices=Measure.choices)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["group", "position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_computed(self) -> bool:
        return self.measure != self.Measure.MANUAL


class IndicatorTarget(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="indicator_target_once")
        ]


class IndicatorValue(models.Model):
    """A value the working group entered for a manual indicator and a year, with its note."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="indicator_value_once")
        ]
