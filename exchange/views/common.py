"""Helpers every coordinator view of a program shares."""

from django.db.models import Prefetch

from core.models import City
from exchange.models import Program, ProgramCity
from exchange.rules import coordinated_city_ids


def program_of_request(request, pk: int, **_other_url_arguments) -> Program | None:
    """The program of the URL's `pk`, with its cities, or None when there is none.

    The permission check (`permission_required(..., fn=program_of_request)`) and the view both
    ask for it, so it is loaded once per request and kept on the request.
    """
    cache = request.__dict__.setdefault("_programs", {})
    if pk not in cache:
        cache[pk] = (
            Program.objects.prefetch_related(
                Prefetch("program_cities", ProgramCity.objects.select_related("city"))
            )
            .filter(pk=pk)
            .first()
        )
    return cache[pk]


def cities_coordinated(request, program: Program) -> list[City]:
    """The program's cities the signed-in coordinator acts for."""
    mine = coordinated_city_ids(request.user, program)
    return [pc.city for pc in program.program_cities.all() if pc.city_id in mine]
