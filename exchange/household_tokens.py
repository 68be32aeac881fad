"""The signed link a student sends their guardian to describe the family's home (no account).
It carries the consent id and the guardian's email, with its own salt, so no other guardian
link opens it; it works only while that consent is current and given."""

from datetime import timedelta

from django.conf import settings
from django.core import signing

from accounts.models import GuardianConsent

HOUSEHOLD_SALT = "exchange.household-guardian"


def household_token(consent: GuardianConsent) -> str:
    return signing.dumps(
        {"c": consent.pk, "e": consent.guardian_email}, salt=HOUSEHOLD_SALT, compress=True
    )


def consent_from_household_token(token: str) -> GuardianConsent | None:
    """The current, given consent the link points to; None if forged, expired or replaced."""
    try:
        data = signing.loads(
            token,
            salt=HOUSEHOLD_SALT,
            max_age=timedelta(days=settings.GUARDIAN_LINK_MAX_AGE_DAYS),
        )
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict):
        return None
    consent = (
        GuardianConsent.objects.select_related("student", "student__home_city")
        .filter(pk=data.get("c"), guardian_email=data.get("e"), is_current=True)
        .first()
    )
    if consent is None or consent.status != GuardianConsent.Status.GIVEN:
        return None
    return consent
