"""Signed links for guardians. They carry the consent id and the email it was sent to,
so a link stops working once the student names a different guardian."""

from datetime import timedelta

from django.conf import settings
from django.core import signing

from accounts.models import GuardianConsent

CONSENT_SALT = "accounts.guardian-consent"
WITHDRAW_SALT = "accounts.guardian-withdraw"
# The guardian's door to their child's data (download, deletion): its own salt, so neither
# of the other links opens it, and it expires like the consent link.
RIGHTS_SALT = "accounts.guardian-rights"


def _payload(consent: GuardianConsent) -> dict:
    return {"c": consent.pk, "e": consent.guardian_email}


def consent_token(consent: GuardianConsent) -> str:
    return signing.dumps(_payload(consent), salt=CONSENT_SALT, compress=True)


def withdraw_token(consent: GuardianConsent) -> str:
    return signing.dumps(_payload(consent), salt=WITHDRAW_SALT, compress=True)


def rights_token(consent: GuardianConsent) -> str:
    return signing.dumps(_payload(consent), salt=RIGHTS_SALT, compress=True)


def _load(token: str, *, salt: str, max_age: timedelta | None) -> GuardianConsent | None:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict):
        return None
    consent = (
        GuardianConsent.objects.select_related("student", "student__home_city")
        .filter(pk=data.get("c"), guardian_email=data.get("e"), is_current=True)
        .first()
    )
    return consent


def consent_from_token(token: str) -> GuardianConsent | None:
    """The consent a guardian's link points to, or None if it is forged, expired or replaced."""
    max_age = timedelta(days=settings.GUARDIAN_LINK_MAX_AGE_DAYS)
    return _load(token, salt=CONSENT_SALT, max_age=max_age)


def consent_from_withdraw_token(token: str) -> GuardianConsent | None:
    # Withdrawing must stay as easy as consenting, so this link does not expire.
    return _load(token, salt=WITHDRAW_SALT, max_age=None)


def consent_from_rights_token(token: str) -> GuardianConsent | None:
    """The consent whose guardian holds this data-rights link, or None if it is forged,
    expired (GUARDIAN_LINK_MAX_AGE_DAYS) or replaced."""
    max_age = timedelta(days=settings.GUARDIAN_LINK_MAX_AGE_DAYS)
    return _load(token, salt=RIGHTS_SALT, max_age=max_age)
