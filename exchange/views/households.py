"""Host households: the student's own page, the host city's list, household and screening
pages, the city's care policy, and naming a backup household on the published matching."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from accounts.models import User
from core.forms import add_validation_error, errors_to_messages
from core.models import City
from exchange.audit import audit
from exchange.forms.households import (
    BackupForm,
    CarePolicyForm,
    HouseholdForm,
    MemberFormSet,
    RefuseForm,
    ScreeningForm,
    household_data,
    member_initial,
)
from exchange.household_tokens import consent_from_household_token
from exchange.models import Application, AuditEntry, Household, MatchGroup, Program
from exchange.rules import coordinator_city_ids
from exchange.selectors import households as selectors
from exchange.services import households as services
from exchange.views.common import program_of_request

# --- The student's own page ----------------------------------------------------------------


@login_required
def my_household(request):
    household = selectors.household_of(request.user)
    if household is not None and not request.user.has_perm("exchange.change_household", household):
        raise Http404
    data = request.POST if request.method == "POST" else None
    initial = {}
    if household is not None:
        initial["languages"] = list(household.languages.all())
    form = HouseholdForm(data, instance=household, initial=initial)
    members = MemberFormSet(data, prefix="members", initial=member_initial(household))
    no_city = request.user.home_city_id is None
    if request.method == "POST" and form.is_valid() and members.is_valid():
        try:
            services.household_save(
                student=request.user, data=household_data(form, members), by=request.user
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Your home is saved."))
            return redirect("exchange:my_household")
    return render(
        request,
        "exchange/households/my_household.html",
        {
            "household": household,
            "form": form,
            "members": members,
            "no_city": no_city,
            "today": timezone.localdate(),
        },
    )


@require_POST
@login_required
def my_household_submit(request):
    household = selectors.household_of(request.user)
    if household is None:
        raise Http404
    try:
        services.household_submit(household=household, by=request.user)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(
            request,
            _("Sent for screening. %(city)s’s coordinators will contact your family.")
            % {"city": household.city.name_en},
        )
    return redirect("exchange:my_household")


@require_POST
@login_required
def my_household_guardian_link(request):
    try:
        consent = services.household_guardian_link_send(student=request.user, by=request.user)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(
            request,
            _("We emailed %(email)s a link to describe your home.")
            % {"email": consent.guardian_email},
        )
    return redirect("exchange:my_household")


def household_guardian(request, token: str):
    """The guardian's page through the signed link: the same form, no account."""
    consent = consent_from_household_token(token)
    if consent is None:
        raise Http404
    student = consent.student
    household = selectors.household_of(student)
    data = request.POST if request.method == "POST" else None
    initial = {"languages": list(household.languages.all())} if household else {}
    form = HouseholdForm(data, instance=household, initial=initial)
    members = MemberFormSet(data, prefix="members", initial=member_initial(household))
    if request.method == "POST" and "submit" in request.POST and household is not None:
        try:
            services.household_submit(household=household, by=None, guardian=consent)
        except ValidationError as error:
            errors_to_messages(request, error)
        else:
            messages.success(request, _("Sent for screening. Thank you."))
        return redirect("exchange:household_guardian", token=token)
    if request.method == "POST" and form.is_valid() and members.is_valid():
        try:
            services.household_save(
                student=student,
                data=household_data(form, members),
                by=None,
                guardian=consent,
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("The home is saved."))
            return redirect("exchange:household_guardian", token=token)
    return render(
        request,
        "exchange/households/my_household.html",
        {
            "household": household,
            "form": form,
            "members": members,
            "no_city": student.home_city_id is None,
            "today": timezone.localdate(),
            "guardian_for": student,
            "token": token,
        },
    )


# --- The host city's coordinators ------------------------------------------------------------


@login_required
@permission_required("exchange.list_households", raise_exception=True)
def household_list(request):
    show = request.GET.get("show", "")
    if show not in {"", "needs", "expiring"}:
        show = ""
    households = list(selectors.households_screened_by(user=request.user, show=show))
    return render(
        request,
        "exchange/households/list.html",
        {
            "households": households,
            "show": show,
            "cities": City.objects.filter(pk__in=coordinator_city_ids(request.user)),
        },
    )


def _household(request, pk: int) -> Household:
    household = selectors.household_detail(pk)
    if household is None or not request.user.has_perm("exchange.view_household", household):
        raise Http404
    return household


def _screening_form(household: Household, data=None, files=None) -> ScreeningForm:
    policy = selectors.care_policy_for(household.city)
    screening = selectors.current_screening(household)
    initial = {}
    if screening is not None and screening.decision == screening.Decision.PENDING:
        initial = {
            "home_visit_on": screening.home_visit_on,
            "home_visit_by": screening.home_visit_by_id,
            "home_visit_notes": screening.home_visit_notes,
            "references_checked": screening.references_checked,
            "references_notes": screening.references_notes,
            "orientation_on": screening.orientation_on,
        }
    coordinators = User.objects.filter(coordinator_memberships__city_id=household.city_id).order_by(
        "latin_name"
    )
    return ScreeningForm(
        data,
        files,
        initial=initial,
        coordinators=list(coordinators),
        adults=selectors._adults(household),
        policy=policy,
    )


@login_required
def household_detail(request, pk: int):
    household = _household(request, pk)
    can_screen = request.user.has_perm("exchange.screen_household", household)
    screening_form = _screening_form(household)
    if request.method == "POST":
        if not can_screen:
            raise Http404
        screening_form = _screening_form(household, request.POST, request.FILES)
        if screening_form.is_valid():
            screening, checks = screening_form.to_data()
            try:
                services.household_screen(
                    household=household, data=screening, checks=checks, by=request.user
                )
            except ValidationError as error:
                add_validation_error(screening_form, error)
            else:
                messages.success(request, _("The screening is saved."))
                return redirect("exchange:household_detail", pk=pk)
    if coordinator_city_ids(request.user) and household.student_id != request.user.pk:
        # Each look at the home's address and members is recorded for the host city.
        with transaction.atomic():
            audit(
                action=AuditEntry.Action.HOUSEHOLD_VIEW,
                by=request.user,
                program_id=None,
                city_ids=[household.city_id],
                subject_id=household.student_id,
            )
    policy = selectors.care_policy_for(household.city)
    screening = selectors.current_screening(household)
    return render(
        request,
        "exchange/households/detail.html",
        {
            "household": household,
            "members": list(household.members.all()),
            "year": timezone.localdate().year,
            "policy": policy,
            "screening": screening,
            "missing": selectors.checklist_missing(household, screening, policy),
            "can_screen": can_screen and services._needs_screening(household),
            "form": screening_form,
            "refuse_form": RefuseForm(),
        },
    )


@require_POST
@login_required
def household_approve(request, pk: int):
    household = _household(request, pk)
    try:
        services.household_approve(household=household, by=request.user)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("The household is approved."))
    return redirect("exchange:household_detail", pk=pk)


@require_POST
@login_required
def household_refuse(request, pk: int):
    household = _household(request, pk)
    form = RefuseForm(request.POST)
    if not form.is_valid():
        errors_to_messages(request, form)
        return redirect("exchange:household_detail", pk=pk)
    try:
        services.household_refuse(
            household=household, reason=form.cleaned_data["reason"], by=request.user
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("The household is not approved. The family sees why."))
    return redirect("exchange:household_detail", pk=pk)


def _city(request, pk: int, **_other) -> City | None:
    return City.objects.filter(pk=pk).first()


@login_required
@permission_required("exchange.change_care_policy", fn=_city, raise_exception=True)
def care_policy(request, pk: int):
    city = _city(request, pk)
    policy = selectors.care_policy_for(city)
    form = CarePolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            services.care_policy_save(city=city, data=form.to_data(), by=request.user)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("The care policy is saved."))
            return redirect("exchange:care_policy", pk=pk)
    return render(request, "exchange/households/care_policy.html", {"city": city, "form": form})


# --- Backup households on the published matching -----------------------------------------


@require_POST
@login_required
@permission_required("exchange.review_program", fn=program_of_request, raise_exception=True)
def backup_name(request, pk: int, group_pk: int, visitor_pk: int):
    program: Program = program_of_request(request, pk)
    group = get_object_or_404(MatchGroup, pk=group_pk, matching__program=program)
    visitor = get_object_or_404(Application, pk=visitor_pk, program=program)
    city_id = next(
        (
            p.host_city_id
            for p in selectors.program_placements(program=program)
            if p.group_id == group.pk and p.visitor_id == visitor.pk
        ),
        None,
    )
    if city_id is None:
        raise Http404
    form = BackupForm(
        request.POST, candidates=selectors.backup_candidates(program=program, city_id=city_id)
    )
    if not form.is_valid():
        errors_to_messages(request, form)
        return redirect("exchange:matching", pk=pk)
    try:
        services.household_backup_name(
            group=group,
            visitor=visitor,
            household=form.candidates.get(form.cleaned_data["household"]),
            by=request.user,
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("The backup household is saved."))
    return redirect("exchange:matching", pk=pk)
