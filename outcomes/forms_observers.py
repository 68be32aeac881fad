"""The form that names an observer (outcomes.services.observers decides)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ObserverAddForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail of the observer’s account"),
        help_text=_(
            "They sign up first; an observer sees figures, plans and reports, never a person."
        ),
    )
