"""Trip sheets: the coordinators' page per visit (each leg's travellers, the window, the
batches), asking for a leg's batch, downloading it or one traveller's sheet, deleting."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from core.forms import errors_to_messages
from exchange.models import Application, TripSheetBatch, VisitLeg
from exchange.selectors import sheets as selectors
from exchange.selectors.trips import emergency_window
from exchange.services import sheets as services
from exchange.views.common import program_of_request

# The id of the batch list on the trip sheets page, which htmx refreshes.
BATCHES_ID = "trip-sheet-batches"


def _legs(program) -> list[dict]:
    legs = selectors.program_legs(program=program)
    batches: dict[int, list[TripSheetBatch]] = {leg.pk: [] for leg in legs}
    for batch in selectors.leg_sheet_batches(legs=legs):
        batches[batch.leg_id].append(batch)
    blocks = []
    for leg in legs:
        leg.program = program  # the rules and the window read it: no query again
        opens, closes = emergency_window(leg)
        blocks.append(
            {
                "leg": leg,
                "opens": opens,
                "closes": closes,
                "refusal": services.window_refusal(leg=leg),
                "batches": batches[leg.pk],
            }
        )
    return blocks


def _batches_context(program) -> dict:
    blocks = _legs(program)
    return {
        "program": program,
        "legs": blocks,
        "batches_any": any(block["batches"] for block in blocks),
        "batches_pending": any(b.is_pending for block in blocks for b in block["batches"]),
    }


@login_required
@permission_required("exchange.manage_trip", fn=program_of_request, raise_exception=True)
def trip_sheets(request, pk: int):
    program = program_of_request(request, pk)
    context = _batches_context(program)
    if request.htmx and request.htmx.target == BATCHES_ID:
        # The batch list asks again every 2 s while one of them is being prepared.
        return render(request, "exchange/sheets/trip_sheets.html#batches", context)
    for block in context["legs"]:
        block["travellers"] = selectors.leg_traveller_rows(leg=block["leg"])
    return render(request, "exchange/sheets/trip_sheets.html", context)


def _leg(request, pk: int, **_other) -> VisitLeg | None:
    cache = request.__dict__.setdefault("_legs", {})
    if pk not in cache:
        cache[pk] = selectors.leg_with_program(pk=pk)
    return cache[pk]


def _leg_program(request, pk: int, **other):
    leg = _leg(request, pk)
    return leg.program if leg else None


def _page(program_id: int):
    return redirect(reverse("exchange:trip_sheets", args=[program_id]) + f"#{BATCHES_ID}")


def _refuse(request, error: ValidationError, program_id: int):
    if any(getattr(e, "code", None) == "forbidden" for e in error.error_list):
        raise PermissionDenied
    errors_to_messages(request, error)
    return _page(program_id)


@require_POST
@login_required
@permission_required("exchange.manage_trip", fn=_leg_program, raise_exception=True)
def trip_sheet_batch_request(request, pk: int):
    """Ask for a leg's sheets; a task renders them and the page offers the file when ready."""
    leg = _leg(request, pk)
    try:
        services.trip_sheet_batch_request(leg=leg, by=request.user)
    except ValidationError as error:
        return _refuse(request, error, leg.program_id)
    messages.success(
        request, _("The trip sheets are being prepared. The file appears below when ready.")
    )
    return _page(leg.program_id)


@login_required
@permission_required("exchange.manage_trip", fn=_leg_program, raise_exception=True)
def trip_sheet_download(request, pk: int, application: int):
    """One traveller's sheet, rendered now (a page or two: under a second)."""
    leg = _leg(request, pk)
    traveller = (
        Application.objects.select_related("student", "city", "program")
        .filter(pk=application, program_id=leg.program_id)
        .exclude(city_id=leg.host_city_id)
        .first()
    )
    if traveller is None:
        raise Http404
    try:
        pdf = services.trip_sheet_single(leg=leg, application=traveller, by=request.user)
    except ValidationError as error:
        return _refuse(request, error, leg.program_id)
    name = slugify(traveller.student.latin_name)[:40] or "traveller"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="trip-sheet-{leg.pk}-{name}.pdf"'
    return response


def _batch(request, pk: int) -> TripSheetBatch | None:
    cache = request.__dict__.setdefault("_trip_sheet_batches", {})
    if pk not in cache:
        cache[pk] = selectors.sheet_batch_with_leg(pk=pk)
    return cache[pk]


def _batch_program(request, pk: int):
    batch = _batch(request, pk)
    return batch.leg.program if batch else None


@login_required
@permission_required("exchange.manage_trip", fn=_batch_program, raise_exception=True)
def trip_sheet_batch_download(request, pk: int):
    batch = _batch(request, pk)
    if batch.state != TripSheetBatch.State.READY or not batch.file:
        raise Http404
    try:
        services.trip_sheet_batch_record_download(batch=batch, by=request.user)
    except ValidationError as error:
        return _refuse(request, error, batch.leg.program_id)
    try:
        file = batch.file.storage.open(batch.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    leg = batch.leg
    name = f"trip-sheets-{leg.program_id}-{slugify(leg.host_city.name_en)[:30]}-{batch.pk}.pdf"
    return FileResponse(file, as_attachment=True, filename=name, content_type="application/pdf")


@require_POST
@login_required
@permission_required("exchange.manage_trip", fn=_batch_program, raise_exception=True)
def trip_sheet_batch_delete(request, pk: int):
    batch = _batch(request, pk)
    program_id = batch.leg.program_id
    try:
        services.trip_sheet_batch_delete(batch=batch, by=request.user)
    except ValidationError as error:
        return _refuse(request, error, program_id)
    messages.success(request, _("The file is deleted."))
    return _page(program_id)
