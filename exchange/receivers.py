"""What the exchange's own duty-of-care part does when another part announces a change
(issue 15): connected in ExchangeConfig.ready."""

from django.dispatch import receiver

from exchange.signals import matching_published

# --- Trips (issue 15, part 2) -------------------------------------------------------------


@receiver(matching_published, dispatch_uid="trip-consents")
def ask_trip_consents(*, program, **_signal) -> None:
    """A published matching places each visitor in a household: ask each minor's guardian for
    their trip consent (again when the household changed), in the publishing transaction."""
    from exchange.services.trips import trip_consents_request

    trip_consents_request(program=program)
