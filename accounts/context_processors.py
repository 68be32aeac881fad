from accounts.selectors import consent_current


def consent_status(request):
    """Every page shows a student who needs consent where it stands."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.needs_guardian_consent:
        return {}
    return {"guardian_consent": consent_current(student=user), "needs_guardian_consent": True}
