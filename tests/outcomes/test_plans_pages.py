"""What the plan pages show (budgets side by side per currency, overdue activities, the
indicators against their targets under the under-5 rule) and how their forms refuse bad input."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from outcomes.models import BudgetLine, Indicator, PlanActivity, WorkingGroupMember
from outcomes.services import plans as services
from tests import factories
from tests.outcomes.plans_helpers import build_group, partnership_of


@pytest.fixture
def group(city_a, city_b, carol, bob):
    return build_group(partnership_of(city_a, city_b), by=carol, members=[carol, bob])


def _text(html: str, element_id: str) -> str:
    """The text of the element with `element_id`, its tags dropped, whitespace collapsed."""
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(ul|table)>', html, re.S)
    assert match is not None, element_id
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_plan_shows_each_city_budget_in_its_currency_side_by_side(client, carol, group):
    client.force_login(carol)
    html = client.get(reverse("outcomes:plan", args=[group.pk])).content.decode()
    assert _text(html, "plan-budgets") == (
        "광주시 (Gwangju (Gyeonggi)) : KRW 1,000 planned, KRW 250 spent "
        "淄博市 (Zibo) : CNY 1,000.00 planned, CNY 250.00 spent"
    )


def test_plan_counts_statuses_and_marks_the_overdue(client, carol, group):
    client.force_login(carol)
    html = client.get(reverse("outcomes:plan", args=[group.pk])).content.decode()
    assert _text(html, "plan-status-counts") == (
        "Planned: 0 Under way: 1 Done: 0 Postponed: 0 Cancelled: 0 Overdue: 1"
    )
    assert html.count('<tr class="plan-overdue">') == 2  # the list and the timeline


def test_plan_indicators_hide_fewer_than_five_and_say_computed(
    client, carol, bob, city_a, city_b, group
):
    today = timezone.localdate()
    program = factories.ProgramFactory(
        cities={city_a: 8, city_b: 8},
        # Within this year whatever the day (the table shows the year it ended in).
        starts_on=today + timedelta(days=-30 if today.month > 1 else 10),
        ends_on=today + timedelta(days=-20 if today.month > 1 else 20),
        applications_open=timezone.now() - timedelta(days=60),
        applications_close=timezone.now() - timedelta(days=40),
    )
    for city, n in ((city_a, 2), (city_b, 6)):
        for _ in range(n):
            student = factories.StudentFactory(home_city=city)
            factories.ApplicationFactory(program=program, student=student, state="confirmed")
    measure = Indicator.Measure
    for name, kind in (
        ("From A", measure.PARTICIPANTS_FROM_A),
        ("From B", measure.PARTICIPANTS_FROM_B),
    ):
        services.indicator_save(
            group=group,
            data=services.IndicatorInput(name=name, measure=kind, targets={today.year: Decimal(5)}),
            by=carol,
        )
    client.force_login(bob)
    html = client.get(reverse("outcomes:plan", args=[group.pk])).content.decode()
    year = today.year
    assert _text(html, "plan-indicators") == (
        f"Indicator {year} "
        "Articles 0 (articles) entered 4 target 10 not reached yet Four so far "
        "Programs 0 computed 1 target 2 not reached yet "
        # B's 6 is hidden too: beside the program's total it would give A's 2 away.
        "From A computed fewer than 5 target 5 "
        "From B computed fewer than 5 target 5"
    )


def test_the_measure_choices_name_the_cities(client, carol, group):
    client.force_login(carol)
    html = client.get(reverse("outcomes:indicator_new", args=[group.pk])).content.decode()
    options = re.findall(r'<option value="participants-[ab]"[^>]*>([^<]+)</option>', html)
    assert options == [
        "Participants from 광주시 (Gwangju (Gyeonggi))",
        "Participants from 淄博市 (Zibo)",
    ]


def _post_activity(client, group, **changes):
    data = {
        "action": "save",
        "title": "Workshop",
        "description": "",
        "owner": "",
        "starts_on": "2027-03-10",
        "ends_on": "2027-03-12",
        "status": "planned",
        **changes,
    }
    return client.post(reverse("outcomes:activity_new", args=[group.pk]), data)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"ends_on": "2027-03-01"}, "The end date can’t be before the start date."),
        ({"title": "Bad\x00title"}, "Null characters are not allowed."),
        ({"starts_on": "not-a-date"}, "Enter a valid date."),
        (
            {"status": "finished"},
            "Select a valid choice. finished is not one of the available choices.",
        ),
    ],
)
def test_activity_form_refuses_bad_input_and_writes_nothing(client, carol, group, changes, error):
    client.force_login(carol)
    before = PlanActivity.objects.count()
    response = _post_activity(client, group, **changes)
    assert response.status_code == 200
    assert error in response.content.decode().replace("&#x27;", "'").replace("&rsquo;", "’")
    assert PlanActivity.objects.count() == before


def test_activity_form_refuses_an_owner_not_a_member(client, carol, vera, group):
    client.force_login(carol)
    response = _post_activity(client, group, owner=str(vera.pk))
    assert "The owner must be a member of the working group." in response.content.decode()
    assert PlanActivity.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"line-planned": "-5"}, "Ensure this value is greater than or equal to 0."),
        ({"line-planned": "1" * 20}, "Ensure that there are no more than 14 digits in total."),
        ({"line-label": "Ti\x00ckets"}, "Null characters are not allowed."),
        ({"line-city": "third"}, "A budget line is for one of the partnership’s cities."),
    ],
)
def test_budget_line_form_refuses_bad_input(client, carol, city_a, group, changes, error):
    client.force_login(carol)
    activity = group.activities.first()
    data = {
        "action": "add-line",
        "line-city": str(city_a.pk),
        "line-label": "Tickets",
        "line-planned": "100",
        "line-spent": "0",
        **changes,
    }
    response = client.post(reverse("outcomes:activity", args=[activity.pk]), data)
    assert response.status_code == 200
    assert error in response.content.decode().replace("&rsquo;", "’")
    assert BudgetLine.objects.count() == 2


def test_budget_line_form_refuses_a_third_city(client, carol, city_c, group):
    client.force_login(carol)
    activity = group.activities.first()
    data = {
        "action": "add-line",
        "line-city": str(city_c.pk),
        "line-label": "Tickets",
        "line-planned": "100",
        "line-spent": "0",
    }
    response = client.post(reverse("outcomes:activity", args=[activity.pk]), data)
    assert "A budget line is for one of the partnership’s cities." in response.content.decode()
    assert BudgetLine.objects.count() == 2


def test_member_form_refuses_a_third_city_coordinator(client, carol, oscar, vera, group):
    client.force_login(carol)
    url = reverse("outcomes:group_settings", args=[group.pk])
    html = client.get(url).content.decode()
    offered = re.findall(r'<option value="(\d+)"', html)
    assert offered == [str(vera.pk)]
    response = client.post(url, {"action": "add", "member-user": str(oscar.pk)})
    assert (
        "Choose a coordinator or observer of one of the partnership’s cities."
        in response.content.decode()
    )
    assert WorkingGroupMember.objects.filter(user=oscar).count() == 0
    response = client.post(url, {"action": "add", "member-user": str(vera.pk)})
    assert response.status_code == 302
    assert list(
        group.memberships.values_list("user__email", flat=True).order_by("user__email")
    ) == [
        "bob@example.org",
        "carol@example.org",
        "vera@example.org",
    ]


def test_indicator_form_with_a_bad_year_writes_nothing(client, carol, group):
    client.force_login(carol)
    year = timezone.localdate().year
    data = {
        "action": "save",
        "name": "Schools",
        "measure": "manual",
        "unit": "schools",
        f"target_{year}": "4",
        f"value_{year}": "-3",
        f"note_{year}": "Three",
    }
    before = Indicator.objects.count()
    response = client.post(reverse("outcomes:indicator_new", args=[group.pk]), data)
    assert response.status_code == 200
    assert Indicator.objects.count() == before
    data[f"value_{year}"] = "3"
    response = client.post(reverse("outcomes:indicator_new", args=[group.pk]), data)
    assert response.status_code == 302
    saved = Indicator.objects.get(name="Schools")
    assert list(saved.values.values_list("year", "value", "note")) == [
        (year, Decimal("3.00"), "Three")
    ]
    assert User.objects.filter(pk=saved.values.get().entered_by_id).get() == carol
