"""The plans' services: who may join a group, what an activity, a budget line and an
indicator accept, and that a refused change writes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from exchange.models import AuditEntry
from outcomes.models import BudgetLine, Indicator, IndicatorTarget, IndicatorValue, PlanActivity
from outcomes.services import plans as services
from tests.outcomes.plans_helpers import build_group, partnership_of

TODAY = timezone.localdate()


@pytest.fixture
def group(city_a, city_b, carol, bob):
    return build_group(
        partnership_of(city_a, city_b), by=carol, members=[carol, bob], activities=1, indicators=0
    )


def _messages(error: ValidationError) -> list[str]:
    return error.messages


def _activity(**changes) -> services.ActivityInput:
    fields = {
        "title": "Workshop",
        "description": "",
        "owner_id": None,
        "starts_on": TODAY + timedelta(days=10),
        "ends_on": TODAY + timedelta(days=12),
        "status": "planned",
    }
    return services.ActivityInput(**{**fields, **changes})


def test_members_are_coordinators_or_observers_of_the_two_cities(
    group, carol, bob, vera, oscar, alice, city_a
):
    member = services.working_group_add_member(group=group, user=vera, by=carol)
    assert (member.city_id, member.user_id) == (city_a.pk, vera.pk)
    for outsider in (oscar, alice):
        with pytest.raises(ValidationError) as refused:
            services.working_group_add_member(group=group, user=outsider, by=carol)
        assert _messages(refused.value) == [
            "Only coordinators and observers of 광주시 (Gwangju (Gyeonggi)) or 淄博市 (Zibo) "
            "can join this group."
        ]
    assert sorted(group.memberships.values_list("user_id", flat=True)) == sorted(
        [carol.pk, bob.pk, vera.pk]
    )


def test_a_member_twice_is_refused(group, carol, bob):
    with pytest.raises(ValidationError):
        services.working_group_add_member(group=group, user=bob, by=carol)
    assert group.memberships.filter(user=bob).count() == 1


def test_removing_the_owner_leaves_the_activity_without_one(group, carol):
    activity = group.activities.get()
    assert activity.owner_id == carol.pk
    services.working_group_remove_member(member=group.memberships.get(user=carol), by=carol)
    activity.refresh_from_db()
    assert activity.owner_id is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_on": TODAY + timedelta(days=5)}, "ends_on"),
        ({"title": "Bad\x00title"}, "title"),
        ({"title": "   "}, "title"),
        ({"status": "finished"}, "status"),
    ],
)
def test_a_bad_activity_is_refused_and_nothing_is_written(group, carol, changes, field):
    before = PlanActivity.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.plan_activity_create(group=group, data=_activity(**changes), by=carol)
    assert list(refused.value.error_dict) == [field]
    assert PlanActivity.objects.count() == before


def test_the_owner_must_be_a_member(group, carol, vera, oscar):
    for user in (vera, oscar):
        with pytest.raises(ValidationError) as refused:
            services.plan_activity_create(group=group, data=_activity(owner_id=user.pk), by=carol)
        assert _messages(refused.value) == ["The owner must be a member of the working group."]
    assert group.activities.count() == 1


@pytest.mark.parametrize(
    ("planned", "spent", "message"),
    [
        (Decimal("-1"), Decimal(0), "An amount can’t be negative."),
        (Decimal(5), Decimal("-0.01"), "An amount can’t be negative."),
        (Decimal("1e15"), Decimal(0), "This number is too large."),
        ("NaN", Decimal(0), "Enter a number."),
        ("twelve", Decimal(0), "Enter a number."),
    ],
)
def test_bad_amounts_are_refused(group, carol, city_a, planned, spent, message):
    activity = group.activities.get()
    before = BudgetLine.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.budget_line_add(
            activity=activity, city_id=city_a.pk, label="X", planned=planned, spent=spent, by=carol
        )
    assert _messages(refused.value) == [message]
    assert BudgetLine.objects.count() == before


def test_a_budget_line_for_a_third_city_is_refused(group, carol, city_c):
    activity = group.activities.get()
    with pytest.raises(ValidationError) as refused:
        services.budget_line_add(
            activity=activity, city_id=city_c.pk, label="X", planned=1, spent=0, by=carol
        )
    assert list(refused.value.error_dict) == ["city"]
    assert activity.budget_lines.count() == 2


def test_a_budget_line_takes_its_city_currency(group, carol, city_a, city_b):
    activity = group.activities.get()
    assert sorted(activity.budget_lines.values_list("city__country", "currency")) == [
        ("CN", "CNY"),
        ("KR", "KRW"),
    ]


def test_an_indicator_with_one_bad_target_writes_nothing(group, carol):
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.indicator_save(
            group=group,
            data=services.IndicatorInput(
                name="Schools",
                measure=Indicator.Measure.MANUAL,
                targets={TODAY.year: Decimal(4), TODAY.year + 1: Decimal("-2")},
                values={TODAY.year: (Decimal(3), "three")},
            ),
            by=carol,
        )
    assert list(refused.value.error_dict) == [f"target_{TODAY.year + 1}"]
    assert (
        Indicator.objects.count(),
        IndicatorTarget.objects.count(),
        IndicatorValue.objects.count(),
        AuditEntry.objects.count(),
    ) == (0, 0, 0, audits)


def test_a_note_without_a_value_is_refused(group, carol):
    with pytest.raises(ValidationError) as refused:
        services.indicator_save(
            group=group,
            data=services.IndicatorInput(
                name="Schools",
                measure=Indicator.Measure.MANUAL,
                values={TODAY.year: (None, "We think four")},
            ),
            by=carol,
        )
    assert _messages(refused.value) == ["Give the value the note is about."]
    assert Indicator.objects.count() == 0


def test_an_indicator_turned_computed_drops_its_entered_values(group, carol):
    indicator = services.indicator_save(
        group=group,
        data=services.IndicatorInput(
            name="Schools",
            measure=Indicator.Measure.MANUAL,
            targets={TODAY.year: Decimal(4)},
            values={TODAY.year: (Decimal(3), "three")},
        ),
        by=carol,
    )
    services.indicator_save(
        group=group,
        indicator=indicator,
        data=services.IndicatorInput(
            name="Programs", measure=Indicator.Measure.PROGRAMS, targets={TODAY.year: None}
        ),
        by=carol,
    )
    assert (indicator.values.count(), indicator.targets.count()) == (0, 0)


def test_a_closed_group_refuses_every_change(group, carol, vera, city_a):
    services.working_group_close(group=group, by=carol)
    activity = group.activities.get()
    attempts = [
        lambda: services.working_group_add_member(group=group, user=vera, by=carol),
        lambda: services.working_group_rename(group=group, name="X", purpose="", by=carol),
        lambda: services.plan_activity_create(group=group, data=_activity(), by=carol),
        lambda: services.plan_activity_delete(activity=activity, by=carol),
        lambda: services.budget_line_add(
            activity=activity, city_id=city_a.pk, label="X", planned=1, spent=0, by=carol
        ),
        lambda: services.indicator_save(
            group=group, data=services.IndicatorInput(name="X", measure="manual"), by=carol
        ),
    ]
    refused = 0
    for attempt in attempts:
        with pytest.raises(ValidationError):
            attempt()
        refused += 1
    assert refused == len(attempts)
    assert (group.activities.count(), group.memberships.count()) == (1, 2)


def test_every_change_is_audited_for_both_cities(city_a, city_b, carol, bob):
    group = build_group(
        partnership_of(city_a, city_b), by=carol, members=[carol, bob], activities=1, indicators=1
    )
    entries = AuditEntry.objects.filter(city_id__in=[city_a.pk, city_b.pk])
    assert entries.filter(action=AuditEntry.Action.WORKING_GROUP_CHANGE).count() == 3 * 2
    # One activity, two budget lines, two indicators.
    assert entries.filter(action=AuditEntry.Action.PLAN_CHANGE).count() == 5 * 2
    assert set(entries.values_list("actor_id", flat=True)) == {carol.pk}
    assert group.memberships.count() == 2
