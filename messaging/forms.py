"""Forms validate input; services decide and write."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

# How long a coordinator may mute someone from the moderation page.
MUTE_DURATIONS = {
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
}


class DeleteForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class MuteForm(forms.Form):
    user = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    duration = forms.ChoiceField(
        label=_("Mute for"),
        choices=[("1h", _("1 hour")), ("24h", _("24 hours")), ("7d", _("7 days"))],
    )


class UnmuteForm(forms.Form):
    user = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
