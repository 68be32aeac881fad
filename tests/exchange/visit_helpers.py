"""A mutual visit ready for its trip, for the duty-of-care tests (issue 15): confirmed
participants in two cities, host households, a published matching of buddy pairs and the
visit's two legs. Built with the ORM, so each test states only what it changes."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from exchange.models import (
    Application,
    Household,
    HouseholdMember,
    MatchGroup,
    Matching,
    MatchMember,
    Program,
    VisitLeg,
)
from tests import factories


@dataclass
class Visit:
    program: Program
    leg_to_a: VisitLeg  # B's students travel to A
    leg_to_b: VisitLeg  # A's students travel to B
    a: list[Application] = field(default_factory=list)
    b: list[Application] = field(default_factory=list)
    households: dict[int, Household] = field(default_factory=dict)  # by application pk
    groups: list[MatchGroup] = field(default_factory=list)


def household_for(
    application: Application,
    *,
    approved: bool = True,
    pets: str = "",
    family_name: str = "",
    diets: list[str] | None = None,
    guest_beds: int = 1,
) -> Household:
    student = application.student
    today = timezone.localdate()
    household = Household.objects.create(
        student=student,
        city=application.city,
        family_name=family_name or f"Family of {student.latin_name}",
        district="Gyeongan-dong" if application.city.country == "KR" else "Zhangdian",
        address=f"{application.pk} Example-ro, {application.city.name_en}",
        phone="+82 31 760 0000" if application.city.country == "KR" else "+86 533 000 0000",
        pets=pets,
        guest_beds=guest_beds,
        diets_offered=["vegetarian", "halal", "no-pork"] if diets is None else diets,
        status=Household.Status.APPROVED if approved else Household.Status.SUBMITTED,
        approved_on=today if approved else None,
        approved_until=today + timedelta(days=365) if approved else None,
    )
    HouseholdMember.objects.create(
        household=household,
        name=f"Parent of {student.latin_name}",
        relation=HouseholdMember.Relation.PARENT,
        birth_year=today.year - 45,
        phone="+82 10 0000 0000",
        background_check=HouseholdMember.Check.CLEAR,
        background_checked_on=today,
    )
    HouseholdMember.objects.create(
        household=household,
        name=student.latin_name,
        relation=HouseholdMember.Relation.HOST_STUDENT,
        birth_year=student.date_of_birth.year,
    )
    return household


def home_from_answers(
    application: Application,
    *,
    can_host: bool = True,
    household_pets: bool = False,
    diets_offered=(),
    guest_beds: int = 2,
) -> Household | None:
    """The approved household the application's old yes/no answers described (matching reads
    households now): none when the family can't host; the student's own if it has one."""
    existing = Household.objects.filter(student=application.student).first()
    if existing is not None or not can_host:
        return existing
    return household_for(
        application,
        pets="a cat" if household_pets else "",
        diets=list(diets_offered),
        guest_beds=guest_beds,
    )


def build_visit(
    city_a,
    city_b,
    *,
    pairs: int = 2,
    publish: bool = True,
    approved: bool = True,
    starts_in_days: int = 10,
    age: int = 15,
) -> Visit:
    """A visit starting in `starts_in_days`: A hosts first (B travels to A for 5 days), then
    B hosts (A travels to B). Every participant is a confirmed minor with a given consent."""
    today = timezone.localdate()
    start = today + timedelta(days=starts_in_days)
    program = factories.ProgramFactory(
        cities={city_a: pairs + 2, city_b: pairs + 2},
        title="Gwangju–Zibo Ceramics Visit",
        starts_on=start,
        ends_on=start + timedelta(days=13),
        applications_open=timezone.now() - timedelta(days=60),
        applications_close=timezone.now() - timedelta(days=30),
        status=Program.Status.CLOSED,
    )
    visit = Visit(
        program=program,
        leg_to_a=VisitLeg.objects.create(
            program=program,
            host_city=city_a,
            departs_on=start,
            returns_on=start + timedelta(days=5),
            emergency_plan="Call the group leader first, then 119.",
        ),
        leg_to_b=VisitLeg.objects.create(
            program=program,
            host_city=city_b,
            departs_on=start + timedelta(days=8),
            returns_on=start + timedelta(days=13),
            emergency_plan="Call the group leader first, then 120.",
        ),
    )
    for side, city in ((visit.a, city_a), (visit.b, city_b)):
        for _n in range(pairs):
            student = factories.StudentFactory(home_city=city, age=age, consent="given")
            application = factories.ApplicationFactory(
                program=program,
                student=student,
                state=Application.State.CONFIRMED,
                gender="female",
            )
            side.append(application)
            visit.households[application.pk] = household_for(application, approved=approved)
    matching = Matching.objects.create(
        program=program,
        status=Matching.Status.PUBLISHED if publish else Matching.Status.DRAFT,
        version=1,
        published_at=timezone.now() if publish else None,
    )
    for number, (first, second) in enumerate(zip(visit.a, visit.b, strict=True), start=1):
        group = MatchGroup.objects.create(
            matching=matching, kind=MatchGroup.Kind.PAIR, number=number
        )
        for application in (first, second):
            MatchMember.objects.create(
                group=group,
                matching=matching,
                application=application,
                role=MatchMember.Role.BUDDY,
            )
        visit.groups.append(group)
    return visit


def on_day(visit: Visit, leg: VisitLeg, n: int) -> date:
    """The n-th day (0 = departure) of a leg."""
    return leg.departs_on + timedelta(days=n)


def household_post(**overrides) -> dict:
    """The /me/household/ form as a browser posts it: a parent and the host student (17)."""
    year = timezone.localdate().year
    data = {
        "family_name": "Kim",
        "district": "Gyeongan-dong",
        "address": "12 Example-ro",
        "phone": "+82 31 760 0000",
        "guest_rooms": "1",
        "guest_beds": "1",
        "own_room": "on",
        "pets": "",
        "diets_offered": ["vegetarian"],
        "languages": ["ko"],
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "20",
        "members-0-name": "Kim Mother",
        "members-0-relation": "parent",
        "members-0-birth_year": str(year - 45),
        "members-0-phone": "+82 10 1234 5678",
        "members-1-name": "Kim Alice",
        "members-1-relation": "host-student",
        "members-1-birth_year": str(year - 17),
        "members-1-phone": "",
    }
    data.update(overrides)
    return data
