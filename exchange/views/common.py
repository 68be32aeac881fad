"""Helpers every coordinator view of a program shares."""

from dataclasses import dataclass, replace

from django.db.models import Prefetch
from django.shortcuts import render

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


@dataclass(frozen=True)
class Confirmation:
    """A confirmation step before an action that reaches many people at once (releasing a
    city's decisions, reopening a published matching). The action's POST changes something
    only when its `confirm` field equals `value`, the number the page showed; a bare POST, a
    double click that lost the field or a stale page shows this again and changes nothing."""

    title: str
    lines: list[str]
    value: str
    action: str
    back: str
    button: str
    changed: bool = False


def confirmed(request, value: str) -> bool:
    """True for a POST that carries the confirmation field with the number now shown."""
    return request.method == "POST" and bool(value) and request.POST.get("confirm") == value


def confirmation_page(request, program: Program, confirmation: Confirmation):
    # A POST that carried a different number was confirmed on a page now out of date.
    changed = request.method == "POST" and "confirm" in request.POST
    return render(
        request,
        "exchange/confirm_action.html",
        {"program": program, "confirm": replace(confirmation, changed=changed)},
    )
