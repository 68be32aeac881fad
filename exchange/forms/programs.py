"""Forms for programs: creating and editing them, and filtering the public list."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, DateTimeInput
from core.models import City, Language, Theme
from exchange.models import Program
from exchange.services.programs import ProgramData


class ProgramForm(forms.Form):
    """A program with one 'places' field per city the coordinator may invite."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=Program.Kind.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=10000, widget=forms.Textarea)
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"), queryset=Theme.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    applications_open = forms.DateTimeField(label=_("Applications open"), widget=DateTimeInput())
    applications_close = forms.DateTimeField(label=_("Applications close"), widget=DateTimeInput())
    starts_on = forms.DateField(label=_("Program starts"), widget=DateInput())
    ends_on = forms.DateField(label=_("Program ends"), widget=DateInput())
    min_age = forms.IntegerField(label=_("Minimum age"), min_value=10, max_value=30)
    max_age = forms.IntegerField(label=_("Maximum age"), min_value=10, max_value=30)
    working_languages = forms.ModelMultipleChoiceField(
        label=_("Working languages"),
        queryset=Language.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    attendance_required_percent = forms.IntegerField(
        label=_("Attendance required (%)"),
        min_value=0,
        max_value=100,
        required=False,
        initial=75,
        help_text=_(
            "Online exchanges: the share of the live sessions held that a participant must "
            "attend to complete the program."
        ),
    )

    def __init__(
        self, *args, cities: list[City], locked_city_ids: frozenset[int] = frozenset(), **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.cities = cities
        for city in cities:
            locked = city.pk in locked_city_ids
            self.fields[f"quota_{city.pk}"] = forms.IntegerField(
                label=str(city),
                min_value=1,
                max_value=500,
                required=False,
                # A partner city's places are its own: shown, kept as they are on save.
                disabled=locked,
                help_text=_("Set by the coordinators of %(city)s.") % {"city": city}
                if locked
                else "",
            )

    @property
    def quota_fields(self):
        return [self[f"quota_{city.pk}"] for city in self.cities]

    @property
    def main_fields(self):
        return [field for field in self if not field.name.startswith("quota_")]

    def clean(self):
        cleaned = super().clean()
        quotas = {
            city: cleaned[f"quota_{city.pk}"]
            for city in self.cities
            if cleaned.get(f"quota_{city.pk}")
        }
        if len(quotas) < 2 and not any(f.startswith("quota_") for f in self.errors):
            self.add_error(None, _("A program needs at least two cities, each with its places."))
        cleaned["quotas"] = quotas
        return cleaned

    def to_data(self) -> ProgramData:
        c = self.cleaned_data
        return ProgramData(
            kind=c["kind"],
            title=c["title"].strip(),
            description=c["description"].strip(),
            themes=list(c["themes"]),
            quotas=c["quotas"],
            applications_open=c["applications_open"],
            applications_close=c["applications_close"],
            starts_on=c["starts_on"],
            ends_on=c["ends_on"],
            min_age=c["min_age"],
            max_age=c["max_age"],
            working_languages=list(c["working_languages"]),
            attendance_required_percent=c.get("attendance_required_percent"),
        )

    @classmethod
    def initial_for(cls, program: Program) -> dict:
        return {
            "kind": program.kind,
            "title": program.title,
            "description": program.description,
            "themes": list(program.themes.all()),
            "applications_open": program.applications_open,
            "applications_close": program.applications_close,
            "starts_on": program.starts_on,
            "ends_on": program.ends_on,
            "min_age": program.min_age,
            "max_age": program.max_age,
            "working_languages": list(program.working_languages.all()),
            "attendance_required_percent": program.attendance_required_percent,
            **{f"quota_{pc.city_id}": pc.quota for pc in program.program_cities.all()},
        }


class ProgramFilterForm(forms.Form):
    """The filters on the program list. Unknown values are errors, shown beside the filter."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any kind")), *Program.Kind.choices], required=False
    )
    city = forms.ModelChoiceField(
        label=_("City"),
        queryset=City.objects.order_by("name_en"),
        to_field_name="slug",
        required=False,
        empty_label=_("Any city"),
    )
    theme = forms.ChoiceField(
        label=_("Theme"), choices=[("", _("Any theme")), *Theme.Slug.choices], required=False
    )
    language = forms.ModelChoiceField(
        label=_("Language"),
        queryset=Language.objects.all(),
        required=False,
        empty_label=_("Any language"),
    )
    fits_my_age = forms.BooleanField(label=_("Only programs that fit my age"), required=False)


class ProgramStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Program.Status.choices)
