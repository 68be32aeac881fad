"""Reading trips: legs, itineraries, and when a traveller's emergency information is open."""

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from exchange.models import Application, VisitLeg


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
