"""Who is what: the role predicates every app's rules.py builds on.

Roles are read from the database every time they are asked for outside a request, and once
per request inside one (core.memo): never cached on the user object, so a coordinator removed
from a team loses their rights on the next request or socket frame.
"""

from datetime import date

import rules
from django.db.models import Value

from core.memo import remember

ADULT_AGE = 18
# No room lets a minor in with fewer supervising adults than this (messaging.rules).
SUPERVISING_ADULTS = 2


def _role_city_ids(user) -> tuple[frozenset[int], frozenset[int]]:
    """The cities the user coordinates and the cities they observe, in one query, as the
    database says now (once per request inside one: every page's menu asks for both)."""
    from accounts.models import CoordinatorMembership, ObserverMembership

    def read():
        rows = (
            CoordinatorMembership.objects.filter(user_id=user.pk)
            .annotate(role=Value("coordinator"))
            .values_list("city_id", "role")
            .union(
                ObserverMembership.objects.filter(user_id=user.pk)
                .annotate(role=Value("observer"))
                .values_list("city_id", "role"),
                all=True,
            )
        )
        coordinated, observed = set(), set()
        for city_id, role in rows:
            (coordinated if role == "coordinator" else observed).add(city_id)
        return frozenset(coordinated), frozenset(observed)

    return remember(("role_city_ids", user.pk), read)


def coordinator_city_ids(user) -> frozenset[int]:
    """The cities whose coordinator team the user belongs to, as the database says now."""
    if user is None or not user.is_authenticated:
        return frozenset()
    return _role_city_ids(user)[0]


def observer_city_ids(user) -> frozenset[int]:
    """The cities the user observes (read-only: figures, plans and reports, never a person),
    as the database says now."""
    if user is None or not user.is_authenticated:
        return frozenset()
    return _role_city_ids(user)[1]


def outcome_city_ids(user) -> frozenset[int]:
    """The cities whose figures, plans and reports the user may read: those they coordinate
    and those they observe."""
    return coordinator_city_ids(user) | observer_city_ids(user)


def is_minor(user, *, on: date | None = None) -> bool:
    """Under 18 on the day (today by default). Someone whose birth date we don't know is
    treated as a minor: the safe side."""
    age = user.age(on)
    return age is None or age < ADULT_AGE


def guardian_represents(consent) -> bool:
    """Whether the guardian named in `consent` acts for the student on their data rights:
    PIPA Art. 22-2 gives a child under 14's rights to the legal representative. Only the
    current request counts, and never for an erased record."""
    from django.conf import settings

    student = consent.student
    age = student.age()
    return (
        consent.is_current
        and student.erased_at is None
        and student.is_active
        and age is not None
        and age < settings.MINIMUM_CONSENT_AGE
    )


@rules.predicate
def is_active_person(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active and not user.erased_at


@rules.predicate
def is_coordinator(user) -> bool:
    return bool(coordinator_city_ids(user))


@rules.predicate
def is_observer(user) -> bool:
    return bool(observer_city_ids(user))


def holds_power(user) -> bool:
    """Site staff and coordinators: they see minors' documents, guardians' e-mails and scores."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or is_coordinator(user)


# The second factors allauth.mfa offers; recovery codes only back one of these up.
SECOND_FACTORS = ("totp", "webauthn")


def has_second_factor(user) -> bool:
    """An authenticator app (TOTP) or a passkey, as the database says now (never memoised: the
    page that sets one up must see it at once)."""
    if user is None or not user.is_authenticated:
        return False
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTORS).exists()


@rules.predicate
def lacks_required_second_factor(user) -> bool:
    """Power without a second factor: no coordinator or admin page opens until one is set up."""
    return holds_power(user) and not has_second_factor(user)


rules.add_perm("accounts.coordinate", is_coordinator)
# Observers open the outcomes pages of their cities (outcomes.rules decides which).
rules.add_perm("accounts.observe", is_observer)
