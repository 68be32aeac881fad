"""The working groups' and plans' forms: they validate what was typed; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from outcomes.models import Indicator, PlanActivity
from outcomes.models.plans import city_currency

AMOUNT = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    purpose = forms.CharField(
        label=_("What it works on"), max_length=3000, required=False, widget=forms.Textarea
    )


class MemberForm(forms.Form):
    user = forms.TypedChoiceField(
        label=_("Coordinator or observer"),
        coerce=int,
        error_messages={
            "invalid_choice": _(
                "Choose a coordinator or observer of one of the partnership’s cities."
            )
        },
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "---------")] + [
            (user.pk, user.display_name) for user in candidates
        ]


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Activity"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=3000, required=False, widget=forms.Textarea
    )
    owner = forms.TypedChoiceField(
        label=_("Owner"),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": _("The owner must be a member of the working group.")},
    )
    starts_on = forms.DateField(label=_("Starts"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends"), widget=DateInput)
    status = forms.ChoiceField(label=_("Status"), choices=PlanActivity.Status.choices)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("No owner yet"))] + [
            (member.user_id, member.user.display_name) for member in members
        ]

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date can’t be before the start date."))
        return data


class BudgetLineForm(forms.Form):
    city = forms.TypedChoiceField(
        label=_("Whose budget"),
        coerce=int,
        error_messages={
            "invalid_choice": _("A budget line is for one of the partnership’s cities.")
        },
    )
    label = forms.CharField(label=_("Item"), max_length=200)
    planned = forms.DecimalField(label=_("Planned"), **AMOUNT)
    spent = forms.DecimalField(label=_("Spent"), initial=0, **AMOUNT)

    def __init__(self, *args, partnership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = [
            (city.pk, f"{city} ({city_currency(city)})")
            for city in (partnership.city_a, partnership.city_b)
        ]


class BudgetLineEditForm(forms.Form):
    label = forms.CharField(label=_("Item"), max_length=200)
    planned = forms.DecimalField(label=_("Planned"), **AMOUNT)
    spent = forms.DecimalField(label=_("Spent"), **AMOUNT)


def measure_choices(partnership) -> list[tuple[str, str]]:
    """The measures, the two participant ones named after the partnership's cities."""
    named = {
        Indicator.Measure.PARTICIPANTS_FROM_A: partnership.city_a,
        Indicator.Measure.PARTICIPANTS_FROM_B: partnership.city_b,
    }
    return [
        (
            value,
            _("Participants from %(city)s") % {"city": named[value]} if value in named else label,
        )
        for value, label in Indicator.Measure.choices
    ]


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=200)
    measure = forms.ChoiceField(label=_("Measured by"))
    unit = forms.CharField(
        label=_("Unit"),
        max_length=40,
        required=False,
        help_text=_("For an indicator the working group enters, e.g. “articles”."),
    )

    def __init__(self, *args, partnership=None, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.years = list(years)
        self.fields["measure"].choices = measure_choices(partnership)
        for year in self.years:
            self.fields[f"target_{year}"] = forms.DecimalField(
                label=_("Target for %(year)s") % {"year": year}, required=False, **AMOUNT
            )
            self.fields[f"value_{year}"] = forms.DecimalField(
                label=_("Value for %(year)s (entered)") % {"year": year},
                required=False,
                **AMOUNT,
            )
            self.fields[f"note_{year}"] = forms.CharField(
                label=_("Note for %(year)s") % {"year": year},
                max_length=1000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def year_fields(self):
        return [
            (year, self[f"target_{year}"], self[f"value_{year}"], self[f"note_{year}"])
            for year in self.years
        ]

    def targets(self) -> dict:
        return {year: self.cleaned_data[f"target_{year}"] for year in self.years}

    def values(self) -> dict:
        return {
            year: (self.cleaned_data[f"value_{year}"], self.cleaned_data[f"note_{year}"])
            for year in self.years
        }
