"""Forms for coordinators: the queue's filters and bulk actions, scoring, rubric, documents."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import City, Language
from exchange.models import Application, RequiredDocument, RubricCriterion
from exchange.models.review import MAX_SCORE, MIN_SCORE
from exchange.selectors.applications import SORTS, QueueFilters
from exchange.services.review import CriterionData

State = Application.State

DECISION_CHOICES = [
    (State.ACCEPTED.value, _("Accept")),
    (State.WAITLISTED.value, _("Waitlist")),
    (State.REJECTED.value, _("Reject")),
]


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *[c for c in State.choices if c[0] != State.DRAFT]],
        required=False,
    )
    city = forms.ModelChoiceField(
        label=_("City"), queryset=City.objects.none(), required=False, empty_label=_("Any city")
    )
    min_age = forms.IntegerField(label=_("Age from"), min_value=5, max_value=40, required=False)
    max_age = forms.IntegerField(label=_("Age to"), min_value=5, max_value=40, required=False)
    language = forms.ModelChoiceField(
        label=_("Speaks"),
        queryset=Language.objects.all(),
        required=False,
        empty_label=_("Any language"),
    )
    min_score = forms.DecimalField(
        label=_("Score at least"), min_value=1, max_value=5, decimal_places=2, required=False
    )
    staged = forms.ChoiceField(
        label=_("Prepared decision"),
        choices=[("", _("Any")), *DECISION_CHOICES],
        required=False,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=[
            ("submitted", _("Submitted first")),
            ("-score", _("Highest score")),
            ("score", _("Lowest score")),
            ("age", _("Youngest")),
            ("-age", _("Oldest")),
            ("name", _("Name")),
        ],
        required=False,
    )

    def __init__(self, *args, cities: list[City], name_sort: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not name_sort:  # blind review: the order by name would tell who is who
            self.fields["sort"].choices = [
                choice for choice in self.fields["sort"].choices if choice[0] != "name"
            ]
        self.fields["city"].queryset = City.objects.filter(pk__in=[c.pk for c in cities])
        if len(cities) < 2:
            del self.fields["city"]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_age"), cleaned.get("max_age")
        if low is not None and high is not None and low > high:
            self.add_error("max_age", _("The upper age can’t be below the lower one."))
        return cleaned

    def to_filters(self) -> QueueFilters:
        c = self.cleaned_data
        city = c.get("city")
        return QueueFilters(
            state=c["state"],
            city_id=city.pk if city else None,
            min_age=c["min_age"],
            max_age=c["max_age"],
            language=c["language"].code if c["language"] else "",
            min_score=float(c["min_score"]) if c["min_score"] is not None else None,
            staged=c["staged"],
            sort=c["sort"] if c["sort"] in SORTS else "submitted",
        )


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("With the selected applications"),
        choices=[
            ("review", _("Start review")),
            *[(f"stage-{value}", label) for value, label in DECISION_CHOICES],
            ("unstage", _("Clear prepared decision")),
            ("complete", _("Mark as completed (after the program)")),
        ],
    )
    applications = forms.ModelMultipleChoiceField(
        queryset=Application.objects.none(),
        error_messages={"required": _("Select at least one application.")},
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = queryset


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("", _("No decision yet")), *DECISION_CHOICES], required=False
    )


class ReviewForm(forms.Form):
    """One 1–5 choice per rubric criterion."""

    def __init__(self, *args, criteria: list[RubricCriterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"c{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name,
                help_text=criterion.description,
                choices=[("", "—")] + [(n, str(n)) for n in range(MIN_SCORE, MAX_SCORE + 1)],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )

    def scores(self) -> dict[int, int]:
        return {
            c.pk: self.cleaned_data[f"c{c.pk}"]
            for c in self.criteria
            if self.cleaned_data.get(f"c{c.pk}") is not None
        }


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Internal comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Only your city’s coordinators see comments."),
    )


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=100)
    description = forms.CharField(
        label=_("What reviewers look for"), max_length=300, required=False
    )
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=10, initial=1)

    def to_data(self) -> CriterionData:
        c = self.cleaned_data
        return CriterionData(name=c["name"], description=c["description"], weight=c["weight"])


CriterionFormSet = forms.formset_factory(
    CriterionForm, extra=2, max_num=12, validate_max=True, can_delete=True
)


class RequiredDocumentsForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Documents every applicant uploads"),
        choices=RequiredDocument.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    blind_review = forms.BooleanField(
        label=_("Blind review: hide applicants’ names and schools from reviewers"),
        required=False,
    )
