"""Reading trips: legs, itineraries, and when a traveller's emergency information is open."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_minor
from exchange.models import (
    PARTICIPATING,
    Application,
    EmergencyInfo,
    Household,
    Program,
    TripConsent,
    VisitLeg,
)
from exchange.selectors.households import program_placements


def travel_leg(*, application: Application) -> VisitLeg | None:
    """The leg a participant travels on: the one whose host city is not their own."""
    return (
        VisitLeg.objects.filter(program_id=application.program_id)
        .exclude(host_city_id=application.city_id)
        .order_by("departs_on")
        .first()
    )


def emergency_window(leg: VisitLeg) -> tuple[date, date]:
    """The days the coordinators may open a traveller's emergency information."""
    return leg.departs_on - timedelta(days=settings.EMERGENCY_INFO_OPENS_DAYS), leg.returns_on


def emergency_window_is_open(*, application: Application, today: date | None = None) -> bool:
    leg = travel_leg(application=application)
    if leg is None:
        return False
    opens, closes = emergency_window(leg)
    day = today or timezone.localdate()
    return opens <= day <= closes


# --- Travel status and placements (issue 15, part 2) ---------------------------------------


class TravelStatus:
    """Whether a participant's travel is confirmed: their place was confirmed before the
    matching, the TRAVEL only once their guardian signed for the household they're placed in."""

    NOT_NEEDED = "not-needed"  # an adult on the day their leg departs
    AWAITING = "awaiting"  # a minor placed, the guardian has not signed for this household
    SIGNED = "signed"
    WITHDRAWN = "withdrawn"
    NOT_PLACED = "not-placed"  # no published placement in a described household yet

    LABELS = {
        NOT_NEEDED: _("No trip consent needed (adult)"),
        AWAITING: _("Waiting for the guardian’s trip consent"),
        SIGNED: _("Guardian signed the trip consent"),
        WITHDRAWN: _("Trip consent withdrawn"),
        NOT_PLACED: _("Not placed in a household yet"),
    }


def travel_status_label(status: str) -> str:
    return str(TravelStatus.LABELS[status])


def travels_as_minor(*, application: Application, leg: VisitLeg | None) -> bool:
    """A minor on the day their leg departs (the program's first day while there is no leg)."""
    day = leg.departs_on if leg is not None else application.program.starts_on
    return is_minor(application.student, on=day)


def guest_households(*, program: Program) -> dict[int, Household | None]:
    """The household each visitor of the published matching stays in, by application pk
    (None while the host's family has not described the home)."""
    homes: dict[int, Household | None] = {}
    for placement in program_placements(program=program):
        # A visitor of a group may have several hosts: the first described home takes them.
        if homes.get(placement.visitor_id) is None:
            homes[placement.visitor_id] = placement.household
    return homes


def guest_household(*, application: Application) -> Household | None:
    return guest_households(program=application.program).get(application.pk)


def current_trip_consent(*, application: Application) -> TripConsent | None:
    return TripConsent.objects.filter(application=application, is_current=True).first()


def _status(
    *,
    application: Application,
    leg: VisitLeg | None,
    consent: TripConsent | None,
    home: Household | None,
) -> str:
    if not travels_as_minor(application=application, leg=leg):
        return TravelStatus.NOT_NEEDED
    if consent is not None and consent.withdrawn_at is not None:
        return TravelStatus.WITHDRAWN
    if home is None:
        return TravelStatus.NOT_PLACED
    if consent is not None and consent.signed_at is not None and consent.household_id == home.pk:
        return TravelStatus.SIGNED
    return TravelStatus.AWAITING


def travel_status(*, application: Application) -> str:
    """One of TravelStatus: "not-needed", "awaiting", "signed", "withdrawn", "not-placed"."""
    return _status(
        application=application,
        leg=travel_leg(application=application),
        consent=current_trip_consent(application=application),
        home=guest_household(application=application),
    )


def travel_statuses(*, program: Program, applications: list[Application]) -> dict[int, str]:
    """travel_status of many participants of one program, in a fixed number of queries
    (the applications come with their student)."""
    legs = list(VisitLeg.objects.filter(program=program).order_by("departs_on"))
    homes = guest_households(program=program)
    consents = {
        c.application_id: c
        for c in TripConsent.objects.filter(
            application__in=[a.pk for a in applications], is_current=True
        )
    }
    statuses = {}
    for application in applications:
        leg = next((leg for leg in legs if leg.host_city_id != application.city_id), None)
        statuses[application.pk] = _status(
            application=application,
            leg=leg,
            consent=consents.get(application.pk),
            home=homes.get(application.pk),
        )
    return statuses


# --- Legs, itineraries and what the guardian is shown ---------------------------------------


def program_legs(*, program: Program) -> list[VisitLeg]:
    """The visit's legs with their host city and itinerary, in two queries."""
    return list(
        VisitLeg.objects.filter(program=program)
        .select_related("host_city")
        .prefetch_related("items")
        .order_by("departs_on", "id")
    )


def host_leg(*, application: Application) -> VisitLeg | None:
    """The leg a participant's family hosts on: the one to their own city."""
    return (
        VisitLeg.objects.filter(program_id=application.program_id, host_city_id=application.city_id)
        .select_related("host_city")
        .first()
    )


def household_summary(*, household: Household, on: date) -> dict:
    """What the guardian reads about the home their child stays in (and keeps in `shown`)."""
    members = list(household.members.all())
    return {
        "family_name": household.family_name,
        "district": household.district,
        "address": household.address,
        "phone": household.phone,
        "pets": household.pets,
        "smoking": household.smoking,
        "members": [
            {"relation": str(m.get_relation_display()), "age": on.year - m.birth_year}
            for m in members
        ],
    }


def trip_consent_shown(*, consent: TripConsent) -> dict:
    """Everything the guardian's page shows, as plain data: the page renders it, and signing
    keeps it in `shown` (with a digest, so a page read before a change can't be signed)."""
    application = consent.application
    leg = travel_leg(application=application)
    shown: dict = {
        "program": application.program.title,
        "student": application.student.display_name,
        "leg": None,
        "household": None,
    }
    if leg is not None:
        shown["leg"] = {
            "host_city": str(leg.host_city),
            "departs_on": leg.departs_on.isoformat(),
            "returns_on": leg.returns_on.isoformat(),
            "emergency_plan": leg.emergency_plan,
            "items": [
                {
                    "day": item.day.isoformat(),
                    "starts_at": item.starts_at.strftime("%H:%M"),
                    "ends_at": item.ends_at.strftime("%H:%M") if item.ends_at else "",
                    "kind": str(item.get_kind_display()),
                    "place": item.place,
                    "activity": item.activity,
                    "responsible_adult": item.responsible_adult,
                    "meeting_point": item.meeting_point,
                    "transport": item.transport,
                }
                for item in leg.items.all()
            ],
        }
    if consent.household is not None:
        day = leg.departs_on if leg is not None else application.program.starts_on
        shown["household"] = household_summary(household=consent.household, on=day)
    return shown


def shown_digest(shown: dict) -> str:
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class ParticipantRow:
    application: Application
    travels_to: VisitLeg | None
    status: str
    emergency_given: bool


def trip_participants(*, program: Program) -> list[ParticipantRow]:
    """The visit's participants for the Trip page: travel status and whether they gave their
    emergency information (never its content), in a fixed number of queries."""
    applications = list(
        Application.objects.filter(program=program, state__in=PARTICIPATING)
        .select_related("student", "city")
        .order_by("city_id", "student__latin_name", "id")
    )
    statuses = travel_statuses(program=program, applications=applications)
    given = set(
        EmergencyInfo.objects.filter(application__in=[a.pk for a in applications]).values_list(
            "application_id", flat=True
        )
    )
    legs = list(VisitLeg.objects.filter(program=program).order_by("departs_on"))
    return [
        ParticipantRow(
            application=a,
            travels_to=next((leg for leg in legs if leg.host_city_id != a.city_id), None),
            status=statuses[a.pk],
            emergency_given=a.pk in given,
        )
        for a in applications
    ]
