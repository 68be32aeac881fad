"""The matching page: coordinators of every city in the program see one shared record, run
the engine, adjust it by hand, approve their side and publish."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from rules.contrib.views import permission_required

from core.forms import add_validation_error, errors_to_messages
from exchange.forms.households import BackupForm
from exchange.forms.matching import MatchingSettingsForm, MoveForm, PairForm, SwapForm
from exchange.models import MatchGroup, Program
from exchange.rules import coordinated_city_ids
from exchange.selectors.households import backup_rows
from exchange.selectors.matching import (
    matching_of,
    matching_page,
    published_participant_count,
)
from exchange.services import matching as services
from exchange.views.common import (
    Confirmation,
    confirmation_page,
    confirmed,
    program_of_request,
)

REVIEW = "exchange.review_program"


def _page_forms(page, data=None):
    def choice(application):
        return (application.pk, f"{application.student.display_name} · {application.city.name_en}")

    placed = sorted((choice(a) for view in page.groups for a in view.members), key=lambda c: c[1])
    left = sorted((choice(a) for a, _reasons in page.leftovers), key=lambda c: c[1])
    groups = [
        (view.group.pk, f"{view.group.get_kind_display()} {view.group.number}")
        for view in page.groups
    ]
    return {
        "swap_form": SwapForm(data, choices=placed),
        "pair_form": PairForm(data, choices=left),
        "move_form": MoveForm(data, choices=placed + left, groups=groups),
    }


@login_required
@permission_required(REVIEW, fn=program_of_request, raise_exception=True)
def matching_detail(request, pk: int):
    program = program_of_request(request, pk)
    # Reading the page writes nothing: before the first change the matching is not stored.
    matching = matching_of(program)
    page = matching_page(program=program, matching=matching)
    form = MatchingSettingsForm(
        request.POST or None, instance=matching, is_visit=program.kind == Program.Kind.MUTUAL_VISIT
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.matching_settings_save(program=program, data=form.to_data(), by=request.user)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Matching rules saved. Run the matching to apply them."))
            return redirect("exchange:matching", pk=pk)
    mine = coordinated_city_ids(request.user, program)
    if matching.status == matching.Status.PUBLISHED and program.kind == Program.Kind.MUTUAL_VISIT:
        # Backup households, shown to both cities; the host city's coordinators name them.
        rows = backup_rows(program=program, user=request.user)
        names = {a.pk: a for view in page.groups for a in view.members}
        for view in page.groups:
            view.backups = [
                (
                    row,
                    names.get(row.visitor_id),
                    BackupForm(
                        candidates=row.candidates,
                        initial={"household": row.backup.pk if row.backup else None},
                    )
                    if row.candidates is not None
                    else None,
                )
                for row in rows.get(view.group.pk, [])
            ]
    return render(
        request,
        "exchange/matching.html",
        {
            "program": program,
            "page": page,
            "form": form,
            "my_city_ids": mine,
            "can_approve": any(
                c.pk in mine and c.pk not in page.approved_city_ids for c in page.cities
            ),
            "can_publish": matching.ran_at is not None and not services.missing_approvals(matching),
            **_page_forms(page),
        },
    )


def _act(request, pk: int, action, success: str):
    try:
        action()
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, success)
    return redirect("exchange:matching", pk=pk)


@require_POST
@login_required
@permission_required(REVIEW, fn=program_of_request, raise_exception=True)
def matching_run(request, pk: int):
    program = program_of_request(request, pk)
    return _act(
        request,
        pk,
        lambda: services.matching_run(program=program, by=request.user),
        _("The matching ran. Locked pairs and groups were kept."),
    )


@require_POST
@login_required
@permission_required(REVIEW, fn=program_of_request, raise_exception=True)
def matching_lock(request, pk: int, group_pk: int):
    program = program_of_request(request, pk)
    group = get_object_or_404(MatchGroup, pk=group_pk, matching__program=program)
    locked = request.POST.get("locked") == "1"
    return _act(
        request,
        pk,
        lambda: services.match_group_lock(group=group, locked=locked, by=request.user),
        _("Locked: the next run keeps it.") if locked else _("Unlocked."),
    )


@require_POST
@login_required
@permission_required(REVIEW, fn=program_of_request, raise_exception=True)
def matching_unpair(request, pk: int, group_pk: int):
    program = program_of_request(request, pk)
    group = get_object_or_404(MatchGroup, pk=group_pk, matching__program=program)
    return _act(
        request,
        pk,
        lambda: services.matching_unpair(group=group, by=request.user),
        _("Split up. Its members are now unmatched."),
    )


@require_POST
@login_required
@permission_required(REVIEW, fn=program_of_request, raise_exception=True)
def matching_adjust(request, pk: int, how: str):
    """Swap two people, move one into another group, or pair two unmatched people."""
    program = program_of_request(request, pk)
    page = matching_page(program=program, matching=matching_of(program))
    form = _page_forms(page, request.POST)[f"{how}_form"]
    if not form.is_valid():
        errors_to_messages(request, form)
        return redirect("exchange:matching", pk=pk)
    data, by = form.cleaned_data, request.user
    try:
        if how == "swap":
            services.matching_swap(
                program=program, first_id=data["first"], second_id=data["second"], by=by
            )
        elif how == "pair":
            services.matching_pair(
                program=program, first_id=data["first"], second_id=data["second"], by=by
            )
        else:
            services.matching_move(
                program=program, application_id=data["participant"], group_id=data["group"], by=by
            )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("The matching was changed."))
    return redirect("exchange:matching", pk=pk)


@require_POST
@login_required
@permission_required(REVIEW, fn=program_of_request, raise_exception=True)
def matching_approve(request, pk: int):
    program = program_of_request(request, pk)
    return _act(
        request,
        pk,
        lambda: services.matching_approve(
            program=program,
            city_ids=set(coordinated_city_ids(request.user, program)),
            by=request.user,
        ),
        _("You approved this version for your city."),
    )


@require_POST
@login_required
@permission_required(REVIEW, fn=program_of_request, raise_exception=True)
def matching_publish(request, pk: int):
    program = program_of_request(request, pk)
    return _act(
        request,
        pk,
        lambda: services.matching_publish(program=program, by=request.user),
        _("Published. Every participant is being told who their buddy or group is."),
    )


def _reopen_confirmation(program: Program) -> Confirmation:
    count = published_participant_count(program=program)
    if count:
        lines = [
            ngettext(
                "Reopening withdraws the published matching for %(count)s participant.",
                "Reopening withdraws the published matching for %(count)s participants.",
                count,
            )
            % {"count": count},
            _(
                "Their application pages stop showing their buddy or group until a new "
                "version is published. Nobody is emailed now; publishing again emails every "
                "participant their buddy or group."
            ),
            _(
                "The pair and group chat rooms stay as they are until then. When a new version "
                "is published, a pair or group whose members changed gets a new room, and its "
                "old room closes to its participants."
            ),
            _("Every city’s coordinators must approve the new version before it is published."),
        ]
    else:
        lines = [_("This matching is not published.")]
    return Confirmation(
        title=_("Reopen the matching of “%(title)s”") % {"title": program.title},
        lines=lines,
        value=str(count) if count else "",
        action=reverse("exchange:matching_reopen", kwargs={"pk": program.pk}),
        back=reverse("exchange:matching", kwargs={"pk": program.pk}),
        button=_("Reopen for changes"),
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(REVIEW, fn=program_of_request, raise_exception=True)
def matching_reopen(request, pk: int):
    """GET, or a POST without the confirmation, shows whom reopening affects; only a POST
    confirming the number shown reopens."""
    program = program_of_request(request, pk)
    confirmation = _reopen_confirmation(program)
    if not confirmed(request, confirmation.value):
        return confirmation_page(request, program, confirmation)
    return _act(
        request,
        pk,
        lambda: services.matching_reopen(program=program, by=request.user),
        _("Reopened. Changes need both cities’ approval again."),
    )
