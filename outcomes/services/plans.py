"""A partnership's working groups and their action plans: every change to a group, its
members, its activities and budget lines, and its indicators, each checked and audited here
so no door can skip a rule.

Members are the coordinators and observers of the partnership's two cities. An activity's
owner is one of the group's members. A budget line is for one of the two cities, in that
city's currency (models.plans.city_currency): amounts are never converted.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CoordinatorMembership, ObserverMembership, User
from core.models import City, Partnership
from core.text import has_unstorable_characters
from exchange.audit import audit
from exchange.models import AuditEntry
from outcomes.models import (
    BudgetLine,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    PlanActivity,
    WorkingGroup,
    WorkingGroupMember,
)
from outcomes.models.plans import city_currency

# DecimalField(max_digits=14, decimal_places=2): the largest amount a line or a target holds.
MAX_AMOUNT = Decimal("999999999999.99")
# The years a plan's indicators may have targets and values for.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _city_ids(partnership: Partnership) -> list[int]:
    return [partnership.city_a_id, partnership.city_b_id]


def _text(value: str, field: str, *, required: bool = False, max_length: int = 200) -> str:
    value = (value or "").strip()
    if has_unstorable_characters(value):
        raise ValidationError(
            {field: _("This text holds characters that can’t be stored. Type it again.")}
        )
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > max_length:
        raise ValidationError(
            {field: _("Keep this under %(n)s characters.") % {"n": max_length + 1}}
        )
    return value


def _amount(value, field: str) -> Decimal:
    try:
        value = Decimal(value)
    except (TypeError, ArithmeticError, ValueError) as error:
        raise ValidationError({field: _("Enter a number.")}) from error
    if not value.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    if value < 0:
        raise ValidationError({field: _("An amount can’t be negative.")})
    if value > MAX_AMOUNT:
        raise ValidationError({field: _("This number is too large.")})
    return value.quantize(Decimal("0.01"))


def _open(group: WorkingGroup) -> None:
    if group.closed_at is not None:
        raise ValidationError(_("This working group is closed: its plan can’t be changed."))


def _log(action: str, group: WorkingGroup, by: User, detail: str) -> None:
    audit(
        action=action,
        by=by,
        program_id=None,
        city_ids=_city_ids(group.partnership),
        detail=f"{group.name}: {detail}",
    )


def _group_log(group: WorkingGroup, by: User, detail: str) -> None:
    _log(AuditEntry.Action.WORKING_GROUP_CHANGE, group, by, detail)


def _plan_log(group: WorkingGroup, by: User, detail: str) -> None:
    _log(AuditEntry.Action.PLAN_CHANGE, group, by, detail)


# --- Working groups and members ----------------------------------------------------------


def member_city(*, partnership: Partnership, user: User) -> City | None:
    """The partnership's city the user coordinates or observes (the first city when both),
    as the database says now, or None when neither."""
    city_ids = set(_city_ids(partnership))
    roles = set(
        CoordinatorMembership.objects.filter(user=user, city_id__in=city_ids).values_list(
            "city_id", flat=True
        )
    ) | set(
        ObserverMembership.objects.filter(user=user, city_id__in=city_ids).values_list(
            "city_id", flat=True
        )
    )
    if not roles:
        return None
    return partnership.city_a if partnership.city_a_id in roles else partnership.city_b


@transaction.atomic
def working_group_create(
    *, partnership: Partnership, name: str, purpose: str = "", by: User
) -> WorkingGroup:
    name = _text(name, "name", required=True)
    purpose = _text(purpose, "purpose", max_length=3000)
    group = WorkingGroup.objects.create(partnership=partnership, name=name, purpose=purpose)
    _group_log(group, by, "created")
    return group


@transaction.atomic
def working_group_rename(*, group: WorkingGroup, name: str, purpose: str, by: User) -> None:
    _open(group)
    group.name = _text(name, "name", required=True)
    group.purpose = _text(purpose, "purpose", max_length=3000)
    group.save(update_fields=["name", "purpose"])
    _group_log(group, by, "renamed")


@transaction.atomic
def working_group_close(*, group: WorkingGroup, by: User) -> None:
    _open(group)
    group.closed_at = timezone.now()
    group.save(update_fields=["closed_at"])
    _group_log(group, by, "closed")


@transaction.atomic
def working_group_add_member(*, group: WorkingGroup, user: User, by: User) -> WorkingGroupMember:
    _open(group)
    city = member_city(partnership=group.partnership, user=user)
    if city is None or not user.is_active:
        raise ValidationError(
            {
                "user": _("Only coordinators and observers of %(a)s or %(b)s can join this group.")
                % {"a": group.partnership.city_a, "b": group.partnership.city_b}
            }
        )
    if group.memberships.filter(user=user).exists():
        raise ValidationError({"user": _("%(name)s is already a member.") % {"name": user}})
    member = WorkingGroupMember.objects.create(group=group, user=user, city=city)
    _group_log(group, by, f"member added ({user.pk})")
    return member


@transaction.atomic
def working_group_remove_member(*, member: WorkingGroupMember, by: User) -> None:
    group = member.group
    _open(group)
    # An activity's owner is a member: the activities they owned have no owner now.
    group.activities.filter(owner_id=member.user_id).update(owner=None)
    member.delete()
    _group_log(group, by, f"member removed ({member.user_id})")


# --- Activities and budget lines ---------------------------------------------------------


@dataclass(frozen=True)
class ActivityInput:
    title: str
    description: str
    owner_id: int | None
    starts_on: date
    ends_on: date
    status: str


def _check_activity(group: WorkingGroup, data: ActivityInput) -> dict:
    fields = {
        "title": _text(data.title, "title", required=True),
        "description": _text(data.description, "description", max_length=3000),
    }
    if data.starts_on is None or data.ends_on is None:
        raise ValidationError({"ends_on": _("Give a start and an end date.")})
    if data.ends_on < data.starts_on:
        raise ValidationError({"ends_on": _("The end date can’t be before the start date.")})
    if data.status not in PlanActivity.Status.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    if data.owner_id is not None and not group.memberships.filter(user_id=data.owner_id).exists():
        raise ValidationError({"owner": _("The owner must be a member of the working group.")})
    fields.update(
        owner_id=data.owner_id, starts_on=data.starts_on, ends_on=data.ends_on, status=data.status
    )
    return fields


@transaction.atomic
def plan_activity_create(*, group: WorkingGroup, data: ActivityInput, by: User) -> PlanActivity:
    _open(group)
    activity = PlanActivity.objects.create(group=group, **_check_activity(group, data))
    _plan_log(group, by, f"activity added ({activity.pk})")
    return activity


@transaction.atomic
def plan_activity_update(*, activity: PlanActivity, data: ActivityInput, by: User) -> None:
    group = activity.group
    _open(group)
    for name, value in _check_activity(group, data).items():
        setattr(activity, name, value)
    activity.save()
    _plan_log(group, by, f"activity changed ({activity.pk})")


@transaction.atomic
def plan_activity_delete(*, activity: PlanActivity, by: User) -> None:
    group = activity.group
    _open(group)
    pk = activity.pk
    activity.delete()
    _plan_log(group, by, f"activity removed ({pk})")


def _check_line(activity: PlanActivity, city_id, label, planned, spent) -> dict:
    partnership = activity.group.partnership
    if city_id not in _city_ids(partnership):
        raise ValidationError(
            {
                "city": _("A budget line is for %(a)s or %(b)s.")
                % {"a": partnership.city_a, "b": partnership.city_b}
            }
        )
    city = partnership.city_a if city_id == partnership.city_a_id else partnership.city_b
    return {
        "city": city,
        "currency": city_currency(city),
        "label": _text(label, "label", required=True),
        "planned": _amount(planned, "planned"),
        "spent": _amount(spent, "spent"),
    }


@transaction.atomic
def budget_line_add(
    *, activity: PlanActivity, city_id: int, label: str, planned, spent, by: User
) -> BudgetLine:
    _open(activity.group)
    line = BudgetLine.objects.create(
        activity=activity, **_check_line(activity, city_id, label, planned, spent)
    )
    _plan_log(activity.group, by, f"budget line added ({line.pk})")
    return line


@transaction.atomic
def budget_line_update(*, line: BudgetLine, label: str, planned, spent, by: User) -> None:
    """A line's item and amounts (its city and currency stay what they were)."""
    group = line.activity.group
    _open(group)
    fields = _check_line(line.activity, line.city_id, label, planned, spent)
    line.label, line.planned, line.spent = fields["label"], fields["planned"], fields["spent"]
    line.save(update_fields=["label", "planned", "spent"])
    _plan_log(group, by, f"budget line changed ({line.pk})")


@transaction.atomic
def budget_line_delete(*, line: BudgetLine, by: User) -> None:
    group = line.activity.group
    _open(group)
    pk = line.pk
    line.delete()
    _plan_log(group, by, f"budget line removed ({pk})")


# --- Indicators --------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInput:
    name: str
    measure: str
    unit: str = ""
    # year -> target (None: no target that year)
    targets: dict | None = None
    # year -> (value or None, note): only for manual indicators
    values: dict | None = None


def _check_year(year) -> int:
    if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            _("A year between %(a)s and %(b)s.") % {"a": FIRST_YEAR, "b": LAST_YEAR}
        )
    return year


@transaction.atomic
def indicator_save(
    *, group: WorkingGroup, data: IndicatorInput, by: User, indicator: Indicator | None = None
) -> Indicator:
    """Create (indicator=None) or change an indicator, with its targets and, for a manual
    one, its values: all of it or nothing."""
    _open(group)
    name = _text(data.name, "name", required=True)
    unit = _text(data.unit, "unit", max_length=40)
    if data.measure not in Indicator.Measure.values:
        raise ValidationError({"measure": _("Choose a measure from the list.")})
    manual = data.measure == Indicator.Measure.MANUAL
    targets = {}
    for year, target in (data.targets or {}).items():
        targets[_check_year(year)] = None if target is None else _amount(target, f"target_{year}")
    values = {}
    for year, (value, note) in (data.values or {}).items() if manual else ():
        values[_check_year(year)] = (
            None if value is None else _amount(value, f"value_{year}"),
            _text(note, f"note_{year}", max_length=1000),
        )
        if value is None and values[year][1]:
            raise ValidationError({f"value_{year}": _("Give the value the note is about.")})
    if indicator is None:
        position = group.indicators.count()
        indicator = Indicator.objects.create(
            group=group, name=name, measure=data.measure, unit=unit, position=position
        )
        detail = f"indicator added ({indicator.pk})"
    else:
        indicator.name, indicator.measure, indicator.unit = name, data.measure, unit
        indicator.save(update_fields=["name", "measure", "unit"])
        detail = f"indicator changed ({indicator.pk})"
    for year, target in targets.items():
        if target is None:
            indicator.targets.filter(year=year).delete()
        else:
            IndicatorTarget.objects.update_or_create(
                indicator=indicator, year=year, defaults={"target": target}
            )
    if not manual:
        # A computed indicator reads the portal's figures: no entered value stays behind.
        indicator.values.all().delete()
    for year, (value, note) in values.items():
        if value is None:
            indicator.values.filter(year=year).delete()
        else:
            IndicatorValue.objects.update_or_create(
                indicator=indicator,
                year=year,
                defaults={"value": value, "note": note, "entered_by": by},
            )
    _plan_log(group, by, detail)
    return indicator


@transaction.atomic
def indicator_delete(*, indicator: Indicator, by: User) -> None:
    group = indicator.group
    _open(group)
    pk = indicator.pk
    indicator.delete()
    _plan_log(group, by, f"indicator removed ({pk})")
