"""Trip sheets: what the accompanying adults of one leg carry, printed as PDF (issue 15).

A sheet holds, for each traveller of the leg, a photo-free identification (names in both
scripts, age, city), their host household, emergency contacts, health and insurance; once per
sheet, the leg's itinerary day by day, the emergency numbers of every country on the leg and
the leg's emergency plan. It is emergency information: printed only by coordinators who may
see every traveller's (exchange.view_emergency_info, which holds from
EMERGENCY_INFO_OPENS_DAYS before departure until the leg returns), and every print and
download is audited, TRIP_SHEETS for both cities and EMERGENCY_VIEW for each traveller.

A whole leg prints as a batch with the pattern of certificate batches: asking creates the
row, a Celery task renders it into private storage, the page offers it when ready.
"""

import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.policy import require
from exchange.audit import audit
from exchange.models import (
    Application,
    AuditEntry,
    EmergencyInfo,
    Household,
    TripSheetBatch,
    VisitLeg,
)
from exchange.pdf import join_pdfs, render_pdf
from exchange.selectors import sheets as selectors
from exchange.selectors.trips import emergency_window

logger = logging.getLogger(__name__)

TEMPLATE = "exchange/pdf/trip_sheet.html"
STYLESHEET = "static:css/trip-sheet.css"
# Travellers laid out in one WeasyPrint document before the pages are joined: a chunk keeps
# memory flat (a document's boxes live until it is written) while sharing the fonts among
# its pages. bench/trip_sheet_bench.py measured 1, 10, 25 and 100 (briefs/sheets-decisions).
CHUNK = 25
# A traveller's city language as the `lang` of their native name, so the CJK face the
# stylesheet picks draws it the way their own script does.
NAME_LANGUAGES = {"ko": "ko", "zh": "zh-Hans", "ja": "ja", "vi": "vi", "en": "en"}
SHEET_LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)

# Why a batch failed: stored in English, shown translated.
BATCH_NO_TRAVELLERS = gettext_noop("Nobody travels on this leg any more.")
BATCH_WINDOW_CLOSED = gettext_noop(
    "The travellers’ emergency information is closed: the sheets can’t be printed now."
)
BATCH_TOO_SLOW = gettext_noop("Preparing the file took too long. Ask for it again.")
BATCH_FAILED = gettext_noop(
    "The file could not be prepared. Ask for it again; if it fails again, tell the portal’s "
    "administrators."
)


# --- Who may print, and when ---------------------------------------------------------------


def window_refusal(*, leg: VisitLeg, today: date | None = None) -> str:
    """Why the emergency information of the leg's travellers can't be seen today, or ""."""
    opens, closes = emergency_window(leg)
    today = today or timezone.localdate()
    if today < opens:
        return _(
            "Trip sheets hold the travellers’ emergency information, which opens on %(date)s, "
            "%(days)d days before departure."
        ) % {
            "date": formats.date_format(opens, "DATE_FORMAT"),
            "days": settings.EMERGENCY_INFO_OPENS_DAYS,
        }
    if today > closes:
        return _(
            "This leg returned on %(date)s: its travellers’ emergency information is closed."
        ) % {"date": formats.date_format(closes, "DATE_FORMAT")}
    return ""


def _require_print(*, leg: VisitLeg, travellers: list[Application], by: User) -> None:
    require(
        by,
        "exchange.manage_trip",
        leg.program,
        message=_("Only the coordinators of this visit’s cities print its trip sheets."),
    )
    if not travellers:
        raise ValidationError(_("Nobody travels on this leg yet."), code="no_travellers")
    refusal = window_refusal(leg=leg)
    if refusal:
        raise ValidationError(refusal, code="window_closed")
    for traveller in travellers:
        # The leg's program, with its cities cached by the rules: one object for all of them.
        traveller.program = leg.program
        require(
            by,
            "exchange.view_emergency_info",
            traveller,
            message=_("You may not see the emergency information of everyone on this leg."),
        )


def _audit_print(*, leg: VisitLeg, travellers: list[Application], by: User, what: str) -> None:
    """TRIP_SHEETS in every city concerned with the count, EMERGENCY_VIEW per traveller."""
    city_ids = {leg.host_city_id} | {traveller.city_id for traveller in travellers}
    audit(
        action=AuditEntry.Action.TRIP_SHEETS,
        by=by,
        program_id=leg.program_id,
        city_ids=city_ids,
        detail=f"{what}, leg to {leg.host_city.name_en}, {len(travellers)} travellers",
    )
    for traveller in travellers:
        audit(
            action=AuditEntry.Action.EMERGENCY_VIEW,
            by=by,
            program_id=leg.program_id,
            city_ids=[traveller.city_id, leg.host_city_id],
            application_id=traveller.pk,
            detail=f"Trip sheet ({what})",
        )


# --- Rendering -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetTraveller:
    application: Application
    native: str
    latin: str
    name_lang: str
    age: int | None
    household: Household | None
    info: EmergencyInfo | None


def _sheet_travellers(*, leg: VisitLeg, travellers: list[Application]) -> Iterator[SheetTraveller]:
    households = selectors.leg_households(leg=leg)
    for application in travellers:
        student = application.student
        yield SheetTraveller(
            application=application,
            native=student.native_name or student.latin_name,
            latin=student.latin_name,
            name_lang=NAME_LANGUAGES.get(application.city.main_language_id, "en"),
            age=student.age(leg.departs_on),
            household=households.get(application.pk),
            info=selectors.emergency_info_of(application),
        )


def sheet_language(user: User | None) -> str:
    """A sheet is written in the language of whoever asked for it: they read it."""
    language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
    return language if language in SHEET_LANGUAGES else settings.LANGUAGE_CODE


def _html(
    *,
    leg: VisitLeg,
    travellers: list[SheetTraveller],
    itinerary: bool,
    language: str,
    pages: bool = True,
) -> str:
    """The sheet's HTML: traveller pages (unless `pages` is False), then, with `itinerary`,
    the leg's itinerary, numbers and plan (whose countries come from `travellers`)."""
    cities = list({t.application.city_id: t.application.city for t in travellers}.values())
    context = {
        "leg": leg,
        "program": leg.program,
        "language": language,
        "travellers": travellers if pages else [],
        "itinerary": selectors.leg_itinerary(leg=leg) if itinerary else None,
        "numbers": selectors.leg_emergency_numbers(leg=leg, cities=cities) if itinerary else None,
        "printed_on": timezone.localdate(),
    }
    with translation.override(language):
        return render_to_string(TEMPLATE, context)


def trip_sheet_pdf(*, leg: VisitLeg, application: Application, language: str) -> bytes:
    """One traveller's sheet, with the leg's itinerary and numbers, as one document."""
    travellers = list(_sheet_travellers(leg=leg, travellers=[application]))
    return render_pdf(
        _html(leg=leg, travellers=travellers, itinerary=True, language=language),
        stylesheets=[STYLESHEET],
    )


def trip_sheets_write(
    *, leg: VisitLeg, travellers: list[Application], language: str, out: BinaryIO
) -> int:
    """The leg's sheet to `out`: the itinerary, numbers and plan once, then a page (or more)
    per traveller, rendered CHUNK travellers at a time and joined. Returns its pages."""
    people = list(_sheet_travellers(leg=leg, travellers=travellers))

    def documents() -> Iterator[bytes]:
        yield render_pdf(
            _html(leg=leg, travellers=people, itinerary=True, language=language, pages=False),
            stylesheets=[STYLESHEET],
        )
        for start in range(0, len(people), CHUNK):
            yield render_pdf(
                _html(
                    leg=leg,
                    travellers=people[start : start + CHUNK],
                    itinerary=False,
                    language=language,
                ),
                stylesheets=[STYLESHEET],
            )

    return join_pdfs(documents(), out, title=f"{leg.program.title} → {leg.host_city.name_en}")


# --- A single traveller's sheet ------------------------------------------------------------


@transaction.atomic
def trip_sheet_single(*, leg: VisitLeg, application: Application, by: User) -> bytes:
    """One traveller's sheet for a coordinator who may see their emergency information now;
    the print is audited (TRIP_SHEETS for both cities, EMERGENCY_VIEW for the traveller)."""
    if (
        application.program_id != leg.program_id
        or application.city_id == leg.host_city_id
        or application.student.erased_at is not None
    ):
        raise ValidationError(_("This participant doesn’t travel on this leg."), code="not_on_leg")
    _require_print(leg=leg, travellers=[application], by=by)
    pdf = trip_sheet_pdf(leg=leg, application=application, language=sheet_language(by))
    _audit_print(leg=leg, travellers=[application], by=by, what="Single sheet")
    return pdf


# --- Batches -------------------------------------------------------------------------------


@transaction.atomic
def trip_sheet_batch_request(*, leg: VisitLeg, by: User) -> TripSheetBatch:
    """Ask for the whole leg's sheets as one PDF; a task renders it after commit."""
    # The rows without their emergency information: nothing is decrypted to ask.
    travellers = selectors.leg_traveller_rows(leg=leg)
    _require_print(leg=leg, travellers=travellers, by=by)
    batch = TripSheetBatch.objects.create(leg=leg, requested_by=by)
    _audit_print(leg=leg, travellers=travellers, by=by, what=f"Batch #{batch.pk} asked for")

    from exchange.tasks import render_trip_sheet_batch

    batch_id = batch.pk
    transaction.on_commit(lambda: render_trip_sheet_batch.delay(batch_id))
    return batch


@transaction.atomic
def _batch_claim(batch_id: int) -> TripSheetBatch | None:
    # acks_late redelivers a task whose worker died; the row lock and the state make sure a
    # batch is rendered by one delivery at a time, and a stalled one can be taken over.
    batch = (
        TripSheetBatch.objects.select_for_update(of=("self",))
        .select_related("leg__program", "leg__host_city", "requested_by")
        .filter(pk=batch_id)
        .first()
    )
    if batch is None or not (batch.state == TripSheetBatch.State.QUEUED or batch.is_stalled):
        return None
    batch.state = TripSheetBatch.State.RENDERING
    batch.started_at = timezone.now()
    batch.save(update_fields=["state", "started_at"])
    return batch


@transaction.atomic
def _batch_finish(*, batch_id: int, name: str, pages: int, error: str) -> TripSheetBatch | None:
    batch = TripSheetBatch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None:
        # Deleted while it was rendering: nobody can download this file any more.
        if name:
            default_storage.delete(name)
        return None
    batch.state = TripSheetBatch.State.FAILED if error else TripSheetBatch.State.READY
    batch.file.name = name
    batch.pages = pages
    batch.error = error
    batch.finished_at = timezone.now()
    batch.save(update_fields=["state", "file", "pages", "error", "finished_at"])
    return batch


def trip_sheet_batch_render(*, batch: TripSheetBatch) -> TripSheetBatch | None:
    """Render a queued batch into private storage (the task calls this). It ends `ready`
    with its file and number of travellers, or `failed` with a reason and no file; None
    when there is nothing to do. Runs outside a transaction: the row is locked only to claim
    it and to record the outcome."""
    batch = _batch_claim(batch.pk)
    if batch is None:
        return None
    leg = batch.leg
    storage = batch.file.storage
    name = batch.file.field.generate_filename(batch, f"trip-sheets-{leg.pk}-{batch.pk}.pdf")
    travellers: list[Application] = []
    error = ""
    try:
        travellers = selectors.leg_travellers(leg=leg)
        if not travellers:
            error = BATCH_NO_TRAVELLERS
        elif window_refusal(leg=leg):
            # Asked for inside the window, rendered after it closed: nothing is printed.
            error = BATCH_WINDOW_CLOSED
        else:
            with tempfile.TemporaryFile() as out:
                trip_sheets_write(
                    leg=leg,
                    travellers=travellers,
                    language=sheet_language(batch.requested_by),
                    out=out,
                )
                out.seek(0)
                name = storage.save(name, File(out))
    except SoftTimeLimitExceeded:
        error = BATCH_TOO_SLOW
    except Exception:
        logger.exception("Trip sheet batch %s failed", batch.pk)
        error = BATCH_FAILED
    if error:
        if storage.exists(name):
            storage.delete(name)
        name = ""
    return _batch_finish(
        batch_id=batch.pk, name=name, pages=0 if error else len(travellers), error=error
    )


def trip_sheet_batch_record_download(*, batch: TripSheetBatch, by: User) -> None:
    """Check that `by` may still see every traveller's emergency information (the window may
    have closed since the batch was made) and audit the download."""
    leg = batch.leg
    travellers = selectors.leg_traveller_rows(leg=leg)
    _require_print(leg=leg, travellers=travellers, by=by)
    _audit_print(leg=leg, travellers=travellers, by=by, what=f"Batch #{batch.pk} downloaded")


@transaction.atomic
def trip_sheet_batch_delete(*, batch: TripSheetBatch, by: User) -> None:
    """Delete a batch and, once that is committed, its file. A batch still rendering is
    deleted too: the task then finds it gone and throws its file away."""
    require(
        by,
        "exchange.manage_trip",
        batch.leg.program,
        message=_("Only the coordinators of this visit’s cities delete its trip sheets."),
    )
    name = batch.file.name
    storage = batch.file.storage
    batch.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
