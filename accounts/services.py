"""State changes for accounts: profiles, coordinator teams and guardian consent."""

import hashlib
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import tokens
from accounts.models import CoordinatorMembership, GuardianConsent, SpokenLanguage, User
from core import ratelimit
from core.mail import send_templated_email
from core.models import City, Language, Theme


@transaction.atomic
def profile_update(
    *,
    user: User,
    native_name: str,
    latin_name: str,
    date_of_birth: date,
    home_city: City,
    school: str,
    interests: list[Theme],
    languages: list[tuple[Language, int]],
    preferred_language: str,
) -> User:
    user.native_name = native_name
    user.latin_name = latin_name
    user.date_of_birth = date_of_birth
    user.home_city = home_city
    user.school = school
    user.preferred_language = preferred_language
    user.full_clean(exclude=["password"])
    user.save()
    user.interests.set(interests)
    SpokenLanguage.objects.filter(user=user).delete()
    SpokenLanguage.objects.bulk_create(
        SpokenLanguage(user=user, language=language, level=level) for language, level in languages
    )
    return user


@transaction.atomic
def coordinator_add(*, user: User, city: City) -> CoordinatorMembership:
    membership, _created = CoordinatorMembership.objects.get_or_create(user=user, city=city)
    return membership


@transaction.atomic
def coordinator_remove(*, user: User, city: City) -> bool:
    """Take the user off the city's coordinator team. Their rights end at once: open chat
    sockets are told (accounts.signals) and every later request or frame reads the team
    again. Returns whether they were on it."""
    membership = CoordinatorMembership.objects.filter(user=user, city=city).first()
    if membership is None:
        return False
    membership.delete()
    return True


@transaction.atomic
def guardian_consent_request(*, student: User, guardian_email: str) -> GuardianConsent:
    """Ask a guardian for consent. Replaces a pending or withdrawn request, never a given one."""
    guardian_email = guardian_email.strip().lower()
    if guardian_email == student.email.lower():
        raise ValidationError(
            {"guardian_email": _("Enter your guardian's email address, not your own.")}
        )
    current = (
        GuardianConsent.objects.select_for_update().filter(student=student, is_current=True).first()
    )
    if current is not None and current.status == GuardianConsent.Status.GIVEN:
        raise ValidationError(_("Your guardian has already consented."))
    # Each request sends an e-mail: a limit per student and one per address, whoever asks,
    # so nobody can use the form to flood someone's inbox (core.ratelimit, every process).
    day = 24 * 3600
    if not ratelimit.hit(
        f"consent-student:{student.pk}", limit=settings.CONSENT_EMAILS_PER_STUDENT, period=day
    ) or not ratelimit.hit(
        f"consent-address:{hashlib.sha256(guardian_email.encode()).hexdigest()}",
        limit=settings.CONSENT_EMAILS_PER_ADDRESS,
        period=day,
    ):
        raise ValidationError(
            _(
                "We have sent enough consent e-mails for today. Ask your guardian to look in "
                "their inbox and spam folder, or try again tomorrow."
            ),
            code="rate_limited",
        )
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    consent = GuardianConsent.objects.create(student=student, guardian_email=guardian_email)

    from accounts.tasks import send_guardian_consent_request

    transaction.on_commit(lambda: send_guardian_consent_request.delay(consent.pk))
    return consent


@transaction.atomic
def guardian_consent_give(
    *, consent: GuardianConsent, guardian_name: str, relationship: str
) -> GuardianConsent:
    consent = GuardianConsent.objects.select_for_update().get(pk=consent.pk)
    if not consent.is_current or consent.status != GuardianConsent.Status.PENDING:
        raise ValidationError(_("This consent request is no longer waiting for an answer."))
    consent.guardian_name = guardian_name.strip()
    consent.relationship = relationship
    consent.consented_at = timezone.now()
    consent.full_clean()
    consent.save(update_fields=["guardian_name", "relationship", "consented_at"])

    from accounts.tasks import send_guardian_consent_confirmation

    transaction.on_commit(lambda: send_guardian_consent_confirmation.delay(consent.pk))
    return consent


@transaction.atomic
def guardian_consent_withdraw(*, consent: GuardianConsent) -> GuardianConsent:
    consent = GuardianConsent.objects.select_for_update().get(pk=consent.pk)
    if consent.status != GuardianConsent.Status.GIVEN:
        raise ValidationError(_("Only a consent that was given can be withdrawn."))
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    return consent


def guardian_consent_send_request_email(*, consent: GuardianConsent) -> None:
    student = consent.student
    link = reverse("accounts:guardian_consent", kwargs={"token": tokens.consent_token(consent)})
    send_templated_email(
        to=consent.guardian_email,
        template="accounts/email/guardian_request",
        context={
            "consent": consent,
            "student": student,
            "path": link,
            "link_days": settings.GUARDIAN_LINK_MAX_AGE_DAYS,
        },
        language=student.preferred_language,
    )


def guardian_consent_send_confirmation_email(*, consent: GuardianConsent) -> None:
    student = consent.student
    link = reverse("accounts:guardian_withdraw", kwargs={"token": tokens.withdraw_token(consent)})
    send_templated_email(
        to=consent.guardian_email,
        template="accounts/email/guardian_confirmation",
        context={"consent": consent, "student": student, "path": link},
        language=student.preferred_language,
    )


def user_set_language(*, user: User, language: str) -> None:
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])


# What an erased guardian name reads: the consent row must keep naming someone (the
# consent_names_guardian constraint), and the record that consent was given stays.
ERASED = "erased"


def erased_email(user: User) -> str:
    # Unique (the email column is) and undeliverable: .invalid is reserved (RFC 2606).
    return f"erased-{user.pk}@erased.invalid"


@transaction.atomic
def user_erase(*, user: User, now) -> User:
    """The account's part of an erasure: blank every personal field, drop the languages,
    interests, sign-in addresses and second factors, anonymise the guardian consent
    records (the fact and dates of consent stay), and lock the account for good.

    The row stays, with its home city and interface language, so the applications,
    places and certificates that point at it stay whole."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    user = User.objects.select_for_update().get(pk=user.pk)
    user.email = erased_email(user)
    user.native_name = ""
    user.latin_name = ""
    user.date_of_birth = None
    user.school = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.erased_at = now
    user.set_unusable_password()
    user.save()
    user.interests.clear()
    user.groups.clear()
    user.user_permissions.clear()
    SpokenLanguage.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    CoordinatorMembership.objects.filter(user=user).delete()
    for consent in GuardianConsent.objects.filter(student=user):
        consent.guardian_email = erased_email(user)
        if consent.consented_at is not None:
            consent.guardian_name = ERASED
        else:
            consent.guardian_name = ""
        consent.save(update_fields=["guardian_email", "guardian_name"])
    # The admin's history names the account as it was shown then.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=f"#{user.pk}")
    return user
