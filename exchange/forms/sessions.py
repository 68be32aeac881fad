"""Forms for an online program's live sessions and attendance corrections."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateTimeInput


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
