from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils import translation

from accounts.models import User


def recipient_language(email: str) -> str:
    """The language an account email goes out in: the addressee's own, when the address is
    one of a person's; otherwise (an address nobody has) the language of the page that asked."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
        user = address.user if address else None
    if user is not None and user.preferred_language in dict(settings.LANGUAGES):
        return user.preferred_language
    return translation.get_language() or settings.LANGUAGE_CODE


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # Set the sign-up extras before the single save, so nothing is written half-done.
        user = super().save_user(request, user, form, commit=False)
        user.date_of_birth = form.cleaned_data["date_of_birth"]
        language = translation.get_language()
        user.preferred_language = language if language in dict(settings.LANGUAGES) else "en"
        if commit:
            user.save()
        return user

    def add_message(self, request, *args, **kwargs):
        # "Successfully signed in as …" is read on the next page, which is in the person's own
        # language; at sign-in this request was still in the language of the sign-in page.
        user = getattr(request, "user", None)
        language = getattr(user, "preferred_language", "") if user and user.is_authenticated else ""
        with translation.override(language or translation.get_language()):
            super().add_message(request, *args, **kwargs)

    def send_mail(self, template_prefix, email, context):
        # allauth's emails (templates/account/email/) in the recipient's language, naming the
        # portal rather than the host it runs on.
        context = {**context, "portal_name": settings.PORTAL_NAME, "site_url": settings.SITE_URL}
        with translation.override(recipient_language(email)):
            super().send_mail(template_prefix, email, context)

    def format_email_subject(self, subject):
        return f"[{settings.PORTAL_NAME}] {subject}"
