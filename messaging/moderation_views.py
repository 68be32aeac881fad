"""The coordinators' moderation page of a program: reported messages in their context, the
rooms, who is muted, and the moderation log.

Each action is a plain POST form that redirects back to the page (htmx swaps the page's main
part from that redirect). It goes through the service that audits it, then tells the room's
open sockets after the commit. Anything not of this program is refused before any write.
"""

from datetime import datetime
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from accounts.models import User
from exchange.models import Program
from exchange.views.common import program_of_request
from messaging import selectors, services
from messaging.forms import MUTE_DURATIONS, DeleteForm, MuteForm, UnmuteForm
from messaging.models import Message, ModerationAction, Report, Room

MODERATE = "messaging.moderate_program"
REPORTS_PER_PAGE = 25
LOG_PER_PAGE = 50
LOG_ON_PAGE = 10
# What messaging.masking found, in words, for an automatic report.
MASKED_KINDS = {
    "email": gettext_lazy("email address"),
    "messenger": gettext_lazy("messenger id"),
    "phone": gettext_lazy("phone number"),
    "url": gettext_lazy("outside link"),
}


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _log_lines(actions) -> list[ModerationAction]:
    for action in actions:
        # member_mute writes the moment a mute ends as its detail, in ISO form.
        action.until = (
            datetime.fromisoformat(action.detail)
            if action.action == ModerationAction.Action.MUTE and action.detail
            else None
        )
    return actions


@login_required
@permission_required(MODERATE, fn=program_of_request, raise_exception=True)
def moderation(request, pk: int):
    program = program_of_request(request, pk)
    show = "resolved" if request.GET.get("show") == "resolved" else "open"
    reports = Paginator(
        selectors.moderation_reports(program=program, resolved=show == "resolved"),
        REPORTS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    context = selectors.message_context(messages=[report.message for report in reports])
    muted = selectors.muted_members(program=program)
    muted_until = {(state.room_id, state.user_id): state.muted_until for state in muted}
    rooms = selectors.program_rooms(program=program)
    for room in rooms:
        room.is_open = services.room_is_open(room)
    for report in reports:
        report.context = context[report.message_id]
        report.sender_muted_until = muted_until.get(
            (report.message.room_id, report.message.sender_id)
        )
        report.masked_kinds = [MASKED_KINDS.get(kind, kind) for kind in report.message.masked]
    return render(
        request,
        "messaging/moderation.html",
        {
            "program": program,
            "show": show,
            "reports": reports,
            "open_count": reports.paginator.count
            if show == "open"
            else selectors.open_report_count(program=program),
            "muted": muted,
            "rooms": rooms,
            "log": _log_lines(list(selectors.moderation_log(program=program)[:LOG_ON_PAGE])),
            "delete_form": DeleteForm(),
            "mute_form": MuteForm(),
            "next": request.get_full_path(),
        },
    )


@login_required
@permission_required(MODERATE, fn=program_of_request, raise_exception=True)
def moderation_log(request, pk: int):
    program = program_of_request(request, pk)
    page = Paginator(selectors.moderation_log(program=program), LOG_PER_PAGE).get_page(
        request.GET.get("page")
    )
    _log_lines(page)
    return render(request, "messaging/moderation_log.html", {"program": program, "log": page})


def _back(request, pk: int):
    """To the page the form was on (the same filter and page of reports), or the queue."""
    page = reverse("messaging:moderation", args=[pk])
    target = request.POST.get("next", "")
    if urlsplit(target).path == page and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(page)


def _room(program: Program, room_pk: int) -> Room | None:
    return Room.objects.filter(pk=room_pk, program=program).first()


def _refuse(request, pk: int, text: str):
    messages.error(request, text)
    return _back(request, pk)


@require_POST
@login_required
@permission_required(MODERATE, fn=program_of_request, raise_exception=True)
def moderation_resolve(request, pk: int, report_pk: int):
    report = Report.objects.filter(pk=report_pk, message__room__program_id=pk).first()
    if report is None:
        return _refuse(request, pk, _("There is no such report in this program."))
    try:
        services.report_resolve(report=report, by=request.user)
    except ValidationError as error:
        return _refuse(request, pk, " ".join(error.messages))
    messages.success(request, _("The report is resolved."))
    return _back(request, pk)


@require_POST
@login_required
@permission_required(MODERATE, fn=program_of_request, raise_exception=True)
def moderation_delete(request, pk: int, message_pk: int):
    message = (
        Message.objects.select_related("room").filter(pk=message_pk, room__program_id=pk).first()
    )
    if message is None:
        return _refuse(request, pk, _("There is no such message in this program."))
    if message.deleted_at is not None:
        return _refuse(request, pk, _("This message is already deleted."))
    form = DeleteForm(request.POST)
    if not form.is_valid():
        return _refuse(request, pk, _("Say why the message is deleted (at most 500 characters)."))
    try:
        message = services.message_delete(
            message=message, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        return _refuse(request, pk, " ".join(error.messages))
    messages.success(request, _("The message is deleted; the room sees that it was removed."))
    return _back(request, pk)


def _member(form) -> User | None:
    return User.objects.filter(pk=form.cleaned_data["user"]).first()


@require_POST
@login_required
@permission_required(MODERATE, fn=program_of_request, raise_exception=True)
def moderation_mute(request, pk: int, room_pk: int):
    room = _room(program_of_request(request, pk), room_pk)
    if room is None:
        return _refuse(request, pk, _("There is no such room in this program."))
    form = MuteForm(request.POST)
    if not form.is_valid():
        if "duration" in form.errors:
            return _refuse(request, pk, _("Choose how long: 1 hour, 24 hours or 7 days."))
        return _refuse(request, pk, _("That person is not in this room."))
    user = _member(form)
    if user is None:
        return _refuse(request, pk, _("That person is not in this room."))
    until = timezone.now() + MUTE_DURATIONS[form.cleaned_data["duration"]]
    try:
        services.member_mute(room=room, user=user, until=until, by=request.user)
    except ValidationError as error:
        return _refuse(request, pk, " ".join(error.messages))
    messages.success(
        request,
        _("Until %(until)s, %(name)s cannot write in “%(room)s”.")
        % {"name": user.display_name, "room": room.title, "until": _when(until)},
    )
    return _back(request, pk)


@require_POST
@login_required
@permission_required(MODERATE, fn=program_of_request, raise_exception=True)
def moderation_unmute(request, pk: int, room_pk: int):
    room = _room(program_of_request(request, pk), room_pk)
    if room is None:
        return _refuse(request, pk, _("There is no such room in this program."))
    form = UnmuteForm(request.POST)
    user = _member(form) if form.is_valid() else None
    if user is None:
        return _refuse(request, pk, _("That person is not in this room."))
    try:
        services.member_mute(room=room, user=user, until=None, by=request.user)
    except ValidationError as error:
        return _refuse(request, pk, " ".join(error.messages))
    messages.success(
        request,
        _("%(name)s can write in “%(room)s” again.")
        % {"name": user.display_name, "room": room.title},
    )
    return _back(request, pk)


@require_POST
@login_required
@permission_required(MODERATE, fn=program_of_request, raise_exception=True)
def moderation_room(request, pk: int, room_pk: int, closed: bool):
    room = _room(program_of_request(request, pk), room_pk)
    if room is None:
        return _refuse(request, pk, _("There is no such room in this program."))
    if services.room_is_open(room) != closed:
        return _refuse(
            request,
            pk,
            _("“%(room)s” is already closed.") % {"room": room.title}
            if closed
            else _("“%(room)s” is already open.") % {"room": room.title},
        )
    try:
        room = services.room_close(room=room, by=request.user, closed=closed)
    except ValidationError as error:
        return _refuse(request, pk, " ".join(error.messages))
    messages.success(
        request,
        _("“%(room)s” is closed: nobody can write in it until it is reopened.")
        % {"room": room.title}
        if closed
        else _("“%(room)s” is open again.") % {"room": room.title},
    )
    return _back(request, pk)
