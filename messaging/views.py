"""Thin doors into chat. The live part is the WebSocket consumer; these are plain HTTP."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from messaging.selectors import rooms_for_user


@require_GET
def rooms_api(request):
    """The signed-in user's rooms: `[{"id", "name", "ws_url"}]`."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {"type": "error", "code": "not_authenticated", "detail": "Sign in first."}, status=401
        )
    scheme = "wss" if request.is_secure() else "ws"
    host = request.get_host()
    return JsonResponse(
        [
            {"id": room.pk, "name": room.name, "ws_url": f"{scheme}://{host}/ws/rooms/{room.pk}/"}
            for room in rooms_for_user(user=request.user)
        ],
        safe=False,
    )
