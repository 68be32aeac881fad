from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation


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
