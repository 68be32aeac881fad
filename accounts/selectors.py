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


def person_identifiers(*, user: User) -> list[str]:
    """What names or reaches the person in free text: their full names in both scripts,
    their email and their guardians' emails. An erasure blanks any log text that holds one
    of these. A guardian's name is not among them: it is often one common word ("Mother"),
    and it lives only in the consent rows, which the erasure blanks itself."""
    values = {user.native_name, user.latin_name, user.email, user.display_name}
    for consent in GuardianConsent.objects.filter(student=user):
        values.add(consent.guardian_email)
    # Two characters at least: a one-letter "name" would match half of every log.
    return sorted(value for value in values if value and len(value.strip()) >= 2)


def person_data(*, user: User) -> dict:
    """The account's part of a person's data download: profile, languages, consents."""
    return {
        "profile": {
            "email": user.email,
            "native_name": user.native_name,
            "latin_name": user.latin_name,
            "date_of_birth": user.date_of_birth.isoformat() if user.date_of_birth else None,
            "home_city": user.home_city.name_en if user.home_city_id else None,
            "school": user.school,
            "interests": sorted(theme.slug for theme in user.interests.all()),
            "interface_language": user.preferred_language,
            "joined": user.date_joined.isoformat(),
            "last_sign_in": user.last_login.isoformat() if user.last_login else None,
        },
        "languages": [
            {"language": spoken.language_id, "level": spoken.get_level_display()}
            for spoken in user.spoken_languages.all()
        ],
        "guardian_consents": [
            {
                "guardian_email": consent.guardian_email,
                "guardian_name": consent.guardian_name,
                "relationship": consent.relationship,
                "requested_at": consent.requested_at.isoformat(),
                "consented_at": consent.consented_at.isoformat() if consent.consented_at else None,
                "withdrawn_at": consent.withdrawn_at.isoformat() if consent.withdrawn_at else None,
                "current": consent.is_current,
            }
            for consent in consent_history(student=user)
        ],
    }
