"""Thin doors into chat. The live part is the WebSocket consumer; these are plain HTTP: the
rooms API, a room's history and the chat page. Who may read what is messaging.rules."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from messaging.events import error_event, message_event
from messaging.models import MESSAGE_MAX
from messaging.rules import COORDINATOR, RoomAccess, readable_rooms, room_access
from messaging.selectors import (
    room_history_page,
    room_last_read_seq,
    room_list_for_user,
    room_notice,
    supervision_notice,
)
from messaging.services import room_is_open

HISTORY_PAGE = 50
HISTORY_PAGE_MAX = 100
SEQ_MAX = 2**63 - 1


def _error(code: str, detail: str, *, status: int) -> JsonResponse:
    return JsonResponse(error_event(code, detail), status=status)


def _not_authenticated() -> JsonResponse:
    return _error("not_authenticated", "Sign in first.", status=401)


def _ws_url(request, room_id: int) -> str:
    scheme = "wss" if request.is_secure() else "ws"
    return f"{scheme}://{request.get_host()}/ws/rooms/{room_id}/"


def _member_room(user, room_id: int) -> RoomAccess | None:
    """The user's access to the room, or None when it doesn't exist or isn't theirs: the two
    look the same from outside. A member who may not read it now (a minor in a room short of
    two adults) gets the access back, with can_read False."""
    access = room_access(user=user, room_id=room_id)
    if access is None or access.role is None or (access.dissolved and access.role != COORDINATOR):
        return None
    return access


@require_GET
def rooms_api(request):
    """The signed-in user's rooms: `[{"id", "name", "ws_url"}]`."""
    if not request.user.is_authenticated:
        return _not_authenticated()
    return JsonResponse(
        [
            {"id": room.pk, "name": room.title, "ws_url": _ws_url(request, room.pk)}
            for room in readable_rooms(user=request.user)
        ],
        safe=False,
    )


def _whole_number(value: str | None, name: str, *, maximum: int | None = None) -> int | None:
    """None when absent; ValueError, with a message for the user, unless 1…maximum."""
    if value is None:
        return None
    number = int(value) if value.isascii() and value.isdigit() else 0
    if number < 1 or (maximum is not None and number > maximum):
        if maximum is None:
            raise ValueError(_("“%(name)s” must be a whole number, 1 or more.") % {"name": name})
        raise ValueError(
            _("“%(name)s” must be a whole number from 1 to %(max)d.")
            % {"name": name, "max": maximum}
        )
    return number


@require_GET
def room_messages_api(request, room_id: int):
    """`?before=<id>&limit=<n>`: a page of the room's history, oldest first, each message as
    the socket sends it; `has_more` says whether older ones remain."""
    if not request.user.is_authenticated:
        return _not_authenticated()
    access = _member_room(request.user, room_id)
    if access is None:
        return _error("not_found", _("No such room."), status=404)
    if not access.can_read:
        return _error("unsupervised", supervision_notice(room=access.room), status=403)
    room = access.room
    try:
        before = _whole_number(request.GET.get("before"), "before")
        limit = _whole_number(request.GET.get("limit"), "limit", maximum=HISTORY_PAGE_MAX)
    except ValueError as error:
        return _error("bad_request", str(error), status=400)
    if before is not None:
        # Beyond any message number (and beyond what the column holds): the latest page.
        before = min(before, SEQ_MAX)
    messages, has_more = room_history_page(room=room, before=before, limit=limit or HISTORY_PAGE)
    return JsonResponse(
        {"messages": [message_event(message) for message in messages], "has_more": has_more}
    )


@login_required
@require_GET
def rooms(request):
    """The signed-in user's rooms, grouped by program, with unread counts."""
    return render(
        request, "messaging/rooms.html", {"rooms": list(room_list_for_user(user=request.user))}
    )


def chat_strings() -> dict[str, str]:
    """Every sentence chat.js shows, in the user's language. `%(name)s`-style placeholders
    are filled in by the script."""
    return {
        "connecting": _("Connecting…"),
        "connected": _("Connected"),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "offline": _("You are offline. The chat reconnects when the network is back."),
        "not_member": _("You are no longer a member of this room, so the chat has stopped."),
        "not_member_feedback": _("You are no longer a member of this room."),
        "signed_out": _("You are signed out. Sign in again to keep chatting."),
        "too_fast": _(
            "You were sending too fast, so the connection was closed. Reconnecting in a moment…"
        ),
        "sending": _("Sending…"),
        "loading": _("Loading…"),
        "load_failed": _("Could not load the messages. Try again."),
        "typing_one": _("%(name)s is typing…"),
        "typing_many": _("%(names)s are typing…"),
        "removed": _("Message removed by a coordinator"),
        "report": _("Report"),
        "reported": _("Reported"),
        "reported_thanks": _("Thank you. The coordinators will look at this message."),
        "delete": _("Delete"),
        "new_messages": _("New messages"),
        "counter": _("%(count)s / %(max)s"),
        "too_long": _("A message is at most %(max)d characters.") % {"max": MESSAGE_MAX},
        "nobody": _("Nobody is here yet."),
        "you": _("you"),
        "former_member": _("Former member"),
        # A message whose writer had their data erased (messaging.models.ERASED_BODY).
        "erased": _("This message was erased at its writer’s request."),
        "not_connected": _("Not connected. Try again when the chat is back."),
        # The same sentence the sender gets in the contact_masked notice.
        "contact_masked": _(
            "Contact details were hidden: stay in touch here in the portal, "
            "where your coordinators look after the chat."
        ),
    }


@login_required
@require_GET
def room(request, room_id: int):
    """The chat page. A room that isn't the user's is a 404: whether it exists is not theirs
    to know."""
    access = _member_room(request.user, room_id)
    if access is None:
        raise Http404
    room, role = access.room, access.role
    notice = room_notice(access)
    config = {
        "room": room.pk,
        "ws_url": _ws_url(request, room.pk),
        "history_url": reverse("messaging:room_messages_api", args=[room.pk]),
        "me": {"id": request.user.pk, "name": request.user.display_name},
        "coordinator": role == COORDINATOR,
        "closed": not room_is_open(room),
        "can_post": access.can_post,
        "last_read": room_last_read_seq(room=room, user=request.user),
        "language": get_language(),
        "time_zone": timezone.get_current_timezone_name(),
        "max_length": MESSAGE_MAX,
        "page_size": HISTORY_PAGE,
    }
    return render(
        request,
        "messaging/room.html",
        {
            "room": room,
            "role": role,
            "access": access,
            "notice": notice,
            "room_closed": not room_is_open(room),
            "chat_config": config,
            "chat_strings": chat_strings(),
        },
    )
