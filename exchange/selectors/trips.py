"""Reading trips: legs, itineraries, and when a traveller's emergency information is open."""

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_minor
from exchange.models import Application, Household, Program, TripConsent, VisitLeg
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
