"""Forms validate input; services decide and write."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from exchange.forms.programs import DateTimeInput

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


class LiveSessionForm(forms.Form):
    """A session's title and times, entered in the coordinator's city time zone (the view
    activates it, so the naive times typed in are read in that zone)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput())

    @classmethod
    def initial_for(cls, session) -> dict:
        return {"title": session.title, "starts_at": session.starts_at, "ends_at": session.ends_at}


class AttendanceForm(forms.Form):
    attended = forms.ChoiceField(
        choices=[("yes", _("Attended")), ("no", _("Absent")), ("auto", _("As counted"))]
    )

    def value(self) -> bool | None:
        return {"yes": True, "no": False, "auto": None}[self.cleaned_data["attended"]]
