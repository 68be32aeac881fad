"""Reading check-ins: which evenings of a leg have one, when they open and must be answered
(host-city local time), the one a traveller's page shows and the coordinators' grid."""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from exchange.models import PARTICIPATING, Application, CheckIn, CityCarePolicy, Program, VisitLeg

OPENS_AT = time(17)
DEFAULT_ANSWER_BY = CityCarePolicy._meta.get_field("check_in_answer_by").default


def local_moment(day: date, at: time, zone: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone)


def check_in_evenings(leg: VisitLeg) -> list[date]:
    """The evenings of a leg that have a check-in: days 1, 3, 5… before the return day."""
    span = (leg.returns_on - leg.departs_on).days
    return [leg.departs_on + timedelta(days=n) for n in range(1, span, 2)]


def host_zone(leg: VisitLeg) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(leg.host_city.time_zone)


def answer_by(leg: VisitLeg) -> time:
    """The host city's local time by which a check-in must be answered."""
    policy = CityCarePolicy.objects.filter(city_id=leg.host_city_id).first()
    return policy.check_in_answer_by if policy else DEFAULT_ANSWER_BY


def check_in_is_open(check_in: CheckIn, *, now: datetime | None = None) -> bool:
    """A check-in can be answered from its opening until the end of the next day, host time:
    a student back late still answers; by then the coordinators heard of a missing answer."""
    zone = host_zone(check_in.leg)
    now = now or timezone.now()
    opens = local_moment(check_in.evening, OPENS_AT, zone)
    closes = local_moment(check_in.evening + timedelta(days=2), time(0), zone)
    return opens <= now < closes


def check_in_for_card(*, application, now: datetime | None = None) -> CheckIn | None:
    """The check-in the traveller's application page shows: the latest still answerable,
    answered or not (answered, the page thanks them)."""
    now = now or timezone.now()
    candidates = (
        CheckIn.objects.filter(
            application=application,
            evening__gte=now.astimezone(zoneinfo.ZoneInfo("UTC")).date() - timedelta(days=2),
        )
        .select_related("leg__host_city")
        .order_by("-evening")
    )
    for check_in in candidates:
        if check_in_is_open(check_in, now=now):
            return check_in
    return None


@dataclass
class CheckInCell:
    evening: date
    check_in: CheckIn | None
    # "good" / "wrong" / "talk", "waiting" (open, before the answer-by time), "missing"
    # (unanswered past it), "later" (the evening has not come yet).
    status: str


@dataclass
class CheckInRow:
    application: Application
    cells: list[CheckInCell] = field(default_factory=list)


@dataclass
class LegCheckIns:
    leg: VisitLeg
    evenings: list[date]
    answer_by: time
    rows: list[CheckInRow] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return sum(cell.status == "missing" for row in self.rows for cell in row.cells)

    @property
    def worried(self) -> int:
        return sum(
            cell.status in (CheckIn.Answer.WRONG, CheckIn.Answer.TALK)
            for row in self.rows
            for cell in row.cells
        )


def _status(check_in: CheckIn | None, *, due: datetime, now: datetime) -> str:
    if check_in is None:
        return "missing" if now >= due else "later"
    if check_in.answer:
        return check_in.answer
    return "missing" if now >= due else "waiting"


def program_check_ins(*, program: Program, now: datetime | None = None) -> list[LegCheckIns]:
    """Each leg's travellers and check-in evenings: who answered what, who is missing. Four
    queries whatever the number of travellers."""
    now = now or timezone.now()
    legs = list(VisitLeg.objects.filter(program=program).select_related("host_city"))
    travellers = list(
        Application.objects.filter(
            program=program, state__in=PARTICIPATING, student__erased_at__isnull=True
        )
        .select_related("student", "city")
        .order_by("city__name_en", "student__latin_name", "id")
    )
    check_ins = {
        (c.application_id, c.evening): c for c in CheckIn.objects.filter(leg__program=program)
    }
    deadlines = dict(
        CityCarePolicy.objects.filter(city_id__in={leg.host_city_id for leg in legs}).values_list(
            "city_id", "check_in_answer_by"
        )
    )
    result = []
    for leg in legs:
        zone = host_zone(leg)
        by = deadlines.get(leg.host_city_id, DEFAULT_ANSWER_BY)
        block = LegCheckIns(leg=leg, evenings=check_in_evenings(leg), answer_by=by)
        for application in travellers:
            if application.city_id == leg.host_city_id:
                continue
            row = CheckInRow(application=application)
            for evening in block.evenings:
                check_in = check_ins.get((application.pk, evening))
                due = local_moment(evening, by, zone)
                row.cells.append(
                    CheckInCell(
                        evening=evening,
                        check_in=check_in,
                        status=_status(check_in, due=due, now=now),
                    )
                )
            block.rows.append(row)
        result.append(block)
    return result
