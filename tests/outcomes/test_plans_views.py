"""The working groups' and plans' pages: who reads, who edits, and what each page costs."""

import pytest
from django.urls import reverse

from outcomes.models import BudgetLine, PlanActivity, WorkingGroup
from tests.outcomes.plans_helpers import build_group, partnership_of

PERSONAS = ["anonymous", "alice", "mina", "carol", "bob", "oscar", "vera"]
READERS = {"carol", "bob", "vera"}
EDITORS = {"carol", "bob"}


@pytest.fixture
def group(city_a, city_b, carol, bob):
    return build_group(partnership_of(city_a, city_b), by=carol, members=[carol, bob])


def _client(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


def _urls(group):
    activity = group.activities.first()
    indicator = group.indicators.first()
    return {
        "groups": (reverse("outcomes:groups", args=[group.partnership_id]), READERS),
        "plan": (reverse("outcomes:plan", args=[group.pk]), READERS),
        "settings": (reverse("outcomes:group_settings", args=[group.pk]), EDITORS),
        "activity_new": (reverse("outcomes:activity_new", args=[group.pk]), EDITORS),
        "activity": (reverse("outcomes:activity", args=[activity.pk]), READERS),
        "indicator_new": (reverse("outcomes:indicator_new", args=[group.pk]), EDITORS),
        "indicator": (reverse("outcomes:indicator", args=[indicator.pk]), READERS),
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_plan_pages_get_by_persona(client, request, persona, group):
    client = _client(client, request, persona)
    statuses = {name: client.get(url).status_code for name, (url, _) in _urls(group).items()}
    if persona == "anonymous":
        expected = dict.fromkeys(statuses, 302)
    else:
        expected = {
            name: 200 if persona in allowed else 403 for name, (_, allowed) in _urls(group).items()
        }
    assert statuses == expected


@pytest.mark.parametrize("persona", ["anonymous", "alice", "mina", "oscar", "vera"])
def test_plan_pages_refuse_every_post(client, request, persona, group):
    client = _client(client, request, persona)
    activity = group.activities.first()
    before = (
        WorkingGroup.objects.count(),
        PlanActivity.objects.count(),
        BudgetLine.objects.count(),
        group.memberships.count(),
        group.indicators.count(),
    )
    posts = [
        ("groups", {"name": "Hijack"}),
        ("settings", {"action": "close"}),
        ("settings", {"action": "rename", "group-name": "X"}),
        (
            "activity_new",
            {
                "action": "save",
                "title": "X",
                "starts_on": "2026-01-01",
                "ends_on": "2026-01-02",
                "status": "planned",
            },
        ),
        ("activity", {"action": "delete"}),
        ("activity", {"action": "delete-line", "line": activity.budget_lines.first().pk}),
        ("indicator_new", {"name": "X", "measure": "manual"}),
        ("indicator", {"action": "delete"}),
    ]
    urls = _urls(group)
    statuses = [client.post(urls[name][0], data).status_code for name, data in posts]
    expected = 302 if persona == "anonymous" else 403
    assert statuses == [expected] * len(posts)
    after = (
        WorkingGroup.objects.count(),
        PlanActivity.objects.count(),
        BudgetLine.objects.count(),
        group.memberships.count(),
        group.indicators.count(),
    )
    assert after == before
    group.refresh_from_db()
    assert (group.name, group.closed_at) == ("Youth media group", None)


def test_plan_pages_404_for_wrong_ids(client, carol, group):
    client.force_login(carol)
    paths = [
        reverse("outcomes:groups", args=[999999]),
        reverse("outcomes:plan", args=[999999]),
        reverse("outcomes:group_settings", args=[999999]),
        reverse("outcomes:activity", args=[999999]),
        reverse("outcomes:indicator", args=[999999]),
        reverse("outcomes:indicator_new", args=[999999]),
    ]
    assert [client.get(path).status_code for path in paths] == [404] * len(paths)


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_plan_page_queries_equal_at_one_and_three(
    client, carol, bob, city_a, city_b, django_assert_num_queries
):
    partnership = partnership_of(city_a, city_b)
    one = build_group(partnership, by=carol, members=[carol, bob], activities=1, indicators=1)
    three = build_group(partnership, by=carol, members=[carol, bob], activities=3, indicators=3)
    client.force_login(carol)
    at_one = _count(client, reverse("outcomes:plan", args=[one.pk]))
    with django_assert_num_queries(at_one):
        assert client.get(reverse("outcomes:plan", args=[three.pk])).status_code == 200


def test_groups_page_queries_equal_at_one_and_three(
    client, carol, bob, vera, city_a, city_b, django_assert_num_queries
):
    partnership = partnership_of(city_a, city_b)
    url = reverse("outcomes:groups", args=[partnership.pk])
    build_group(partnership, by=carol, members=[carol, bob, vera])
    client.force_login(carol)
    at_one = _count(client, url)
    build_group(partnership, by=carol, members=[carol, bob])
    build_group(partnership, by=carol, members=[bob])
    with django_assert_num_queries(at_one):
        assert client.get(url).status_code == 200
