"""Reads: a city's observers."""

from accounts.models import ObserverMembership


def city_observers(*, city) -> list[ObserverMembership]:
    return list(
        ObserverMembership.objects.filter(city=city)
        .select_related("user", "added_by")
        .order_by("user__latin_name", "user__email")
    )
