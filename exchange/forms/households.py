"""Forms for host households: the family's description of the home, the host city's
screening checklist, its decision, the city's care policy and a placement's backup household.
Forms validate; exchange.services.households decides."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Language
from exchange.models import CityCarePolicy, Diet, Household, HouseholdMember
from exchange.services.households import (
    CarePolicyData,
    HouseholdData,
    MemberCheck,
    MemberData,
    ScreeningData,
)
from exchange.uploads import clean_upload

DATE = forms.DateInput(attrs={"type": "date"})


class HouseholdForm(forms.ModelForm):
    diets_offered = forms.MultipleChoiceField(
        label=_("Diets the family can cater for"),
        choices=Diet.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    languages = forms.ModelMultipleChoiceField(
        label=_("Languages spoken at home"),
        queryset=Language.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    address = forms.CharField(
        label=_("Home address"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only the program’s coordinators and, once the matching is published, your guest "
            "and their guardian see it."
        ),
    )

    class Meta:
        model = Household
        fields = [
            "family_name",
            "district",
            "address",
            "phone",
            "guest_rooms",
            "guest_beds",
            "own_room",
            "pets",
            "smoking",
            "diets_offered",
            "languages",
        ]


class MemberForm(forms.Form):
    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=100)
    relation = forms.ChoiceField(label=_("Relation"), choices=HouseholdMember.Relation.choices)
    birth_year = forms.IntegerField(label=_("Year of birth"), min_value=1900)
    phone = forms.CharField(
        label=_("Phone"), max_length=32, required=False, help_text=_("Required for adults.")
    )

    def clean_birth_year(self):
        year = self.cleaned_data["birth_year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("A year of birth can’t be in the future."))
        return year

    def clean(self):
        data = super().clean()
        year = data.get("birth_year")
        if year and timezone.localdate().year - year >= 18 and not data.get("phone", "").strip():
            self.add_error("phone", _("Adults give a phone number."))
        return data


class BaseMemberFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        rows = [f.cleaned_data for f in self.forms if f.cleaned_data and not self._deleted(f)]
        if not rows:
            raise forms.ValidationError(_("List everyone who lives in the home."))

    def _deleted(self, form) -> bool:
        return self.can_delete and form.cleaned_data.get("DELETE", False)

    def members(self) -> tuple[MemberData, ...]:
        return tuple(
            MemberData(
                pk=f.cleaned_data.get("pk"),
                name=f.cleaned_data["name"],
                relation=f.cleaned_data["relation"],
                birth_year=f.cleaned_data["birth_year"],
                phone=f.cleaned_data.get("phone", ""),
            )
            for f in self.forms
            if f.cleaned_data and not self._deleted(f)
        )


MemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=1, can_delete=True, max_num=20, validate_max=True
)


def household_data(form: HouseholdForm, members: BaseMemberFormSet) -> HouseholdData:
    data = form.cleaned_data
    return HouseholdData(
        family_name=data["family_name"],
        district=data["district"],
        address=data["address"],
        phone=data["phone"],
        guest_rooms=data["guest_rooms"],
        guest_beds=data["guest_beds"],
        own_room=data["own_room"],
        pets=data["pets"],
        smoking=data["smoking"],
        diets_offered=tuple(data["diets_offered"]),
        language_codes=tuple(language.pk for language in data["languages"]),
        members=members.members(),
    )


def member_initial(household: Household | None) -> list[dict]:
    if household is None:
        return []
    return [
        {
            "pk": m.pk,
            "name": m.name,
            "relation": m.relation,
            "birth_year": m.birth_year,
            "phone": m.phone,
        }
        for m in household.members.all()
    ]


class ScreeningForm(forms.Form):
    home_visit_on = forms.DateField(label=_("Home visit on"), required=False, widget=DATE)
    home_visit_by = forms.TypedChoiceField(
        label=_("Home visit by"), required=False, coerce=int, empty_value=None
    )
    home_visit_notes = forms.CharField(
        label=_("Notes from the home visit"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    references_checked = forms.IntegerField(
        label=_("References checked"), min_value=0, max_value=5, initial=0
    )
    references_notes = forms.CharField(
        label=_("Notes on the references"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    orientation_on = forms.DateField(
        label=_("Orientation attended on"), required=False, widget=DATE
    )

    def __init__(self, *args, coordinators, adults, policy: CityCarePolicy, **kwargs):
        super().__init__(*args, **kwargs)
        self.coordinators = {u.pk: u for u in coordinators}
        self.fields["home_visit_by"].choices = [("", "—")] + [
            (u.pk, u.display_name) for u in coordinators
        ]
        self.adults = adults
        self.checks_allowed = (
            policy.background_checks != CityCarePolicy.BackgroundChecks.NOT_PERMITTED
        )
        statuses = [
            c for c in HouseholdMember.Check.choices if c[0] != HouseholdMember.Check.NOT_PERMITTED
        ]
        for member in adults if self.checks_allowed else []:
            self.fields[f"check_{member.pk}"] = forms.ChoiceField(
                label=_("Background check of %(name)s") % {"name": member.name},
                choices=statuses,
                initial=member.background_check,
            )
            self.fields[f"checked_on_{member.pk}"] = forms.DateField(
                label=_("Checked on"),
                required=False,
                widget=DATE,
                initial=member.background_checked_on,
            )
            if policy.keeps_check_documents:
                self.fields[f"document_{member.pk}"] = forms.FileField(
                    label=_("Copy of the check"), required=False
                )

    def member_fields(self):
        """(member, its check fields) for the template."""
        return [
            (
                member,
                [self[name] for name in self.fields if name.endswith(f"_{member.pk}")],
            )
            for member in (self.adults if self.checks_allowed else [])
        ]

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if name.startswith("document_") and value:
                try:
                    data[name] = clean_upload(value)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return data

    def to_data(self) -> tuple[ScreeningData, list[MemberCheck]]:
        data = self.cleaned_data
        screening = ScreeningData(
            home_visit_on=data["home_visit_on"],
            home_visit_by=self.coordinators.get(data["home_visit_by"]),
            home_visit_notes=data["home_visit_notes"],
            references_checked=data["references_checked"],
            references_notes=data["references_notes"],
            orientation_on=data["orientation_on"],
        )
        checks = [
            MemberCheck(
                pk=member.pk,
                status=data[f"check_{member.pk}"],
                checked_on=data[f"checked_on_{member.pk}"],
                document=data.get(f"document_{member.pk}") or None,
            )
            for member in (self.adults if self.checks_allowed else [])
        ]
        return screening, checks


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, for the family"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CarePolicyForm(forms.ModelForm):
    class Meta:
        model = CityCarePolicy
        fields = [
            "requires_home_visit",
            "references_required",
            "background_checks",
            "keeps_check_documents",
            "requires_orientation",
            "incident_guardian_notice",
            "check_in_answer_by",
        ]
        widgets = {"check_in_answer_by": forms.TimeInput(attrs={"type": "time"})}

    def to_data(self) -> CarePolicyData:
        return CarePolicyData(**{f: self.cleaned_data[f] for f in self.Meta.fields})


class BackupForm(forms.Form):
    household = forms.TypedChoiceField(
        label=_("Backup household"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {h.pk: h for h in candidates}
        self.fields["household"].choices = [("", _("None"))] + [
            (h.pk, f"{h.family_name} · {h.district}") for h in candidates
        ]
