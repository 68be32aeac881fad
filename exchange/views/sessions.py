"""Coordinators' pages for an online program's live sessions and their attendance. Times are
entered and shown in the coordinator's city time zone; the services store UTC."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from core.forms import add_validation_error, errors_to_messages
from exchange.forms.sessions import AttendanceForm, LiveSessionForm
from exchange.models import PARTICIPATING, Application, LiveSession, Program
from exchange.rules import coordinated_city_ids
from exchange.selectors import sessions as selectors
from exchange.services import sessions as services
from exchange.views.common import program_of_request

# --- Live sessions (coordinators) --------------------------------------------------------


def _session(program: Program, session_pk: int) -> LiveSession:
    return get_object_or_404(LiveSession, pk=session_pk, program=program)


def _sessions_page(request, program: Program, form: LiveSessionForm, zone: str):
    now = timezone.now()
    return render(
        request,
        "exchange/sessions.html",
        {
            "program": program,
            "sessions": selectors.program_sessions(program=program),
            "grid": selectors.attendance_grid(program=program, now=now)
            if program.kind == Program.Kind.ONLINE
            else None,
            "form": form,
            "zone": zone,
            "now": now,
            "my_city_ids": coordinated_city_ids(request.user, program),
            "attendance_form": AttendanceForm(),
        },
    )


@login_required
@permission_required("exchange.schedule_sessions", fn=program_of_request, raise_exception=True)
def program_sessions(request, pk: int):
    """The program's sessions, a form to add one, and the attendance grid. Times are entered
    and shown in the coordinator's city time zone."""
    program = program_of_request(request, pk)
    zone = selectors.coordinator_time_zone(user=request.user, program=program)
    with timezone.override(zone):
        form = LiveSessionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.session_create(
                    program=program,
                    title=form.cleaned_data["title"],
                    starts_at=form.cleaned_data["starts_at"],
                    ends_at=form.cleaned_data["ends_at"],
                    by=request.user,
                )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, _("The session is scheduled."))
                return redirect("exchange:sessions", pk=program.pk)
        return _sessions_page(request, program, form, zone)


@login_required
@permission_required("exchange.schedule_sessions", fn=program_of_request, raise_exception=True)
def session_edit(request, pk: int, session_pk: int):
    program = program_of_request(request, pk)
    session = _session(program, session_pk)
    zone = selectors.coordinator_time_zone(user=request.user, program=program)
    with timezone.override(zone):
        if request.method == "POST":
            form = LiveSessionForm(request.POST)
            if form.is_valid():
                try:
                    services.session_update(
                        session=session,
                        title=form.cleaned_data["title"],
                        starts_at=form.cleaned_data["starts_at"],
                        ends_at=form.cleaned_data["ends_at"],
                        by=request.user,
                    )
                except ValidationError as error:
                    add_validation_error(form, error)
                else:
                    messages.success(request, _("The session is saved."))
                    return redirect("exchange:sessions", pk=program.pk)
        else:
            form = LiveSessionForm(initial=LiveSessionForm.initial_for(session))
        return render(
            request,
            "exchange/session_form.html",
            {"program": program, "session": session, "form": form, "zone": zone},
        )


@require_POST
@login_required
@permission_required("exchange.schedule_sessions", fn=program_of_request, raise_exception=True)
def session_delete(request, pk: int, session_pk: int):
    program = program_of_request(request, pk)
    session = _session(program, session_pk)
    try:
        services.session_delete(session=session, by=request.user)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("The session is deleted."))
    return redirect("exchange:sessions", pk=program.pk)


@require_POST
@login_required
@permission_required("exchange.schedule_sessions", fn=program_of_request, raise_exception=True)
def attendance_correct(request, pk: int, session_pk: int, application_pk: int):
    program = program_of_request(request, pk)
    session = _session(program, session_pk)
    application = get_object_or_404(
        Application.objects.select_related("student"),
        pk=application_pk,
        program=program,
        state__in=PARTICIPATING,
    )
    if not request.user.has_perm("exchange.correct_attendance", application):
        raise PermissionDenied
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose attended, absent or as counted."))
        return redirect("exchange:sessions", pk=program.pk)
    try:
        services.attendance_set(
            session=session, application=application, attended=form.value(), by=request.user
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(
            request,
            _("Attendance of %(name)s at “%(title)s” is corrected.")
            % {"name": application.student.display_name, "title": session.title},
        )
    return redirect("exchange:sessions", pk=program.pk)
