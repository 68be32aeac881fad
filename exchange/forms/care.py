"""Forms of care during a visit: the locator's day, a message to travellers, a household
visit, an incident and its follow-ups. They validate input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, DateTimeInput
from exchange.models import Incident


class LocatorDayForm(forms.Form):
    day = forms.DateField(
        label=_("Day"),
        widget=DateInput(),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD, for example 2026-07-14.")},
    )


class TripMessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(
        label=_("Message"), max_length=3000, widget=forms.Textarea(attrs={"rows": 6})
    )
    to_guardians = forms.BooleanField(
        label=_("Also email the guardians of the minors among them"), required=False
    )


class HouseholdVisitForm(forms.Form):
    household = forms.TypedChoiceField(label=_("Household"), coerce=int)
    visited_on = forms.DateField(label=_("Visited on"), widget=DateInput())
    notes = forms.CharField(
        label=_("Notes"), max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.households = {h.pk: h for h in households}
        self.fields["household"].choices = [
            (h.pk, f"{h.family_name} ({h.district})") for h in households
        ]

    def chosen_household(self):
        return self.households[self.cleaned_data["household"]]


class IncidentForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Incident.Category.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Incident.Severity.choices)
    involved = forms.TypedMultipleChoiceField(
        label=_("Who was involved"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only the visit’s participants can be named."),
    )
    occurred_at = forms.DateTimeField(label=_("When it happened"), widget=DateTimeInput())
    what_happened = forms.CharField(
        label=_("What happened"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    what_was_done = forms.CharField(
        label=_("What was done"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = {a.pk: a for a in participants}
        self.fields["involved"].choices = [
            (a.pk, f"{a.student.display_name} · {a.city.name_en}") for a in participants
        ]

    def chosen_involved(self):
        return [self.participants[pk] for pk in self.cleaned_data["involved"]]


class IncidentNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Follow-up"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
