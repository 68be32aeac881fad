"""The demo's working group: Siheung and Jilin City agreed to set up working groups that
develop "detailed action plans … timelines, and budgets" and monitor "progress and evaluating
outcomes" (the seeds, 003). One group, a plan over this year and next, budget lines in each
city's currency, and indicators the portal counts beside ones the group enters.

Idempotent: once the group exists, running it again adds nothing. Everything goes through
outcomes.services.plans, so the demo holds what the pages could have made.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.models import City, Partnership
from outcomes.models import Indicator, WorkingGroup
from outcomes.services import plans as services

GROUP_NAME = "Youth exchange working group"
PURPOSE = (
    "Set up under the Siheung–Jilin agreement on mutual exchanges and media cooperation: "
    "develops the detailed action plan for the youth exchanges (activities, timelines and "
    "budgets), engages the schools and media partners of both cities, and monitors progress "
    "and evaluates outcomes, adjusting the plan as needed."
)
SIHEUNG_COORDINATOR = "coord.gyeonggi@demo.example"
JILIN_COORDINATOR = "coord.jilin@demo.example"

# title, description, owner ("siheung"/"jilin"), start and end in days from today, status,
# [(city, item, planned, spent)]
ACTIVITIES = [
    (
        "Working group kick-off meeting",
        "Agree the plan, the indicators and who owns what; online, in Korean and Chinese.",
        "siheung",
        (-240, -239),
        "done",
        [("siheung", "Interpreting", 1_200_000, 1_200_000), ("jilin", "Venue", 3_000, 2_800)],
    ),
    (
        "Youth reporters' online interviews",
        "Pairs of student reporters interview each other about school life and their cities.",
        "jilin",
        (-120, -20),
        "under-way",
        [
            ("siheung", "Video platform licence", 2_400_000, 2_400_000),
            ("jilin", "Teachers' hours", 12_000, 9_000),
        ],
    ),
    (
        "Joint article series",
        "The reporters publish a joint series in both cities' youth media.",
        "siheung",
        (-30, 90),
        "under-way",
        [
            ("siheung", "Editing and printing", 3_000_000, 900_000),
            ("jilin", "Translation", 8_000, 2_000),
        ],
    ),
    (
        "Teachers' planning workshop",
        "Cancelled: the schools planned it together at the kick-off instead.",
        "jilin",
        (-90, -89),
        "cancelled",
        [],
    ),
    (
        "Reporters' exchange visit to Jilin",
        "Siheung's reporters visit Jilin City for a week and report from the Songhua river.",
        "jilin",
        (210, 217),
        "planned",
        [
            ("siheung", "Flights", 5_400_000, 0),
            ("jilin", "Host families and local transport", 40_000, 0),
        ],
    ),
    (
        "Photo exhibition in both cities",
        "The reporters' photographs shown in both city halls; moved to after the visit.",
        "siheung",
        (300, 330),
        "postponed",
        [("siheung", "Prints and frames", 1_500_000, 0), ("jilin", "Exhibition hall", 10_000, 0)],
    ),
]


def seed_plans() -> None:
    """Gives the Siheung–Jilin partnership its working group and action plan, once."""
    siheung = City.objects.get(slug="siheung")
    jilin = City.objects.get(slug="jilin")
    low, high = sorted([siheung, jilin], key=lambda city: city.pk)
    partnership = Partnership.objects.select_related("city_a", "city_b").get(
        city_a=low, city_b=high
    )
    if WorkingGroup.objects.filter(partnership=partnership, name=GROUP_NAME).exists():
        return
    people = {
        "siheung": User.objects.get(email=SIHEUNG_COORDINATOR),
        "jilin": User.objects.get(email=JILIN_COORDINATOR),
    }
    cities = {"siheung": siheung, "jilin": jilin}
    by = people["siheung"]
    today = timezone.localdate()
    with transaction.atomic():
        group = services.working_group_create(
            partnership=partnership, name=GROUP_NAME, purpose=PURPOSE, by=by
        )
        for person in people.values():
            services.working_group_add_member(group=group, user=person, by=by)
        for title, description, owner, (start, end), status, lines in ACTIVITIES:
            activity = services.plan_activity_create(
                group=group,
                data=services.ActivityInput(
                    title=title,
                    description=description,
                    owner_id=people[owner].pk,
                    starts_on=today + timedelta(days=start),
                    ends_on=today + timedelta(days=end),
                    status=status,
                ),
                by=by,
            )
            for city, item, planned, spent in lines:
                services.budget_line_add(
                    activity=activity,
                    city_id=cities[city].pk,
                    label=item,
                    planned=Decimal(planned),
                    spent=Decimal(spent),
                    by=by,
                )
        _indicators(group, partnership, siheung, today.year, by)


def _indicators(group, partnership, siheung, year, by) -> None:
    siheung_first = partnership.city_a_id == siheung.pk
    measure = Indicator.Measure
    from_siheung = measure.PARTICIPANTS_FROM_A if siheung_first else measure.PARTICIPANTS_FROM_B
    from_jilin = measure.PARTICIPANTS_FROM_B if siheung_first else measure.PARTICIPANTS_FROM_A
    computed = [
        ("Participants from Siheung", from_siheung, "", (8, 12)),
        ("Participants from Jilin City", from_jilin, "", (8, 12)),
        ("Programs run together", measure.PROGRAMS, "", (1, 2)),
        ("Satisfaction of the participants", measure.SATISFACTION, "1–5", (4, 4)),
    ]
    for name, kind, unit, (this, following) in computed:
        services.indicator_save(
            group=group,
            data=services.IndicatorInput(
                name=name,
                measure=kind,
                unit=unit,
                targets={year: Decimal(this), year + 1: Decimal(following)},
            ),
            by=by,
        )
    manual = [
        (
            "Joint articles published by the youth reporters",
            "articles",
            (6, 12),
            (4, "Four of the six articles are out; two are with the editors in Jilin."),
        ),
        (
            "Schools taking part",
            "schools",
            (4, 6),
            (5, "Three schools in Siheung and two in Jilin City."),
        ),
    ]
    for name, unit, (this, following), (value, note) in manual:
        services.indicator_save(
            group=group,
            data=services.IndicatorInput(
                name=name,
                measure=measure.MANUAL,
                unit=unit,
                targets={year: Decimal(this), year + 1: Decimal(following)},
                values={year: (Decimal(value), note)},
            ),
            by=by,
        )
