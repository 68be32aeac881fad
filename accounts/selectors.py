from allauth.mfa.models import Authenticator

from accounts.models import GuardianConsent, User


def consent_current(*, student: User) -> GuardianConsent | None:
    """The student's current consent request, cached on the user for the request."""
    if not hasattr(student, "_consent_current"):
        student._consent_current = GuardianConsent.objects.filter(
            student=student, is_current=True
        ).first()
    return student._consent_current


def consent_history(*, student: User) -> list[GuardianConsent]:
    return list(GuardianConsent.objects.filter(student=student).order_by("-requested_at"))


def consent_is_given(*, student: User) -> bool:
    consent = consent_current(student=student)
    return consent is not None and consent.status == GuardianConsent.Status.GIVEN


def user_has_two_factor(*, user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
