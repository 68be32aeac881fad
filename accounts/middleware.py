import zoneinfo
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.rules import lacks_required_second_factor
from accounts.selectors import consent_is_given


class UserPreferencesMiddleware:
    """Signed-in users see the portal in their chosen language and their city's time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        negotiated = translation.get_language()
        if user.is_authenticated:
            if user.preferred_language:
                translation.activate(user.preferred_language)
                request.LANGUAGE_CODE = translation.get_language()
            if user.home_city_id:
                timezone.activate(zoneinfo.ZoneInfo(user.home_city.time_zone))
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        if user.is_authenticated and user.preferred_language:
            response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
            # The thread serves other requests (and, in tests, code outside any request)
            # next: leave it in the language LocaleMiddleware chose, not this person's.
            translation.activate(negotiated)
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


# What someone with power but no second factor may still reach: allauth.mfa's own pages (every
# view named mfa_…), reauthentication, signing out, e-mail confirmation and the language switch.
SECOND_FACTOR_SETUP_ALLOWED = {
    "account_logout",
    "account_reauthenticate",
    "account_confirm_email",
    "account_email_verification_sent",
    "accounts:set_language",
}


class SecondFactorRequiredMiddleware:
    """Coordinators and staff set up a second factor before any other page opens.

    Asked on every request (accounts.rules.lacks_required_second_factor reads the database), so
    someone made coordinator is led to the setup page on their next click, and the admin is
    covered too: its login goes through allauth (exchange/urls.py), which asks for the code.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not self._allowed(request.path_info)
            and lacks_required_second_factor(user)
        ):
            notice = _(
                "Coordinators and staff need a second factor: set up an authenticator app "
                "or a passkey to continue."
            )
            target = f"{reverse('mfa_index')}?{urlencode({'next': request.get_full_path()})}"
            if request.path_info.startswith("/api/"):
                # A script gets an answer it can read, not the setup page's HTML.
                return JsonResponse(
                    {"type": "error", "code": "second_factor_required", "detail": notice},
                    status=403,
                )
            messages.warning(request, notice, fail_silently=True)
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        # Static files never get here (WhiteNoise serves them first); a path that resolves to
        # no view is a 404, which shows nothing.
        try:
            match = resolve(path)
        except Resolver404:
            return True
        name = match.view_name
        return name.startswith("mfa_") or name in SECOND_FACTOR_SETUP_ALLOWED
