"""Thin views: read with selectors, change with services, check with rules."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services, tokens
from accounts.forms import GuardianConsentForm, GuardianRequestForm, LanguageForm, ProfileForm
from accounts.rules import guardian_represents
from accounts.selectors import consent_current, consent_history
from core.forms import add_validation_error
from core.models import Language


@login_required
def profile(request):
    user = request.user
    languages = list(Language.objects.all())
    if request.method == "POST":
        form = ProfileForm(request.POST, languages=languages)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.profile_update(
                    user=user,
                    native_name=data["native_name"],
                    latin_name=data["latin_name"],
                    date_of_birth=data["date_of_birth"],
                    home_city=data["home_city"],
                    school=data["school"],
                    interests=list(data["interests"]),
                    languages=data["languages"],
                    preferred_language=data["preferred_language"],
                )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, _("Your profile was saved."))
                return redirect("accounts:profile")
    else:
        levels = {s.language_id: s.level for s in user.spoken_languages.all()}
        initial = {
            "native_name": user.native_name,
            "latin_name": user.latin_name,
            "date_of_birth": user.date_of_birth,
            "home_city": user.home_city_id,
            "school": user.school,
            "interests": list(user.interests.all()),
            "preferred_language": user.preferred_language,
            **{f"lang_{code}": level for code, level in levels.items()},
        }
        form = ProfileForm(initial=initial, languages=languages)
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def consent(request):
    """Where the student's guardian consent stands, and the form to ask for it."""
    user = request.user
    current = consent_current(student=user)
    form = GuardianRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.guardian_consent_request(
                student=user, guardian_email=form.cleaned_data["guardian_email"]
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("We sent your guardian an email with a consent link."))
            return redirect("accounts:consent")
    return render(
        request,
        "accounts/consent.html",
        {"form": form, "consent": current, "history": consent_history(student=user)},
    )


def _rights_token(consent) -> str:
    """A fresh signed link to the child's data rights, for a guardian who acts for them."""
    return tokens.rights_token(consent) if guardian_represents(consent) else ""


def guardian_consent(request, token: str):
    """The guardian's page, reached from the signed link in their email. No login needed."""
    consent = tokens.consent_from_token(token)
    if consent is None:
        return render(request, "accounts/guardian_link_invalid.html", status=404)
    form = GuardianConsentForm(request.POST or None)
    if request.method == "POST" and consent.status == consent.Status.PENDING and form.is_valid():
        try:
            services.guardian_consent_give(
                consent=consent,
                guardian_name=form.cleaned_data["guardian_name"],
                relationship=form.cleaned_data["relationship"],
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            return redirect("accounts:guardian_consent", token=token)
    return render(
        request,
        "accounts/guardian_consent.html",
        {"consent": consent, "form": form, "rights_token": _rights_token(consent)},
    )


def guardian_withdraw(request, token: str):
    consent = tokens.consent_from_withdraw_token(token)
    if consent is None:
        return render(request, "accounts/guardian_link_invalid.html", status=404)
    error = None
    if request.method == "POST":
        try:
            services.guardian_consent_withdraw(consent=consent)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            return redirect("accounts:guardian_withdraw", token=token)
    return render(
        request,
        "accounts/guardian_withdraw.html",
        {"consent": consent, "error": error, "rights_token": _rights_token(consent)},
    )


@require_POST
def set_language(request):
    """Switch the interface language; signed-in users keep the choice in their profile."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
        )
    else:
        messages.error(request, _("That language is not available."))
    return response
