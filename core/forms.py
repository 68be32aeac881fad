"""Form helpers every app uses: widgets for dates and times, service errors onto a form or
into messages, and one level choice per language."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def add_validation_error(form: forms.Form, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form, beside the field it names if any."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        form.add_error(None, error)


def errors_to_messages(
    request, error: ValidationError | forms.BaseForm, *, about: str = ""
) -> None:
    """Show every message of a service's ValidationError, or of an invalid form, as an error
    on the next page (django.contrib.messages), each prefixed with `about` when given."""
    if isinstance(error, forms.BaseForm):
        error = ValidationError(error.errors.as_data())
    for message in error.messages:
        messages.error(request, f"{about}: {message}" if about else message)


class LanguageLevelsMixin:
    """One "level" choice per language (`lang_<code>`), as the profile and applications ask.

    Call `add_language_fields(languages)` from `__init__`; `spoken_languages()` then gives the
    [(language, level)] the student chose, leaving out languages they don't speak.
    """

    def add_language_fields(self, languages) -> None:
        from core.models import LanguageLevel

        self.languages = languages
        choices = [("", _("I don’t speak it")), *LanguageLevel.choices]
        for language in languages:
            self.fields[f"lang_{language.code}"] = forms.TypedChoiceField(
                label=str(language), choices=choices, coerce=int, empty_value=None, required=False
            )

    @property
    def language_fields(self):
        return [self[f"lang_{language.code}"] for language in self.languages]

    def spoken_languages(self) -> list:
        return [
            (language, self.cleaned_data[f"lang_{language.code}"])
            for language in self.languages
            if self.cleaned_data.get(f"lang_{language.code}")
        ]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)
