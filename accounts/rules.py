"""Role predicates. Permissions on records are combined in each app's rules.py."""

import rules


def coordinator_city_ids(user) -> frozenset[int]:
    """The cities whose coordinator team the user belongs to, cached on the user object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_coordinator_city_ids", None)
    if cached is None:
        cached = frozenset(user.coordinator_memberships.values_list("city_id", flat=True))
        user._coordinator_city_ids = cached
    return cached


@rules.predicate
def is_coordinator(user) -> bool:
    return bool(coordinator_city_ids(user))


rules.add_perm("accounts.coordinate", is_coordinator)
