"""The demo's working group for Siheung–Jilin: made by seed_plans() after seed_demo, once."""

from decimal import Decimal

from django.core.management import call_command
from django.urls import reverse

from demo.outcomes_plans import GROUP_NAME, seed_plans
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
from outcomes.selectors.plans import plan_for_page


def _counts():
    return {
        "groups": WorkingGroup.objects.count(),
        "members": WorkingGroupMember.objects.count(),
        "activities": PlanActivity.objects.count(),
        "lines": BudgetLine.objects.count(),
        "indicators": Indicator.objects.count(),
        "targets": IndicatorTarget.objects.count(),
        "values": IndicatorValue.objects.count(),
        "audit": AuditEntry.objects.filter(
            action__in=[AuditEntry.Action.PLAN_CHANGE, AuditEntry.Action.WORKING_GROUP_CHANGE]
        ).count(),
    }


def test_seed_plans_twice_makes_one_group(db, settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    seed_plans()
    first = _counts()
    seed_plans()
    # 1 group + 2 members = 3 group changes; 6 activities + 10 lines + 6 indicators = 22 plan
    # changes; each audited for the two cities.
    assert first == {
        "groups": 1,
        "members": 2,
        "activities": 6,
        "lines": 10,
        "indicators": 6,
        "targets": 12,
        "values": 2,
        "audit": (3 + 6 + 10 + 6) * 2,
    }
    assert _counts() == first
    group = WorkingGroup.objects.get(name=GROUP_NAME)
    assert sorted(m.user.email for m in group.memberships.all()) == [
        "coord.gyeonggi@demo.example",
        "coord.jilin@demo.example",
    ]
    plan = plan_for_page(group=group)
    assert sorted((b.city.slug, b.currency, b.planned, b.spent) for b in plan.budgets) == [
        ("jilin", "CNY", Decimal("73000.00"), Decimal("13800.00")),
        ("siheung", "KRW", Decimal("13500000.00"), Decimal("4500000.00")),
    ]
    assert [a.title for a in plan.activities if a.pk in plan.overdue_ids] == [
        "Youth reporters' online interviews"
    ]
    assert sorted({a.status for a in plan.activities}) == [
        "cancelled",
        "done",
        "planned",
        "postponed",
        "under-way",
    ]

    jilin = group.memberships.get(user__email="coord.jilin@demo.example").user
    client.force_login(jilin)
    response = client.get(reverse("outcomes:plan", args=[group.pk]))
    html = response.content.decode()
    assert (response.status_code, html.count("plan-badge-overdue")) == (200, 1)
    # Django's Chinese number format has no thousands separator.
    assert ("KRW 13500000" in html, "CNY 73000.00" in html) == (True, True)


def test_the_demo_gives_siheung_jilin_a_year_with_figures(db, settings):
    """The media camp: six from each city completed it and answered both surveys, so the
    partnership's dashboard, computed indicators and report show figures, not "fewer than 5"."""
    from core.models import Partnership
    from demo import demo_data
    from exchange.models import Program
    from outcomes.figures import partnership_year_figures

    settings.DEBUG = True
    call_command("seed_demo")
    camp = Program.objects.get(title=demo_data.MEDIA_CAMP["title"])
    partnership = Partnership.objects.get(city_a__slug="siheung", city_b__slug="jilin")
    year = camp.ends_on.year

    figures = partnership_year_figures(partnership=partnership, years=[year])[year]

    assert camp.program_cities.count() == 2
    assert camp.applications.filter(state="completed").count() == 12
    assert camp.pk in figures.program_ids
    assert (figures.participants_a, figures.participants_b, figures.completion) == (6, 6, 1.0)
    # The seeded answers (demo/outcomes_surveys._raw): satisfaction 4 or 5, confidence up.
    assert (round(figures.satisfaction, 1), round(figures.self_assessed_change, 1)) == (4.5, 1.1)
    assert figures.hidden == frozenset()
