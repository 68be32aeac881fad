"""What the working groups' pages read: a partnership's groups, the people who may join,
an action plan with its budget totals per city and currency, its timeline, and the years
its indicators are shown for. A fixed number of queries whatever the number of activities,
budget lines and indicators."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Max, Min, Prefetch, Q, Sum
from django.utils import timezone

from accounts.models import User
from core.models import City, Partnership
from outcomes.figures import partnership_programs
from outcomes.models import BudgetLine, Indicator, PlanActivity, WorkingGroup, WorkingGroupMember
from outcomes.models.plans import city_currency

# The indicators' table shows at most this many years (the most recent ones).
MAX_YEARS = 8
# The timeline shows at most this many months, from the first activity's start.
MAX_MONTHS = 36


def partnership_groups(*, partnership: Partnership) -> list[WorkingGroup]:
    """The partnership's working groups (open ones first), each with its members."""
    return list(
        partnership.working_groups.order_by("closed_at", "name", "id").prefetch_related(
            Prefetch(
                "memberships",
                queryset=WorkingGroupMember.objects.select_related("user", "city"),
            )
        )
    )


def member_candidates(*, group: WorkingGroup) -> list[User]:
    """The coordinators and observers of the partnership's cities who are not members yet,
    by name (staff, so their names may be shown)."""
    city_ids = [group.partnership.city_a_id, group.partnership.city_b_id]
    return list(
        User.objects.filter(is_active=True, erased_at__isnull=True)
        .filter(
            Q(coordinator_memberships__city_id__in=city_ids)
            | Q(observer_memberships__city_id__in=city_ids)
        )
        .exclude(working_groups__group=group)
        .distinct()
        .order_by("latin_name", "email")
    )


def group_for_page(*, pk: int) -> WorkingGroup:
    return WorkingGroup.objects.select_related("partnership__city_a", "partnership__city_b").get(
        pk=pk
    )


@dataclass(frozen=True)
class CityBudget:
    city: City
    currency: str
    planned: Decimal
    spent: Decimal


@dataclass(frozen=True)
class TimelineRow:
    activity: PlanActivity
    # One entry per month of the timeline: True when the activity runs that month.
    months: list[bool]


@dataclass
class Plan:
    group: WorkingGroup
    members: list[WorkingGroupMember]
    activities: list[PlanActivity]
    budgets: list[CityBudget]
    status_counts: list[tuple[str, str, int]]
    overdue_ids: set[int]
    months: list[date] = field(default_factory=list)
    timeline: list[TimelineRow] = field(default_factory=list)


def is_overdue(activity: PlanActivity, today: date) -> bool:
    return activity.ends_on < today and activity.status not in (
        PlanActivity.Status.DONE,
        PlanActivity.Status.CANCELLED,
    )


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def plan_for_page(*, group: WorkingGroup, today: date | None = None) -> Plan:
    today = today or timezone.localdate()
    members = list(group.memberships.select_related("user", "city"))
    activities = list(
        group.activities.select_related("owner").prefetch_related(
            Prefetch("budget_lines", queryset=BudgetLine.objects.select_related("city"))
        )
    )
    partnership = group.partnership
    sums = {
        (row["city_id"], row["currency"]): row
        for row in BudgetLine.objects.filter(activity__group=group)
        .values("city_id", "currency")
        .annotate(planned=Sum("planned"), spent=Sum("spent"))
    }
    budgets = []
    for city in (partnership.city_a, partnership.city_b):
        currencies = sorted({currency for city_id, currency in sums if city_id == city.pk})
        for currency in currencies or [""]:
            row = sums.get((city.pk, currency), {})
            budgets.append(
                CityBudget(
                    city=city,
                    currency=currency or city_currency(city),
                    planned=row.get("planned") or Decimal(0),
                    spent=row.get("spent") or Decimal(0),
                )
            )
    counted = Counter(activity.status for activity in activities)
    status_counts = [
        (value, label, counted.get(value, 0)) for value, label in PlanActivity.Status.choices
    ]
    plan = Plan(
        group=group,
        members=members,
        activities=activities,
        budgets=budgets,
        status_counts=status_counts,
        overdue_ids={a.pk for a in activities if is_overdue(a, today)},
    )
    if activities:
        first = min(_month_index(a.starts_on) for a in activities)
        last = min(max(_month_index(a.ends_on) for a in activities), first + MAX_MONTHS - 1)
        plan.months = [date(i // 12, i % 12 + 1, 1) for i in range(first, last + 1)]
        plan.timeline = [
            TimelineRow(
                activity=a,
                months=[
                    _month_index(a.starts_on) <= i <= _month_index(a.ends_on)
                    for i in range(first, last + 1)
                ],
            )
            for a in activities
        ]
    return plan


def plan_years(*, group: WorkingGroup, today: date | None = None) -> list[int]:
    """The years the plan's indicators are shown for: from the partnership's first program
    or the plan's first activity, whichever is earlier, to this year, and on to the last
    year the plan's activities or targets reach (a plan for next year shows next year's
    targets). At most MAX_YEARS, the most recent."""
    this_year = (today or timezone.localdate()).year
    first_program = partnership_programs(group.partnership).aggregate(first=Min("ends_on"))["first"]
    span = group.activities.aggregate(first=Min("starts_on"), last=Max("ends_on"))
    last_target = Indicator.objects.filter(group=group).aggregate(last=Max("targets__year"))["last"]
    starts = [d.year for d in (first_program, span["first"]) if d]
    first = min([*starts, this_year])
    last = max(this_year, span["last"].year if span["last"] else this_year, last_target or 0)
    last = min(last, this_year + 5)
    years = list(range(first, last + 1))
    return years[-MAX_YEARS:]


def plan_activity_for_page(*, pk: int) -> PlanActivity:
    return PlanActivity.objects.select_related(
        "owner", "group__partnership__city_a", "group__partnership__city_b"
    ).get(pk=pk)


def indicator_for_page(*, pk: int) -> Indicator:
    return Indicator.objects.select_related(
        "group__partnership__city_a", "group__partnership__city_b"
    ).get(pk=pk)


def by_city(lines) -> dict[int, list[BudgetLine]]:
    grouped = defaultdict(list)
    for line in lines:
        grouped[line.city_id].append(line)
    return grouped
