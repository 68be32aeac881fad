"""Forms of a visit's trip: a leg, an itinerary entry, the guardian's trip consent, the
traveller's guardian address and emergency information. They validate; the services decide."""

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, TimeInput
from exchange.models import EmergencyInfo, ItineraryItem, VisitLeg
from exchange.models.trips import EMERGENCY_FIELDS


class LegForm(forms.Form):
    departs_on = forms.DateField(label=_("departs on"), widget=DateInput())
    returns_on = forms.DateField(label=_("returns on"), widget=DateInput())
    emergency_plan = forms.CharField(
        label=_("emergency plan"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Whom to call first, the nearest hospital, where the group meets if separated."
        ),
    )

    @classmethod
    def initial_for(cls, leg: VisitLeg | None) -> dict:
        if leg is None:
            return {}
        return {
            "departs_on": leg.departs_on,
            "returns_on": leg.returns_on,
            "emergency_plan": leg.emergency_plan,
        }


class ItineraryItemForm(forms.ModelForm):
    """An entry of the leg's programme; times are the host city's local time."""

    day = forms.TypedChoiceField(label=_("day"), coerce=forms.DateField().to_python)

    class Meta:
        model = ItineraryItem
        fields = [
            "day",
            "starts_at",
            "ends_at",
            "kind",
            "place",
            "activity",
            "responsible_adult",
            "meeting_point",
            "transport",
        ]
        widgets = {"starts_at": TimeInput(), "ends_at": TimeInput()}

    def __init__(self, *args, leg: VisitLeg, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [
            (day.isoformat(), date_format(day, "DATE_FORMAT")) for day in leg.days()
        ]
        if self.instance.pk:
            self.initial["day"] = self.instance.day.isoformat()

    def _post_clean(self):
        # The service checks the item against its leg and writes it; no model validation here.
        pass

    def data_for_service(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class TripConsentForm(forms.Form):
    guardian_name = forms.CharField(label=_("Your full name"), max_length=100)
    agree = forms.BooleanField(
        label=_(
            "I am the student’s parent or legal guardian, I have read the trip above and I "
            "consent to it."
        )
    )
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)


class TripWithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GuardianEmailForm(forms.Form):
    guardian_email = forms.EmailField(label=_("guardian's email address"))


class EmergencyInfoForm(forms.ModelForm):
    class Meta:
        model = EmergencyInfo
        fields = list(EMERGENCY_FIELDS)
        widgets = {
            name: forms.TextInput()
            for name in (
                "contact_1_name",
                "contact_1_relation",
                "contact_1_phone",
                "contact_2_name",
                "contact_2_relation",
                "contact_2_phone",
                "insurer",
                "policy_number",
                "insurance_phone",
            )
        } | {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("medical_conditions", "allergies", "medications", "dietary_needs")
        }

    def _post_clean(self):
        pass

    def data_for_service(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in self.Meta.fields}
