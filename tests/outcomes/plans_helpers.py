"""A working group of the A–B partnership with carol and bob as members, an activity with
budget lines in each city's currency, and a manual and a computed indicator."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from core.models import Partnership
from outcomes.models import Indicator
from outcomes.services import plans as services


def partnership_of(city_a, city_b) -> Partnership:
    low, high = sorted([city_a, city_b], key=lambda city: city.pk)
    return Partnership.objects.get(city_a=low, city_b=high)


def build_group(partnership, *, by, members=(), activities=1, indicators=1, today=None):
    today = today or timezone.localdate()
    group = services.working_group_create(
        partnership=partnership, name="Youth media group", purpose="Reporters", by=by
    )
    for user in members:
        services.working_group_add_member(group=group, user=user, by=by)
    for n in range(activities):
        activity = services.plan_activity_create(
            group=group,
            data=services.ActivityInput(
                title=f"Activity {n}",
                description="",
                owner_id=members[0].pk if members else None,
                starts_on=today - timedelta(days=60),
                ends_on=today - timedelta(days=10) if n == 0 else today + timedelta(days=40),
                status="under-way",
            ),
            by=by,
        )
        for city in (partnership.city_a, partnership.city_b):
            services.budget_line_add(
                activity=activity,
                city_id=city.pk,
                label="Travel",
                planned=Decimal("1000"),
                spent=Decimal("250"),
                by=by,
            )
    for n in range(indicators):
        services.indicator_save(
            group=group,
            data=services.IndicatorInput(
                name=f"Articles {n}",
                measure=Indicator.Measure.MANUAL,
                unit="articles",
                targets={today.year: Decimal(10)},
                values={today.year: (Decimal(4), "Four so far")},
            ),
            by=by,
        )
        services.indicator_save(
            group=group,
            data=services.IndicatorInput(
                name=f"Programs {n}",
                measure=Indicator.Measure.PROGRAMS,
                targets={today.year: Decimal(2)},
            ),
            by=by,
        )
    return group
