"""Forms validate input; services decide and write."""

from datetime import date

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import GuardianConsent, age_on
from core.forms import LanguageLevelsMixin
from core.models import City, Language, Theme
from core.text import NameField

OLDEST_AGE = 100


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def clean_date_of_birth(value: date) -> date:
    today = timezone.localdate()
    if value > today:
        raise forms.ValidationError(_("The date of birth can’t be in the future."))
    if age_on(value, today) > OLDEST_AGE:
        raise forms.ValidationError(_("Please check the year of your date of birth."))
    if age_on(value, today) < 8:
        raise forms.ValidationError(_("The portal is for young people aged 8 and over."))
    return value


class SignupForm(AllauthSignupForm):
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=DateInput(),
        help_text=_("We ask so that a guardian can consent for young people who need it."),
    )

    field_order = ["email", "date_of_birth", "password1", "password2"]

    def clean_date_of_birth(self):
        return clean_date_of_birth(self.cleaned_data["date_of_birth"])


class ProfileForm(LanguageLevelsMixin, forms.Form):
    native_name = NameField(
        label=_("Name in your own script"),
        max_length=100,
        help_text=_("As written at home, for example 김민지, 王晓雨, 田中結衣 or Nguyễn Thị Lan."),
    )
    latin_name = NameField(
        label=_("Name in Latin letters"),
        max_length=100,
        help_text=_("As in your passport, for example Kim Minji."),
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput())
    home_city = forms.ModelChoiceField(
        label=_("Home city"),
        queryset=City.objects.order_by("name_en"),
        empty_label=_("Choose your city…"),
    )
    school = forms.CharField(label=_("School"), max_length=200, required=False)
    interests = forms.ModelMultipleChoiceField(
        label=_("Interests"),
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    preferred_language = forms.ChoiceField(
        label=_("Interface language"), choices=settings.LANGUAGES
    )

    def __init__(self, *args, languages: list[Language], **kwargs):
        super().__init__(*args, **kwargs)
        self.add_language_fields(languages)

    @property
    def other_fields(self):
        return [field for field in self if not field.name.startswith("lang_")]

    def clean_date_of_birth(self):
        return clean_date_of_birth(self.cleaned_data["date_of_birth"])

    def clean(self):
        cleaned = super().clean()
        spoken = self.spoken_languages()
        if not spoken and not self.errors:
            raise forms.ValidationError(_("Choose at least one language you speak."))
        cleaned["languages"] = spoken
        return cleaned


class GuardianRequestForm(forms.Form):
    guardian_email = forms.EmailField(
        label=_("Your guardian’s email address"),
        help_text=_("We send them a link to read what you signed up for and give consent."),
    )


class GuardianConsentForm(forms.Form):
    guardian_name = NameField(label=_("Your full name"), max_length=100)
    relationship = forms.ChoiceField(
        label=_("Your relationship to the student"),
        choices=[("", "—"), *GuardianConsent.Relationship.choices],
    )
    confirm = forms.BooleanField(
        label=_(
            "I am this young person’s legal guardian and I consent to them using the portal "
            "and applying to exchange programs."
        )
    )

    def clean_guardian_name(self):
        name = self.cleaned_data["guardian_name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter your full name."))
        return name


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)
