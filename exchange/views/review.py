"""The coordinators' side: the review queue, scoring, decisions, exports and the audit.

A coordinator works on their own cities' applicants only; the partner city's coordinators see
the confirmed participants' names, ages, languages and interests, never documents or scores.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from rules.contrib.views import permission_required

from accounts.rules import coordinator_city_ids
from core.forms import add_validation_error, errors_to_messages
from exchange import exports
from exchange.forms.review import (
    BulkActionForm,
    CommentForm,
    CriterionFormSet,
    DecisionForm,
    QueueFilterForm,
    RequiredDocumentsForm,
    ReviewForm,
)
from exchange.models import Application, Program
from exchange.redaction import actor_name, applicant_for
from exchange.rules import coordinated_city_ids, has_blind_applications
from exchange.selectors import applications as selectors
from exchange.selectors.applications import QueueFilters
from exchange.services import applications as services
from exchange.services import review as review_services
from exchange.views.common import (
    Confirmation,
    cities_coordinated,
    confirmation_page,
    confirmed,
    program_of_request,
)

State = Application.State
PAGE_SIZE = 50


def _filters(request, program: Program) -> tuple[QueueFilterForm, QueueFilters]:
    form = QueueFilterForm(
        request.GET or None,
        cities=cities_coordinated(request, program),
        name_sort=not has_blind_applications(request.user, program),
    )
    if form.is_bound and form.is_valid():
        return form, form.to_filters()
    return form, QueueFilters()


@login_required
@permission_required("exchange.review_program", fn=program_of_request, raise_exception=True)
def review_queue(request, pk: int):
    program = program_of_request(request, pk)
    # The page reads the rubric once and the required documents on every row.
    prefetch_related_objects([program], "criteria", "required_documents")
    form, filters = _filters(request, program)
    queue = selectors.review_queue(program=program, user=request.user, filters=filters)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    for application in page:
        application.age_at_start = application.student.age(on=program.starts_on)
    my_cities = cities_coordinated(request, program)
    staged = selectors.staged_counts(program=program, city_ids=frozenset(c.pk for c in my_cities))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "exchange/review_queue.html",
        {
            "program": program,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "bulk_form": BulkActionForm(queryset=Application.objects.none()),
            "release": [(city, staged.get(city.pk, {})) for city in my_cities],
            "blind": program.blind_review,
        },
    )


@require_POST
@login_required
@permission_required("exchange.review_program", fn=program_of_request, raise_exception=True)
def review_bulk(request, pk: int):
    program = program_of_request(request, pk)
    queryset = Application.objects.filter(
        program=program, city_id__in=coordinator_city_ids(request.user)
    ).exclude(state=State.DRAFT)
    form = BulkActionForm(request.POST, queryset=queryset)
    back = reverse("exchange:review_queue", kwargs={"pk": pk}) + _next_query(request)
    if not form.is_valid():
        errors_to_messages(request, form)
        return redirect(back)
    action = form.cleaned_data["action"]
    done, refused = 0, []
    for application in form.cleaned_data["applications"]:
        try:
            if action == "review":
                services.application_start_review(application=application, by=request.user)
            elif action == "complete":
                services.application_complete(application=application, by=request.user)
            elif action == "unstage":
                services.decision_stage(application=application, decision="", by=request.user)
            else:
                services.decision_stage(
                    application=application,
                    decision=action.removeprefix("stage-"),
                    by=request.user,
                )
            done += 1
        except ValidationError as error:
            refused.append(f"#{application.pk}: {' '.join(error.messages)}")
    if done:
        messages.success(
            request,
            ngettext("%(count)d application updated.", "%(count)d applications updated.", done)
            % {"count": done},
        )
    for message in refused:
        messages.error(request, message)
    return redirect(back)


def _next_query(request) -> str:
    query = request.POST.get("query", "")
    return f"?{query}" if query and "\n" not in query else ""


def _release_confirmation(program: Program, city, staged: dict[str, int]) -> Confirmation:
    count = sum(staged.values())
    accepted = staged.get(State.ACCEPTED, 0)
    lines = []
    if count:
        lines.append(
            ngettext(
                "This emails %(count)s applicant in %(city)s their decision. It can’t be undone.",
                "This emails %(count)s applicants in %(city)s their decision. It can’t be undone.",
                count,
            )
            % {"count": count, "city": city}
        )
        lines.append(
            _("%(accepted)s accepted, %(waitlisted)s waitlisted, %(rejected)s not selected.")
            % {
                "accepted": accepted,
                "waitlisted": staged.get(State.WAITLISTED, 0),
                "rejected": staged.get(State.REJECTED, 0),
            }
        )
        if accepted:
            days = settings.APPLICATION_CONFIRM_DAYS
            lines.append(
                ngettext(
                    "Each accepted applicant has %(days)s day to confirm their place; a place "
                    "not confirmed in time goes to the next person on the waiting list.",
                    "Each accepted applicant has %(days)s days to confirm their place; a place "
                    "not confirmed in time goes to the next person on the waiting list.",
                    days,
                )
                % {"days": days}
            )
        if program.blind_review:
            lines.append(
                _(
                    "Blind review ends for them: their names, schools and email addresses "
                    "become visible to their city’s coordinators."
                )
            )
    else:
        lines.append(_("There are no prepared decisions to release."))
    return Confirmation(
        title=_("Release decisions for %(city)s") % {"city": city},
        lines=lines,
        value=str(count) if count else "",
        action=reverse("exchange:decisions_release", kwargs={"pk": program.pk, "city_pk": city.pk}),
        back=reverse("exchange:review_queue", kwargs={"pk": program.pk}),
        button=_("Release decisions"),
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("exchange.review_program", fn=program_of_request, raise_exception=True)
def decisions_release(request, pk: int, city_pk: int):
    """GET, or a POST without the confirmation, shows what releasing will do and to how many;
    only a POST confirming the number shown releases."""
    program = program_of_request(request, pk)
    taking_part = next((pc for pc in program.program_cities.all() if pc.city_id == city_pk), None)
    if not request.user.has_perm("exchange.release_decisions", taking_part):
        raise Http404
    staged = selectors.staged_counts(program=program, city_ids=frozenset({city_pk})).get(
        city_pk, {}
    )
    confirmation = _release_confirmation(program, taking_part.city, staged)
    if not confirmed(request, confirmation.value):
        return confirmation_page(request, program, confirmation)
    try:
        result = services.decisions_release(
            program=program, city_id=city_pk, by=request.user, expected=int(confirmation.value)
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(
            request,
            _(
                "Decisions released: %(accepted)d accepted, %(waitlisted)d waitlisted, "
                "%(rejected)d not selected. The emails are on their way."
            )
            % {
                "accepted": result.accepted,
                "waitlisted": result.waitlisted,
                "rejected": result.rejected,
            },
        )
    return redirect("exchange:review_queue", pk=pk)


# The export's columns, in the requester's language (the values too: statuses and prepared
# decisions are their translated labels). Lazy, so each request reads them in its own.
EXPORT_HEADER = [
    pgettext_lazy("export column", "ID"),
    pgettext_lazy("export column", "Name (own script)"),
    pgettext_lazy("export column", "Name (Latin letters)"),
    pgettext_lazy("export column", "City"),
    pgettext_lazy("export column", "Age at start"),
    pgettext_lazy("export column", "School"),
    pgettext_lazy("export column", "Status"),
    pgettext_lazy("export column", "Prepared decision"),
    pgettext_lazy("export column", "Score"),
    pgettext_lazy("export column", "Reviews"),
    pgettext_lazy("export column", "Languages"),
    pgettext_lazy("export column", "Submitted"),
]


@login_required
@permission_required("exchange.review_program", fn=program_of_request, raise_exception=True)
def review_export(request, pk: int, fmt: str):
    program = program_of_request(request, pk)
    _form, filters = _filters(request, program)
    queue = selectors.review_queue(program=program, user=request.user, filters=filters)
    rows = [
        [
            a.pk,
            applicant.native_name,
            applicant.latin_name,
            a.city.name_en,
            a.student.age(on=program.starts_on),
            applicant.school,
            str(a.get_state_display()),
            str(a.get_staged_decision_display()) if a.staged_decision else "",
            float(a.score) if a.score is not None else None,
            a.review_count,
            ", ".join(f"{row.language_id}:{row.level}" for row in a.languages.all()),
            timezone.localtime(a.submitted_at).replace(tzinfo=None) if a.submitted_at else None,
        ]
        for a in queue
        for applicant in [applicant_for(request.user, a)]
    ]
    services.export_record(
        program=program,
        city_ids=coordinated_city_ids(request.user, program),
        by=request.user,
        detail=f"{fmt.upper()}, {len(rows)} rows",
    )
    name = f"applicants-{program.pk}-{slugify(program.title)[:40] or 'program'}"
    if fmt == "csv":
        body = exports.rows_to_csv(EXPORT_HEADER, rows)
        content_type = "text/csv; charset=utf-8"
    else:
        body = exports.rows_to_xlsx(EXPORT_HEADER, rows, sheet_title=program.title)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _application(request, pk: int) -> Application | None:
    return selectors.application_for_review(pk=pk)


@login_required
@permission_required("exchange.review_application", fn=_application, raise_exception=True)
def review_application(request, pk: int):
    application = _application(request, pk)
    criteria = list(application.program.criteria.all())
    panel = selectors.review_panel(application=application, reviewer=request.user)
    mine = {s.criterion_id: s.score for s in panel.mine.scores.all()} if panel.mine else {}
    review_form = ReviewForm(
        request.POST if request.POST.get("form") == "review" else None,
        criteria=criteria,
        initial={f"c{k}": v for k, v in mine.items()},
    )
    comment_form = CommentForm(request.POST if request.POST.get("form") == "comment" else None)
    if request.method == "POST":
        form_name = request.POST.get("form")
        if form_name == "review" and review_form.is_valid():
            try:
                review_services.review_save(
                    application=application,
                    reviewer=request.user,
                    scores=review_form.scores(),
                    submit="submit" in request.POST,
                )
            except ValidationError as error:
                add_validation_error(review_form, error)
            else:
                messages.success(
                    request,
                    _("Your review is submitted.")
                    if "submit" in request.POST
                    else _("Your scores are saved. Submit them when you are done."),
                )
                return redirect("exchange:review_application", pk=pk)
        elif form_name == "comment" and comment_form.is_valid():
            try:
                review_services.comment_add(
                    application=application,
                    author=request.user,
                    body=comment_form.cleaned_data["body"],
                )
            except ValidationError as error:
                add_validation_error(comment_form, error)
            else:
                return redirect(
                    reverse("exchange:review_application", kwargs={"pk": pk}) + "#comments"
                )
        elif form_name == "decision":
            form = DecisionForm(request.POST)
            if form.is_valid():
                try:
                    services.decision_stage(
                        application=application,
                        decision=form.cleaned_data["decision"],
                        by=request.user,
                    )
                except ValidationError as error:
                    errors_to_messages(request, error)
                else:
                    messages.success(
                        request,
                        _("Decision prepared. It reaches the student when you release decisions."),
                    )
            return redirect("exchange:review_application", pk=pk)
    return render(
        request,
        "exchange/review_application.html",
        {
            "application": application,
            "program": application.program,
            "applicant": applicant_for(request.user, application),
            "history": [
                (event, actor_name(request.user, event.actor, application))
                for event in application.events.all()
            ],
            "age": application.student.age(on=application.program.starts_on),
            "panel": panel,
            "criteria": criteria,
            "review_form": review_form,
            "comment_form": comment_form,
            "decision_form": DecisionForm(initial={"decision": application.staged_decision}),
            "missing": services.application_missing(application),
        },
    )


@login_required
@permission_required("exchange.review_program", fn=program_of_request, raise_exception=True)
def review_setup(request, pk: int):
    """The rubric, the documents applicants upload, and blind review."""
    program = program_of_request(request, pk)
    initial_criteria = [
        {"name": c.name, "description": c.description, "weight": c.weight}
        for c in program.criteria.all()
    ]
    setup_initial = {
        "kinds": [d.kind for d in program.required_documents.all()],
        "blind_review": program.blind_review,
    }
    if request.method == "POST":
        formset = CriterionFormSet(request.POST, prefix="criteria")
        setup_form = RequiredDocumentsForm(request.POST)
        if formset.is_valid() and setup_form.is_valid():
            criteria = [
                f.to_data()
                for f in formset.forms
                if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            unchanged = criteria == [
                review_services.CriterionData(**row) for row in initial_criteria
            ]
            try:
                review_services.review_setup_save(
                    program=program,
                    document_kinds=setup_form.cleaned_data["kinds"],
                    blind_review=setup_form.cleaned_data["blind_review"],
                    criteria=None if unchanged else criteria,
                    by=request.user,
                )
            except ValidationError as error:
                add_validation_error(setup_form, error)
            else:
                messages.success(request, _("Review settings saved."))
                return redirect("exchange:review_queue", pk=pk)
    else:
        formset = CriterionFormSet(initial=initial_criteria, prefix="criteria")
        setup_form = RequiredDocumentsForm(initial=setup_initial)
    return render(
        request,
        "exchange/review_setup.html",
        {"program": program, "formset": formset, "setup_form": setup_form},
    )


@login_required
@permission_required("exchange.review_program", fn=program_of_request, raise_exception=True)
def participants(request, pk: int):
    program = program_of_request(request, pk)
    return render(
        request,
        "exchange/participants.html",
        {
            "program": program,
            "participants": [
                (a, a.student.age(on=program.starts_on))
                for a in selectors.confirmed_participants(program=program)
            ],
        },
    )


@login_required
@permission_required("exchange.review_program", fn=program_of_request, raise_exception=True)
def program_audit(request, pk: int):
    program = program_of_request(request, pk)
    cities = frozenset(c.pk for c in cities_coordinated(request, program))
    return render(
        request,
        "exchange/program_audit.html",
        {
            "program": program,
            "lines": selectors.program_audit(program=program, city_ids=cities, viewer=request.user),
        },
    )
