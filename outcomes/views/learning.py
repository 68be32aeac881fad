"""Learning outcomes: the participant's page, and the coordinator's list per program with
its confirm forms."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from core.forms import add_validation_error, errors_to_messages
from exchange.models import PARTICIPATING, Application
from exchange.views.common import cities_coordinated, program_of_request
from outcomes.competences import Competence
from outcomes.models import LearningOutcome
from outcomes.services import learning as services


class LearningOutcomeForm(forms.Form):
    competences = forms.MultipleChoiceField(
        label=gettext_lazy("The competences you developed"),
        choices=Competence.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    reflection = forms.CharField(
        label=gettext_lazy("In your own words"),
        help_text=gettext_lazy("What you learned, what surprised you, what you will keep."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=1000,
        required=False,
    )
    print_on_certificate = forms.BooleanField(
        label=gettext_lazy("Print this on my certificate"),
        help_text=gettext_lazy(
            "Once a coordinator of your city confirms it, it is printed on a second page of "
            "your certificate."
        ),
        required=False,
    )


class ConfirmForm(forms.Form):
    confirmation = forms.CharField(
        label=gettext_lazy("Confirmation"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=services.CONFIRMATION_MAX,
    )


def _application(request, pk: int) -> Application | None:
    cache = request.__dict__.setdefault("_learning_applications", {})
    if pk not in cache:
        cache[pk] = (
            Application.objects.select_related("program", "city", "student").filter(pk=pk).first()
        )
    return cache[pk]


def _existing(fn):
    def wrapper(request, pk: int):
        found = fn(request, pk)
        if found is None:
            raise Http404
        return found

    return wrapper


@login_required
@permission_required(
    "outcomes.change_learning_outcome", fn=_existing(_application), raise_exception=True
)
def learning_outcome(request, pk: int):
    application = _application(request, pk)
    outcome = LearningOutcome.objects.filter(application=application).first()
    is_open = services.learning_outcome_open(application)
    form = None
    if is_open:
        if request.method == "POST":
            form = LearningOutcomeForm(request.POST)
            if form.is_valid():
                try:
                    _outcome, cleared = services.learning_outcome_save(
                        application=application, by=request.user, **form.cleaned_data
                    )
                except ValidationError as error:
                    add_validation_error(form, error)
                else:
                    messages.success(request, _("What you learned is saved."))
                    if cleared:
                        messages.warning(
                            request,
                            _(
                                "You changed what a coordinator had confirmed: it needs "
                                "confirming again before it is printed."
                            ),
                        )
                    return redirect("outcomes:learning_outcome", pk=application.pk)
        else:
            initial = (
                {
                    "competences": outcome.competences,
                    "reflection": outcome.reflection,
                    "print_on_certificate": outcome.print_on_certificate,
                }
                if outcome
                else {"competences": services.surveyed_competences(application)}
            )
            form = LearningOutcomeForm(initial=initial)
    elif request.method == "POST":
        errors_to_messages(request, services.learning_outcome_closed_error())
        return redirect("outcomes:learning_outcome", pk=application.pk)
    return render(
        request,
        "outcomes/learning/outcome.html",
        {
            "application": application,
            "outcome": outcome,
            "form": form,
            "is_open": is_open,
            "printable": services.is_printable(outcome),
        },
    )


@login_required
@permission_required("exchange.review_program", fn=program_of_request, raise_exception=True)
def program_learning(request, pk: int):
    program = program_of_request(request, pk)
    cities = cities_coordinated(request, program)
    rows = list(
        Application.objects.filter(program=program, city__in=cities, state__in=PARTICIPATING)
        .select_related("student", "city", "program", "learning_outcome")
        .prefetch_related("certificates")
        .order_by("city_id", "student__latin_name", "pk")
    )
    for application in rows:
        outcome = getattr(application, "learning_outcome", None)
        certificate = next(
            (c for c in application.certificates.all() if c.revoked_at is None), None
        )
        application.outcome = outcome
        application.certificate = certificate
        application.needs_reissue = services.certificate_needs_reissue(outcome, certificate)
        application.printable = services.is_printable(outcome)
        application.competence_labels = [
            Competence(code).label for code in (outcome.competences if outcome else [])
        ]
        application.confirm_form = ConfirmForm(
            initial={"confirmation": outcome.confirmation if outcome else ""},
            auto_id=f"confirm-{application.pk}-%s",
        )
    return render(request, "outcomes/learning/program.html", {"program": program, "rows": rows})


@require_POST
@login_required
@permission_required(
    "outcomes.confirm_learning_outcome", fn=_existing(_application), raise_exception=True
)
def learning_confirm(request, pk: int):
    application = _application(request, pk)
    form = ConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["confirmation"])
        services.learning_outcome_confirm(
            application=application,
            by=request.user,
            confirmation=form.cleaned_data["confirmation"],
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("The learning outcome is confirmed."))
    return redirect("outcomes:program_learning", pk=application.program_id)
