"""Forms of the survey pages: they validate input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from outcomes.library import LANGUAGES
from outcomes.models import QuestionKind

LANGUAGE_NAMES = {
    "en": "English",
    "ko": "한국어",
    "zh-hans": "简体中文",
    "vi": "Tiếng Việt",
    "ja": "日本語",
}


def _field(lang: str) -> str:
    return lang.replace("-", "_")


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of question"), choices=QuestionKind.choices)

    def __init__(self, *args, question=None, **kwargs):
        if question is not None and "initial" not in kwargs:
            initial = {"kind": question.kind}
            for lang in LANGUAGES:
                initial[f"text_{_field(lang)}"] = question.text.get(lang, "")
                initial[f"options_{_field(lang)}"] = "\n".join(
                    option.get(lang, "") for option in question.choices
                )
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for lang in LANGUAGES:
            self.fields[f"text_{_field(lang)}"] = forms.CharField(
                label=_("Question (%(language)s)") % {"language": LANGUAGE_NAMES[lang]},
                required=lang == "en",
                max_length=1000,
                strip=True,
            )
        for lang in LANGUAGES:
            self.fields[f"options_{_field(lang)}"] = forms.CharField(
                label=_("Options, one a line (%(language)s)") % {"language": LANGUAGE_NAMES[lang]},
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Only for a question with one or several choices.")
                if lang == "en"
                else "",
            )

    def to_data(self) -> dict:
        data = self.cleaned_data
        text = {lang: data[f"text_{_field(lang)}"] for lang in LANGUAGES}
        lines = {
            lang: [ln.strip() for ln in data[f"options_{_field(lang)}"].splitlines() if ln.strip()]
            for lang in LANGUAGES
        }
        english = lines["en"]
        choices = []
        for index, wording in enumerate(english):
            option = {"en": wording}
            for lang in LANGUAGES[1:]:
                if index < len(lines[lang]) and lines[lang][index]:
                    option[lang] = lines[lang][index]
            choices.append(option)
        return {"kind": data["kind"], "text": text, "choices": choices}
