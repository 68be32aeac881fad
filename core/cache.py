"""Personal pages are never stored by a browser or a proxy.

A shared computer in a school library, or a proxy on a city intranet, would otherwise keep a
student's application, a guardian's consent page or a chat history for the next person.
Every response to a signed-in user is marked `no-store`, and so is every response of the views
named in `settings.NO_STORE_VIEWS` (pages that show personal data without an account: a
guardian's signed link, the public certificate check). Pages for anonymous visitors keep
whatever caching they have, and static files never reach this middleware: WhiteNoise, above
it, answers them first.
"""

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class NoStorePrivatePagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Read after the view: signing in or out changes request.user on the way.
        user = getattr(request, "user", None)
        match = request.resolver_match
        if (user is not None and user.is_authenticated) or (
            match is not None and match.view_name in settings.NO_STORE_VIEWS
        ):
            add_never_cache_headers(response)
        return response
