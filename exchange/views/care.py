"""Care during a visit: the locator and messages to travellers, the host city's household
visits, and incidents. Thin doors: the rules decide who, the services change, the selectors
read."""

import zoneinfo
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from core.forms import add_validation_error, errors_to_messages
from exchange.forms.care import (
    HouseholdVisitForm,
    IncidentForm,
    IncidentNoteForm,
    LocatorDayForm,
    TripMessageForm,
)
from exchange.models import (
    Application,
    Incident,
    Program,
    TripMessage,
    TripMessageDelivery,
    VisitLeg,
)
from exchange.rules import coordinated_city_ids
from exchange.selectors import care as selectors
from exchange.selectors.sessions import coordinator_time_zone
from exchange.services import care as services
from exchange.views.common import program_of_request

MANAGE = "exchange.manage_trip"


def _today(request, program: Program) -> tuple[str, datetime]:
    zone = coordinator_time_zone(user=request.user, program=program)
    return zone, timezone.now()


# --- Locator and messages ---------------------------------------------------------------


def _audience_spec(data) -> dict:
    """The audience named by a request's fields: ids only, checked by the selector."""
    kind = data.get("kind", "")
    if kind == "group":
        group = data.get("group", "")
        return {"kind": "group", "group": int(group) if group.isdigit() else None}
    if kind == "place":
        return {
            "kind": "place",
            "day": data.get("day", ""),
            "moment": data.get("moment", ""),
            "place": data.get("place", ""),
        }
    return {"kind": kind}


def _place_cards(program: Program, day, snapshot, host_word: str) -> list[str]:
    """The selected moment's places as cards: the place, its people (native script with the
    Latin beside) and the link that writes to them. Built here with format_html (every value
    escaped) rather than by template loops: on a night of 250 host homes the loops alone took
    longer than the page's budget (bench/locator_bench.py). _places.html only joins them."""
    if snapshot is None:
        return []
    compose = reverse("exchange:care_message_compose", args=[program.pk])
    host_city_id = snapshot.leg.host_city_id if snapshot.leg else None
    cards = []
    for place in snapshot.places:
        people = format_html_join(
            "",
            '<li><strong>{}</strong> <span class="latin">{}</span> · {}{}</li>',
            (
                (
                    person.native_name,
                    person.latin_name,
                    person.city_name,
                    f" · {host_word}" if person.city_id == host_city_id else "",
                )
                for person in place.people
            ),
        )
        count = len(place.people)
        query = urlencode(
            {"kind": "place", "day": day.isoformat(), "moment": snapshot.key, "place": place.key}
        )
        cards.append(
            format_html(
                '<li class="card locator-place"><h3 class="h3">{} <span class="badge">{}</span>'
                '</h3>{}<ul class="locator-people">{}</ul><a href="{}">{}</a></li>',
                place.label,
                count,
                format_html('<p class="help">{}</p>', place.detail) if place.detail else "",
                people,
                f"{compose}?{query}",
                ngettext("Message this person", "Message these %(n)s people", count) % {"n": count},
            )
        )
    return cards


def _group_options(groups) -> list[tuple[int, str]]:
    return [
        (group.pk, f"{group.number}: " + ", ".join(person.display_name for person in members))
        for group, members in groups
    ]


def _audience_query(spec: dict) -> str:
    return urlencode({k: v for k, v in spec.items() if k != "label"})


@login_required
@permission_required(MANAGE, fn=program_of_request, raise_exception=True)
def locator(request, pk: int):
    """Who is where on a day (default today in the coordinator's city): now, and during each
    itinerary item of the day, grouped by place; each place, group or everyone messageable."""
    program = program_of_request(request, pk)
    zone, now = _today(request, program)
    today = now.astimezone(zoneinfo.ZoneInfo(zone)).date()
    form = LocatorDayForm(request.GET if "day" in request.GET else None, initial={"day": today})
    result = selected = None
    if form.is_bound and not form.is_valid():
        day = None
    else:
        day = form.cleaned_data["day"] if form.is_bound else today
        result = selectors.program_locator(program=program, day=day, today=today, now=now)
        # Everyone's place is listed for one moment (now, or the one asked for); the day's
        # other moments are summed up, so the page stays light at hundreds of participants.
        snapshots = [*result.now, *result.items]
        selected = result.snapshot(request.GET.get("moment", "")) or (
            snapshots[0] if snapshots else None
        )
    return render(
        request,
        "exchange/care/locator.html",
        {
            "program": program,
            "form": form,
            "day": day,
            "today": today,
            "zone": zone,
            "locator": result,
            "selected": selected,
            "place_cards": _place_cards(program, day, selected, _("host student")),
            "group_options": _group_options(result.groups) if result else [],
            "compose_url": reverse("exchange:care_message_compose", args=[program.pk]),
            "hosts_legs": selectors.visit_legs_hosted(
                program=program, city_ids=coordinated_city_ids(request.user, program)
            ),
        },
    )


@login_required
@permission_required(MANAGE, fn=program_of_request, raise_exception=True)
def message_compose(request, pk: int):
    """Write to the audience chosen on the locator, shown with the people it reaches now."""
    program = program_of_request(request, pk)
    data = request.POST if request.method == "POST" else request.GET
    spec = _audience_spec(data)
    audience = selectors.audience_for(program=program, spec=spec)
    if audience is None:
        raise Http404
    form = TripMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            message = services.trip_message_send(
                program=program,
                by=request.user,
                audience=spec,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                to_guardians=form.cleaned_data["to_guardians"],
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("The message is on its way."))
            return redirect("exchange:care_message", pk=program.pk, message_pk=message.pk)
    return render(
        request,
        "exchange/care/message_form.html",
        {"program": program, "audience": audience, "form": form, "spec": spec},
    )


@login_required
@permission_required(MANAGE, fn=program_of_request, raise_exception=True)
def message_list(request, pk: int):
    program = program_of_request(request, pk)
    return render(
        request,
        "exchange/care/messages.html",
        {
            "program": program,
            "trip_messages": selectors.program_trip_messages(program=program),
            "everyone_query": _audience_query({"kind": "everyone"}),
        },
    )


@login_required
@permission_required(MANAGE, fn=program_of_request, raise_exception=True)
def message_detail(request, pk: int, message_pk: int):
    """Who a message went to: by email (and the guardian's copy), and read in the portal."""
    program = program_of_request(request, pk)
    message = get_object_or_404(
        TripMessage.objects.select_related("sent_by"), pk=message_pk, program=program
    )
    return render(
        request,
        "exchange/care/message_detail.html",
        {
            "program": program,
            "message": message,
            "deliveries": selectors.message_deliveries(message=message),
        },
    )


def _own_visit_application(request, pk: int) -> Application:
    application = get_object_or_404(
        Application.objects.select_related("program"), pk=pk, student_id=request.user.pk
    )
    if not application.is_visit:
        raise Http404
    return application


@login_required
def my_messages(request, pk: int):
    """The student's messages from the visit's coordinators, unread first. The application
    page loads this list into its card (htmx); without scripts it is its own page."""
    application = _own_visit_application(request, pk)
    deliveries = selectors.student_trip_messages(application=application)
    template = "exchange/care/my_messages.html" + ("#list" if request.htmx else "")
    return render(request, template, {"application": application, "deliveries": deliveries})


@require_POST
@login_required
def my_message_read(request, pk: int, delivery_pk: int):
    application = _own_visit_application(request, pk)
    delivery = get_object_or_404(
        TripMessageDelivery.objects.select_related("message"),
        pk=delivery_pk,
        message__program_id=application.program_id,
    )
    if not request.user.has_perm("exchange.read_trip_message", delivery):
        raise Http404
    services.trip_message_mark_read(delivery=delivery, by=request.user)
    if request.htmx:
        return my_messages(request, pk)
    return redirect("exchange:care_my_messages", pk=application.pk)


# --- Household visits -------------------------------------------------------------------


@login_required
@permission_required(MANAGE, fn=program_of_request, raise_exception=True)
def household_visit_legs(request, pk: int):
    """The legs the coordinator's cities host, each with its visits recorded."""
    program = program_of_request(request, pk)
    return render(
        request,
        "exchange/care/household_visit_legs.html",
        {
            "program": program,
            "legs": selectors.visit_legs_hosted(
                program=program, city_ids=coordinated_city_ids(request.user, program)
            ),
        },
    )


@login_required
@permission_required(MANAGE, fn=program_of_request, raise_exception=True)
def household_visits(request, pk: int, leg_pk: int):
    program = program_of_request(request, pk)
    leg = get_object_or_404(
        VisitLeg.objects.select_related("host_city"), pk=leg_pk, program=program
    )
    leg.program = program  # already loaded, with its cities
    if not request.user.has_perm("exchange.visit_households", leg):
        raise PermissionDenied
    households = selectors.leg_households(leg=leg)
    form = HouseholdVisitForm(request.POST or None, households=households)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_visit_record(
                leg=leg,
                household=form.chosen_household(),
                visited_on=form.cleaned_data["visited_on"],
                notes=form.cleaned_data["notes"],
                by=request.user,
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("The visit is recorded."))
            return redirect("exchange:care_household_visits", pk=program.pk, leg_pk=leg.pk)
    return render(
        request,
        "exchange/care/household_visits.html",
        {
            "program": program,
            "leg": leg,
            "form": form,
            "households": households,
            "visits": selectors.leg_household_visits(leg=leg),
        },
    )


# --- Incidents --------------------------------------------------------------------------


@login_required
@permission_required(MANAGE, fn=program_of_request, raise_exception=True)
def incident_list(request, pk: int):
    program = program_of_request(request, pk)
    return render(
        request,
        "exchange/care/incidents.html",
        {
            "program": program,
            "incidents": services.incidents_list_open(program=program, by=request.user),
            "zone": coordinator_time_zone(user=request.user, program=program),
        },
    )


@login_required
@permission_required(MANAGE, fn=program_of_request, raise_exception=True)
def incident_create(request, pk: int):
    program = program_of_request(request, pk)
    zone = coordinator_time_zone(user=request.user, program=program)
    participants = selectors.program_participants(program=program)
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        form = IncidentForm(request.POST or None, participants=participants)
        if request.method == "POST" and form.is_valid():
            try:
                incident = services.incident_log(
                    program=program,
                    by=request.user,
                    category=form.cleaned_data["category"],
                    severity=form.cleaned_data["severity"],
                    involved=form.chosen_involved(),
                    occurred_at=form.cleaned_data["occurred_at"],
                    what_happened=form.cleaned_data["what_happened"],
                    what_was_done=form.cleaned_data["what_was_done"],
                )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                if incident.is_serious:
                    messages.success(
                        request,
                        _(
                            "The incident is logged. Every coordinator of the visit’s cities "
                            "is being told now."
                        ),
                    )
                else:
                    messages.success(request, _("The incident is logged."))
                return redirect("exchange:care_incident", pk=program.pk, incident_pk=incident.pk)
        return render(
            request,
            "exchange/care/incident_form.html",
            {"program": program, "form": form, "zone": zone},
        )


def _incident(request, program: Program, incident_pk: int) -> Incident:
    incident = get_object_or_404(
        Incident.objects.select_related("program", "reported_by", "leg__host_city"),
        pk=incident_pk,
        program=program,
    )
    if not request.user.has_perm("exchange.view_incident", incident):
        raise Http404
    return incident


@login_required
@permission_required(MANAGE, fn=program_of_request, raise_exception=True)
def incident_detail(request, pk: int, incident_pk: int):
    program = program_of_request(request, pk)
    incident = _incident(request, program, incident_pk)
    form = IncidentNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_add_update(
                incident=incident, by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("The follow-up is added."))
            return redirect("exchange:care_incident", pk=program.pk, incident_pk=incident.pk)
    if request.method == "GET":
        services.incident_open(incident=incident, by=request.user)
    return render(
        request,
        "exchange/care/incident_detail.html",
        {
            "program": program,
            "incident": incident,
            "involved": list(incident.involved.select_related("student", "city")),
            "timeline": selectors.incident_timeline(incident=incident),
            "form": form,
            "status_form": IncidentNoteForm(prefix="status"),
            "zone": coordinator_time_zone(user=request.user, program=program),
        },
    )


@require_POST
@login_required
@permission_required(MANAGE, fn=program_of_request, raise_exception=True)
def incident_status(request, pk: int, incident_pk: int, action: str):
    program = program_of_request(request, pk)
    incident = _incident(request, program, incident_pk)
    form = IncidentNoteForm(request.POST, prefix="status")
    if not form.is_valid():
        errors_to_messages(request, form)
    else:
        change = services.incident_close if action == "close" else services.incident_reopen
        try:
            change(incident=incident, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            errors_to_messages(request, error)
        else:
            messages.success(
                request,
                _("The incident is closed.")
                if action == "close"
                else _("The incident is open again."),
            )
    return redirect("exchange:care_incident", pk=program.pk, incident_pk=incident.pk)


@require_POST
@login_required
@permission_required(MANAGE, fn=program_of_request, raise_exception=True)
def incident_guardians(request, pk: int, incident_pk: int):
    program = program_of_request(request, pk)
    incident = _incident(request, program, incident_pk)
    try:
        count = services.incident_guardians_notify(incident=incident, by=request.user)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d guardian is being told.", "%(count)d guardians are being told.", count
            )
            % {"count": count},
        )
    return redirect("exchange:care_incident", pk=program.pk, incident_pk=incident.pk)


@login_required
@permission_required(MANAGE, fn=program_of_request, raise_exception=True)
def incident_export(request, pk: int):
    program = program_of_request(request, pk)
    data = services.incidents_export(
        program=program,
        by=request.user,
        language=request.LANGUAGE_CODE,
        time_zone=coordinator_time_zone(user=request.user, program=program),
    )
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="incidents-{program.pk}.csv"'
    return response
