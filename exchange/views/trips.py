"""A visit's trip: the coordinators' Trip page (legs, itinerary, participants' travel status),
the traveller's trip and emergency information, and the guardian's trip consent (no account,
a signed link). Thin doors into exchange.services.trips."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from core.forms import add_validation_error, errors_to_messages
from exchange import trip_tokens
from exchange.forms.trips import (
    EmergencyInfoForm,
    GuardianEmailForm,
    ItineraryItemForm,
    LegForm,
    TripConsentForm,
    TripWithdrawForm,
)
from exchange.models import (
    PARTICIPATING,
    Application,
    EmergencyInfo,
    ItineraryItem,
    Program,
    VisitLeg,
)
from exchange.selectors import trips as selectors
from exchange.selectors.trips import emergency_window
from exchange.services import trips as services
from exchange.views.common import program_of_request

# --- Coordinators: the Trip page, legs and itinerary -----------------------------------------


def _visit_program(request, pk: int) -> Program:
    program = program_of_request(request, pk)
    if program is None or program.kind != Program.Kind.MUTUAL_VISIT:
        raise Http404
    return program


@login_required
@permission_required("exchange.manage_trip", fn=program_of_request, raise_exception=True)
def trip(request, pk: int):
    """The two legs with their itineraries, and each participant's travel status."""
    program = _visit_program(request, pk)
    legs = selectors.program_legs(program=program)
    cities = [pc.city for pc in program.program_cities.all()]
    by_city = {leg.host_city_id: leg for leg in legs}
    two_cities = len(cities) == 2
    rows = selectors.trip_participants(program=program)
    return render(
        request,
        "exchange/trips/trip.html",
        {
            "program": program,
            "legs": legs,
            "missing_legs": [c for c in cities if c.pk not in by_city] if two_cities else [],
            "two_cities": two_cities,
            "rows": [
                (row, selectors.travel_status_label(row.status), _window(row.travels_to))
                for row in rows
            ],
            "reader_city": request.user.home_city,
        },
    )


def _window(leg: VisitLeg | None):
    return emergency_window(leg) if leg is not None else None


@login_required
@permission_required("exchange.manage_trip", fn=program_of_request, raise_exception=True)
def leg_edit(request, pk: int, city_pk: int):
    """Create or change the leg to the host city `city_pk`."""
    program = _visit_program(request, pk)
    city = next((pc.city for pc in program.program_cities.all() if pc.city_id == city_pk), None)
    if city is None:
        raise Http404
    leg = VisitLeg.objects.filter(program=program, host_city=city).first()
    form = LegForm(request.POST or None, initial=LegForm.initial_for(leg))
    if request.method == "POST" and form.is_valid():
        try:
            services.leg_save(
                program=program,
                host_city_id=city.pk,
                by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("The leg is saved."))
            return redirect("exchange:trip", pk=program.pk)
    return render(
        request,
        "exchange/trips/leg_form.html",
        {"program": program, "city": city, "leg": leg, "form": form},
    )


def _leg(program: Program, leg_pk: int) -> VisitLeg:
    return get_object_or_404(
        VisitLeg.objects.select_related("host_city"), pk=leg_pk, program=program
    )


def _item(program: Program, item_pk: int) -> ItineraryItem:
    return get_object_or_404(
        ItineraryItem.objects.select_related("leg__host_city", "leg__program"),
        pk=item_pk,
        leg__program=program,
    )


def _item_page(request, program, leg, form, item=None):
    return render(
        request,
        "exchange/trips/item_form.html",
        {"program": program, "leg": leg, "form": form, "item": item},
    )


@login_required
@permission_required("exchange.manage_trip", fn=program_of_request, raise_exception=True)
def item_add(request, pk: int, leg_pk: int):
    program = _visit_program(request, pk)
    leg = _leg(program, leg_pk)
    if not request.user.has_perm("exchange.change_leg", leg):
        raise PermissionDenied
    form = ItineraryItemForm(request.POST or None, leg=leg)
    if request.method == "POST" and form.is_valid():
        try:
            services.itinerary_item_add(leg=leg, by=request.user, data=form.data_for_service())
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("The itinerary entry is added."))
            return redirect("exchange:trip", pk=program.pk)
    return _item_page(request, program, leg, form)


@login_required
@permission_required("exchange.manage_trip", fn=program_of_request, raise_exception=True)
def item_edit(request, pk: int, item_pk: int):
    program = _visit_program(request, pk)
    item = _item(program, item_pk)
    if not request.user.has_perm("exchange.change_leg", item.leg):
        raise PermissionDenied
    form = ItineraryItemForm(request.POST or None, instance=item, leg=item.leg)
    if request.method == "POST" and form.is_valid():
        try:
            services.itinerary_item_update(item=item, by=request.user, data=form.data_for_service())
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("The itinerary entry is saved."))
            return redirect("exchange:trip", pk=program.pk)
    return _item_page(request, program, item.leg, form, item)


@require_POST
@login_required
@permission_required("exchange.manage_trip", fn=program_of_request, raise_exception=True)
def item_delete(request, pk: int, item_pk: int):
    program = _visit_program(request, pk)
    item = _item(program, item_pk)
    try:
        services.itinerary_item_delete(item=item, by=request.user)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("The itinerary entry is deleted."))
    return redirect("exchange:trip", pk=program.pk)


# --- Coordinators: one participant's emergency information and trip consent -------------


def _participant(request, pk: int) -> Application:
    # Someone outside the coordinator's visits is a 404: their existence is not for them.
    application = get_object_or_404(
        Application.objects.select_related("program", "city", "student"),
        pk=pk,
        state__in=PARTICIPATING,
    )
    if not request.user.has_perm("exchange.manage_trip", application.program):
        raise Http404
    return application


@login_required
def emergency_view(request, pk: int):
    """A traveller's emergency information, inside the window only; every view audited."""
    application = _participant(request, pk)
    leg = selectors.travel_leg(application=application)
    window = _window(leg)
    info = None
    is_open = request.user.has_perm("exchange.view_emergency_info", application)
    if is_open:
        info = services.emergency_info_open(application=application, by=request.user)
    return render(
        request,
        "exchange/trips/emergency_view.html",
        {
            "program": application.program,
            "application": application,
            "info": info,
            "is_open": is_open,
            "window": window,
            "today": timezone.localdate(),
            "given": info is not None
            or EmergencyInfo.objects.filter(application=application).exists(),
        },
    )


@require_POST
@login_required
def consent_resend(request, pk: int):
    """A coordinator sends the guardian's trip consent request again (daily limit)."""
    application = _participant(request, pk)
    try:
        services.trip_consent_resend(application=application, by=request.user)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("The trip consent request is sent again."))
    return redirect("exchange:trip", pk=application.program_id)


# --- The traveller ------------------------------------------------------------------------


def _own_trip(request, pk: int) -> Application:
    application = get_object_or_404(
        Application.objects.select_related("program", "city", "student__home_city"), pk=pk
    )
    if application.student_id != request.user.pk or not request.user.has_perm(
        "exchange.view_trip", application
    ):
        raise Http404
    return application


@login_required
def my_trip(request, pk: int):
    """The itinerary of the leg they travel on and of the one they host on, in their language
    and with their home city's clock beside the host city's, and their trip consent."""
    application = _own_trip(request, pk)
    travel = selectors.travel_leg(application=application)
    host = selectors.host_leg(application=application)
    legs = {leg.pk: leg for leg in selectors.program_legs(program=application.program)}
    status = selectors.travel_status(application=application)
    consent = selectors.current_trip_consent(application=application)
    return render(
        request,
        "exchange/trips/my_trip.html",
        {
            "application": application,
            "program": application.program,
            "travel": legs.get(travel.pk) if travel else None,
            "host": legs.get(host.pk) if host else None,
            "status": status,
            "status_label": selectors.travel_status_label(status),
            "consent": consent,
            "guardian_form": GuardianEmailForm(
                initial={"guardian_email": consent.guardian_email if consent else ""}
            ),
            "reader_city": application.city,
            "emergency_given": EmergencyInfo.objects.filter(application=application).exists(),
        },
    )


@require_POST
@login_required
def my_trip_guardian(request, pk: int):
    application = _own_trip(request, pk)
    form = GuardianEmailForm(request.POST)
    if not form.is_valid():
        errors_to_messages(request, form)
        return redirect("exchange:my_trip", pk=application.pk)
    try:
        services.trip_consent_set_guardian(
            application=application,
            by=request.user,
            guardian_email=form.cleaned_data["guardian_email"],
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("We sent your guardian an email with the trip consent link."))
    return redirect("exchange:my_trip", pk=application.pk)


@require_POST
@login_required
def my_trip_resend(request, pk: int):
    application = _own_trip(request, pk)
    try:
        services.trip_consent_resend(application=application, by=request.user)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("The trip consent request is sent again."))
    return redirect("exchange:my_trip", pk=application.pk)


@login_required
def my_emergency(request, pk: int):
    """The traveller's own emergency and medical information: always theirs to see and edit."""
    application = _own_trip(request, pk)
    if not request.user.has_perm("exchange.change_emergency_info", application):
        raise Http404
    info = EmergencyInfo.objects.filter(application=application).first()
    form = EmergencyInfoForm(request.POST or None, instance=info)
    if request.method == "POST" and form.is_valid():
        try:
            services.emergency_info_save(
                application=application, by=request.user, data=form.data_for_service()
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Your emergency information is saved."))
            return redirect("exchange:my_trip", pk=application.pk)
    leg = selectors.travel_leg(application=application)
    return render(
        request,
        "exchange/trips/my_emergency.html",
        {
            "application": application,
            "program": application.program,
            "form": form,
            "window": _window(leg),
        },
    )


# --- The guardian (no account: a signed link) ---------------------------------------------


def _invalid_link(request):
    return render(request, "exchange/trips/consent_link_invalid.html", status=404)


def trip_consent(request, token: str):
    consent = trip_tokens.consent_from_sign_token(token)
    if consent is None:
        return _invalid_link(request)
    shown = consent.shown if consent.signed_at else selectors.trip_consent_shown(consent=consent)
    digest = selectors.shown_digest(shown)
    form = TripConsentForm(request.POST or None, initial={"digest": digest})
    if request.method == "POST" and consent.status == consent.Status.REQUESTED and form.is_valid():
        try:
            services.trip_consent_sign(
                consent=consent,
                guardian_name=form.cleaned_data["guardian_name"],
                agreed=form.cleaned_data["agree"],
                digest=form.cleaned_data["digest"],
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            return redirect("exchange:trip_consent", token=token)
    if form.is_bound:
        # Whatever was posted, the page signs what it now shows.
        form.data = form.data.copy()
        form.data["digest"] = digest
    return render(
        request,
        "exchange/trips/consent.html",
        {
            "consent": consent,
            "shown": shown,
            "form": form,
            "withdraw_token": trip_tokens.withdraw_token(consent),
        },
    )


def trip_consent_withdraw(request, token: str):
    consent = trip_tokens.consent_from_withdraw_token(token)
    if consent is None:
        return _invalid_link(request)
    form = TripWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.trip_consent_withdraw(consent=consent, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            return redirect("exchange:trip_consent_withdraw", token=token)
    return render(
        request,
        "exchange/trips/consent_withdraw.html",
        {"consent": consent, "form": form, "program": consent.application.program},
    )
