"""Thin views: read with selectors, change with services, check with rules."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from accounts.rules import coordinator_city_ids, observer_city_ids
from core.forms import add_validation_error, errors_to_messages
from core.models import City
from exchange.forms.programs import (
    ProgramFilterForm,
    ProgramForm,
    ProgramStatusForm,
)
from exchange.models import Application, Program
from exchange.rules import invitable_city_ids, places_locked_city_ids
from exchange.selectors import programs as selectors
from exchange.services import programs as services


def home(request):
    featured = selectors.program_list_open(filters=selectors.ProgramFilters())[:3]
    return render(
        request,
        "exchange/home.html",
        {"featured": featured, "city_count": City.objects.count()},
    )


def city_list(request):
    return render(
        request,
        "exchange/city_list.html",
        {"cities": selectors.city_list_with_partner_counts()},
    )


def city_detail(request, slug: str):
    city = get_object_or_404(City.objects.select_related("main_language"), slug=slug)
    return render(
        request,
        "exchange/city_detail.html",
        {
            "city": city,
            "network": selectors.city_network(city=city),
            "programs": selectors.program_list_open(filters=selectors.ProgramFilters(city=city)),
        },
    )


def program_list(request):
    form = ProgramFilterForm(request.GET or None)
    filters = selectors.ProgramFilters()
    age_note = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        born_on = None
        if data["fits_my_age"]:
            user = request.user
            if user.is_authenticated and user.date_of_birth:
                born_on = user.date_of_birth
            else:
                age_note = _("Sign in and add your date of birth to filter by age.")
        filters = selectors.ProgramFilters(
            kind=data["kind"],
            city=data["city"],
            theme=data["theme"],
            language=data["language"].code if data["language"] else "",
            born_on=born_on,
        )
    programs = list(selectors.program_list_open(filters=filters)) if not form.errors else []
    # The filter form swaps #program-browser in place, so htmx gets only that partial.
    template = "exchange/program_list.html" + ("#browser" if request.htmx else "")
    return render(
        request,
        template,
        {"form": form, "programs": programs, "age_note": age_note},
    )


def program_detail(request, pk: int):
    program = selectors.program_get(pk=pk)
    # Drafts are invisible to everyone but the program's coordinators: 404, not 403.
    if program is None or not request.user.has_perm("exchange.view_program", program):
        raise Http404
    user = request.user
    age = user.age(on=program.starts_on) if user.is_authenticated else None
    my_application = (
        Application.objects.filter(program=program, student=user).first()
        if user.is_authenticated
        else None
    )
    can_edit = user.has_perm("exchange.change_program", program)
    return render(
        request,
        "exchange/program_detail.html",
        {
            "program": program,
            "my_application": my_application,
            "resident": user.is_authenticated
            and any(pc.city_id == user.home_city_id for pc in program.program_cities.all()),
            "taking_applications": program.status == Program.Status.OPEN
            and program.applications_open <= timezone.now() < program.applications_close,
            "can_edit": can_edit,
            "figures": selectors.coordinator_figures(program=program) if can_edit else {},
            "student_age": age,
            "status_form": ProgramStatusForm(),
            "next_statuses": [
                Program.Status(s) for s in services.PROGRAM_TRANSITIONS[program.status]
            ],
        },
    )


@login_required
def landing(request):
    """Where signing in leads: coordinators to their desk, staff without a team to the admin,
    an observer to the outcomes, a student with an unfinished profile to it, then to their
    applications, or to the programs when they have none yet."""
    user = request.user
    if coordinator_city_ids(user):
        return redirect("exchange:coordinator_dashboard")
    if user.is_staff:
        return redirect("admin:index")
    if observer_city_ids(user):
        return redirect("outcomes:home")
    if not user.profile_is_complete:
        return redirect("accounts:profile")
    if Application.objects.filter(student=user).exists():
        return redirect("exchange:my_applications")
    return redirect("exchange:program_list")


@login_required
@permission_required("accounts.coordinate", raise_exception=True)
def coordinator_dashboard(request):
    my_cities = City.objects.filter(pk__in=coordinator_city_ids(request.user))
    programs = list(selectors.coordinator_desk(user=request.user))
    return render(
        request,
        "exchange/coordinator_dashboard.html",
        {
            "programs": programs,
            "my_cities": my_cities,
            # Across every program: the counts above the table.
            "totals": {
                name: sum(getattr(program, name, 0) for program in programs)
                for name in ("waiting", "reviews_pending", "expiring", "open_reports")
            },
        },
    )


def _invitable_cities(user, program: Program | None = None) -> list[City]:
    """The coordinator's own cities first, then the others they may invite (exchange.rules)."""
    own = coordinator_city_ids(user)
    cities = City.objects.filter(pk__in=invitable_city_ids(user, program=program))
    return sorted(cities, key=lambda city: (city.pk not in own, city.name_en))


def _program_for_change(request, pk: int) -> Program:
    return get_object_or_404(Program.objects.prefetch_related("program_cities"), pk=pk)


@login_required
@permission_required("exchange.add_program", raise_exception=True)
def program_create(request):
    cities = _invitable_cities(request.user)
    form = ProgramForm(request.POST or None, cities=cities)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(data=form.to_data(), by=request.user)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("The program was saved as a draft."))
            return redirect(program)
    return render(request, "exchange/program_form.html", {"form": form, "program": None})


@login_required
@permission_required("exchange.change_program", fn=_program_for_change, raise_exception=True)
def program_edit(request, pk: int):
    program = _program_for_change(request, pk)
    cities = _invitable_cities(request.user, program)
    # Places belong to their city: a partner city's places are shown, not editable.
    locked = places_locked_city_ids(request.user, program)
    initial = ProgramForm.initial_for(program)
    if request.method == "POST":
        form = ProgramForm(request.POST, initial=initial, cities=cities, locked_city_ids=locked)
        if form.is_valid():
            try:
                services.program_update(program=program, data=form.to_data(), by=request.user)
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, _("The program was saved."))
                return redirect(program)
    else:
        form = ProgramForm(initial=initial, cities=cities, locked_city_ids=locked)
    return render(request, "exchange/program_form.html", {"form": form, "program": program})


@require_POST
@login_required
@permission_required("exchange.change_program", fn=_program_for_change, raise_exception=True)
def program_status(request, pk: int):
    program = _program_for_change(request, pk)
    form = ProgramStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return redirect(program)
    try:
        services.program_set_status(
            program=program, status=form.cleaned_data["status"], by=request.user
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("The program’s status was changed."))
    return redirect(program)
