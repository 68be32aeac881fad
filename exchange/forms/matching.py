"""Forms for the matching page: the program's rules and coordinators' hand adjustments."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import TimeInput
from exchange.models import Matching
from exchange.services.matching import MatchingSettings

PAIR_FIELDS = [
    "same_gender",
    "max_age_gap",
    "allow_two_visitors",
    "weight_interests",
    "weight_language_practice",
    "weight_age",
]
GROUP_FIELDS = [
    "group_min_size",
    "group_max_size",
    "window_start",
    "window_end",
    "session_minutes",
    "weight_interests",
]


class MatchingSettingsForm(forms.ModelForm):
    class Meta:
        model = Matching
        fields = sorted(set(PAIR_FIELDS) | set(GROUP_FIELDS))
        widgets = {"window_start": TimeInput(), "window_end": TimeInput()}

    def __init__(self, *args, is_visit: bool, **kwargs):
        super().__init__(*args, **kwargs)
        shown = PAIR_FIELDS if is_visit else GROUP_FIELDS
        for name in list(self.fields):
            if name not in shown:
                self.fields[name].required = False
                self.fields[name].widget = forms.HiddenInput()
        self.order_fields(shown)

    def to_data(self) -> MatchingSettings:
        data = {name: self.cleaned_data.get(name) for name in MatchingSettings.__annotations__}
        for name, value in data.items():
            if value is None:
                data[name] = getattr(self.instance, name)
        return MatchingSettings(**data)


class ParticipantChoiceField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(coerce=int, **kwargs)


class SwapForm(forms.Form):
    first = ParticipantChoiceField(label=_("Participant"))
    second = ParticipantChoiceField(label=_("changes places with"))

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first"].choices = self.fields["second"].choices = choices


class PairForm(SwapForm):
    second = ParticipantChoiceField(label=_("is paired with"))


class MoveForm(forms.Form):
    participant = ParticipantChoiceField(label=_("Participant"))
    group = forms.TypedChoiceField(
        label=_("moves to"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args, choices, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].choices = choices
        self.fields["group"].choices = [("", _("No group (take out)")), *groups]
