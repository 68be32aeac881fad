"""Observers of a city: named and removed by its coordinators, one service per step.

An observer reads the city's figures, plans and reports and never a person, so only an
active adult who does not already coordinate the city may be one (they would see more as a
coordinator anyway, and a minor is a participant, not the mayor's office).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import CoordinatorMembership, ObserverMembership, User
from accounts.rules import is_minor
from core.models import City
from exchange.audit import audit
from exchange.models import AuditEntry


@transaction.atomic
def observer_add(*, city: City, email: str, by: User) -> ObserverMembership:
    """Name the account with `email` an observer of `city`."""
    email = (email or "").strip()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        raise ValidationError(
            _("No account uses %(email)s. Ask them to sign up first, then name them here.")
            % {"email": email},
            code="no_account",
        )
    if not user.is_active or user.erased_at is not None:
        raise ValidationError(
            _("This account is closed and cannot observe a city."), code="inactive"
        )
    if is_minor(user):
        raise ValidationError(
            _("An observer must be an adult whose date of birth is in their profile."),
            code="minor",
        )
    if CoordinatorMembership.objects.filter(user=user, city=city).exists():
        raise ValidationError(
            _("This person coordinates %(city)s and already sees more than an observer.")
            % {"city": city},
            code="coordinator",
        )
    membership, created = ObserverMembership.objects.get_or_create(
        user=user, city=city, defaults={"added_by": by}
    )
    if not created:
        raise ValidationError(
            _("This person already observes %(city)s.") % {"city": city}, code="already"
        )
    audit(
        action=AuditEntry.Action.OBSERVER_ADD,
        by=by,
        program_id=None,
        city_ids=[city.pk],
        subject_id=user.pk,
    )
    return membership


@transaction.atomic
def observer_remove(*, membership: ObserverMembership, by: User) -> None:
    """End `membership`: its holder no longer sees the city's outcomes."""
    city_id, user = membership.city_id, membership.user
    membership.delete()
    audit(
        action=AuditEntry.Action.OBSERVER_REMOVE,
        by=by,
        program_id=None,
        city_ids=[city_id],
        subject_id=user.pk,
    )
