import zoneinfo

from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import timezone, translation

from accounts.selectors import consent_is_given


class UserPreferencesMiddleware:
    """Signed-in users see the portal in their chosen language and their city's time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            if user.preferred_language:
                translation.activate(user.preferred_language)
                request.LANGUAGE_CODE = translation.get_language()
            if user.home_city_id:
                timezone.activate(zoneinfo.ZoneInfo(user.home_city.time_zone))
        response = self.get_response(request)
        timezone.deactivate()
        return response


# What an under-14 user may reach before a guardian consents: the consent request itself,
# the guardian's own pages, signing out, email confirmation and the language switch.
CONSENT_GATE_ALLOWED = {
    "accounts:consent",
    "accounts:guardian_consent",
    "accounts:guardian_withdraw",
    "privacy:guardian_data",
    "privacy:guardian_data_download",
    "privacy:guardian_data_delete",
    "accounts:set_language",
    "account_logout",
    "account_confirm_email",
    "account_email_verification_sent",
}


class UnderFourteenConsentGateMiddleware:
    """Under 14 (PIPA Art. 22-2), nothing beyond the consent request until a guardian consents."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.is_under_minimum_consent_age
            and not self._allowed(request.path_info)
            and not consent_is_given(student=user)
        ):
            return redirect("accounts:consent")
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        if path.startswith(settings.STATIC_URL):
            return True
        try:
            match = resolve(path)
        except Resolver404:
            return True  # a 404 page reveals nothing
        return match.view_name in CONSENT_GATE_ALLOWED
