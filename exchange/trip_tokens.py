"""Signed links for a guardian's trip consent (issue 15), as accounts/tokens.py: they carry
the consent id and the email it was sent to, so a link stops working once the student names
a different guardian or the child is placed in another household (a new consent)."""

from datetime import timedelta

from django.conf import settings
from django.core import signing

from exchange.models import TripConsent

SIGN_SALT = "exchange.trip-consent"
WITHDRAW_SALT = "exchange.trip-consent-withdraw"


def _payload(consent: TripConsent) -> dict:
    return {"t": consent.pk, "e": consent.guardian_email}


def sign_token(consent: TripConsent) -> str:
    return signing.dumps(_payload(consent), salt=SIGN_SALT, compress=True)


def withdraw_token(consent: TripConsent) -> str:
    return signing.dumps(_payload(consent), salt=WITHDRAW_SALT, compress=True)


def _load(token: str, *, salt: str, max_age: timedelta | None) -> dict | None:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("t"), int):
        return None
    if not isinstance(data.get("e"), str) or not data["e"]:
        return None
    return data


def _consents():
    return TripConsent.objects.select_related(
        "application__student",
        "application__program",
        "application__city",
        "household",
    )


def consent_from_sign_token(token: str) -> TripConsent | None:
    """The current consent a guardian's link points to, or None if it is forged, expired
    (GUARDIAN_LINK_MAX_AGE_DAYS) or replaced."""
    data = _load(token, salt=SIGN_SALT, max_age=timedelta(days=settings.GUARDIAN_LINK_MAX_AGE_DAYS))
    if data is None:
        return None
    return _consents().filter(pk=data["t"], guardian_email=data["e"], is_current=True).first()


def consent_from_withdraw_token(token: str) -> TripConsent | None:
    """Withdrawing stays as easy as signing: this link never expires, and a link to an older
    request of the same guardian reaches the child's current one."""
    data = _load(token, salt=WITHDRAW_SALT, max_age=None)
    if data is None:
        return None
    sent = TripConsent.objects.filter(pk=data["t"], guardian_email=data["e"]).first()
    if sent is None:
        return None
    return (
        _consents()
        .filter(application_id=sent.application_id, guardian_email=data["e"], is_current=True)
        .first()
    )
