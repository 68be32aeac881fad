"""Forms for a student's application and its documents."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.forms import LanguageLevelsMixin
from core.models import Language, Theme
from core.text import interpolate_lazy
from exchange.models import Application, Diet
from exchange.services.applications import (
    AVAILABILITY_MAX,
    MOTIVATION_MAX,
    MOTIVATION_MIN,
    ApplicationAnswers,
)

YES_NO = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class YesNoField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=YES_NO, coerce=_yes_no, empty_value=None, required=False, **kwargs)


class ApplicationForm(LanguageLevelsMixin, forms.Form):
    """The student's answers. Everything is optional to save a draft; submitting checks more."""

    motivation = forms.CharField(
        label=_("Why do you want to take part?"),
        widget=forms.Textarea,
        max_length=MOTIVATION_MAX,
        required=False,
        help_text=interpolate_lazy(
            _("At least %(min)d characters, at most %(max)d."),
            {"min": MOTIVATION_MIN, "max": MOTIVATION_MAX},
        ),
    )
    availability = forms.CharField(
        label=_("When are you available?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=AVAILABILITY_MAX,
        required=False,
        help_text=_("School exams, trips or other dates you can’t make."),
    )
    interests = forms.ModelMultipleChoiceField(
        label=_("Interests"),
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    practise_languages = forms.ModelMultipleChoiceField(
        label=_("Languages you would like to practise"),
        queryset=Language.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    # Mutual visits: the homestay.
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[("", "—"), *Application.Gender.choices],
        required=False,
        help_text=_("Homestay buddies are usually matched with the same gender."),
    )
    pet_allergy = forms.BooleanField(label=_("I am allergic to pets"), required=False)
    dietary_needs = forms.MultipleChoiceField(
        label=_("My dietary needs"),
        choices=Diet.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    dietary_notes = forms.CharField(label=_("Other dietary needs"), max_length=300, required=False)
    medical_needs = forms.CharField(
        label=_("Medical needs your host family should know about"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
        help_text=_("Only your city’s coordinators see this."),
    )
    passport = forms.ChoiceField(
        label=_("Passport"), choices=[("", "—"), *Application.Passport.choices], required=False
    )

    # The household is its own record now (exchange.models.Household, /me/household/): the
    # application keeps only the visitor's own needs.
    VISIT_FIELDS = [
        "gender",
        "pet_allergy",
        "dietary_needs",
        "dietary_notes",
        "medical_needs",
        "passport",
    ]

    def __init__(self, *args, languages: list[Language], is_visit: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = languages
        self.is_visit = is_visit
        if not is_visit:
            for name in self.VISIT_FIELDS:
                del self.fields[name]
        self.add_language_fields(languages)

    def fields_named(self, *names):
        return [self[name] for name in names if name in self.fields]

    @property
    def general_fields(self):
        return self.fields_named("motivation", "availability", "interests", "practise_languages")

    @property
    def visitor_fields(self):
        return self.fields_named(
            "gender", "pet_allergy", "dietary_needs", "dietary_notes", "medical_needs", "passport"
        )

    def to_answers(self) -> ApplicationAnswers:
        c = self.cleaned_data
        visit = {name: c[name] for name in self.VISIT_FIELDS if name in c}
        if "dietary_needs" in visit:
            visit["dietary_needs"] = tuple(visit["dietary_needs"])
            visit["dietary_notes"] = visit["dietary_notes"].strip()
            visit["medical_needs"] = visit["medical_needs"].strip()
        return ApplicationAnswers(
            motivation=c["motivation"].strip(),
            availability=c["availability"].strip(),
            interests=list(c["interests"]),
            practise_languages=list(c["practise_languages"]),
            languages=self.spoken_languages(),
            **visit,
        )

    @classmethod
    def initial_for(cls, application: Application) -> dict:
        def yes_no(value):
            return {True: "yes", False: "no"}.get(value, "")

        return {
            "motivation": application.motivation,
            "availability": application.availability,
            "interests": list(application.interests.all()),
            "practise_languages": list(application.practise_languages.all()),
            "gender": application.gender,
            "pet_allergy": application.pet_allergy,
            "dietary_needs": application.dietary_needs,
            "dietary_notes": application.dietary_notes,
            "medical_needs": application.medical_needs,
            "passport": application.passport,
            **{f"lang_{row.language_id}": row.level for row in application.languages.all()},
        }


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=interpolate_lazy(
            _("PDF, JPEG or PNG, up to %(mb)d MB."),
            {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)},
        ),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing? (optional)"), max_length=500, required=False
    )
