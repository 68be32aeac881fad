"""Reading what a trip sheet prints: a leg's travellers with their host household and
emergency information, the leg's itinerary day by day, and the leg's sheet batches."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from core.emergency_numbers import EmergencyNumber, emergency_numbers
from core.models import City
from exchange.models import (
    PARTICIPATING,
    Application,
    EmergencyInfo,
    Household,
    ItineraryItem,
    Program,
    ProgramCity,
    TripSheetBatch,
    VisitLeg,
)
from exchange.selectors.households import program_placements


def leg_with_program(*, pk: int) -> VisitLeg | None:
    """A leg with its program, the program's cities and the host city: what the rules and
    the pages ask for, loaded once."""
    return (
        VisitLeg.objects.select_related("program", "host_city")
        .prefetch_related(
            Prefetch("program__program_cities", ProgramCity.objects.select_related("city"))
        )
        .filter(pk=pk)
        .first()
    )


def program_legs(*, program: Program) -> list[VisitLeg]:
    return list(VisitLeg.objects.filter(program=program).select_related("host_city"))


def leg_travellers(*, leg: VisitLeg) -> list[Application]:
    """The participants travelling on the leg (those whose city is not its host city), with
    their student, city and emergency information; erased people are never printed."""
    return list(
        Application.objects.filter(program_id=leg.program_id, state__in=PARTICIPATING)
        .exclude(city_id=leg.host_city_id)
        .filter(student__erased_at__isnull=True)
        .select_related("student", "city", "emergency_info")
        .order_by("city__name_en", "student__latin_name", "id")
    )


def emergency_info_of(application: Application) -> EmergencyInfo | None:
    try:
        return application.emergency_info
    except EmergencyInfo.DoesNotExist:
        return None


def leg_households(*, leg: VisitLeg) -> dict[int, Household]:
    """The household each traveller of the leg stays in (by application pk), from the
    published matching."""
    households: dict[int, Household] = {}
    for placement in program_placements(program=leg.program):
        if placement.host_city_id == leg.host_city_id and placement.household is not None:
            households.setdefault(placement.visitor_id, placement.household)
    return households


@dataclass
class ItineraryDay:
    day: date
    number: int  # 0 = departure day
    items: list[ItineraryItem] = field(default_factory=list)


def leg_itinerary(*, leg: VisitLeg) -> list[ItineraryDay]:
    """Every day of the leg, each with its items in order (a day may have none)."""
    days = {day: ItineraryDay(day=day, number=number) for number, day in enumerate(leg.days())}
    for item in ItineraryItem.objects.filter(leg=leg).order_by("day", "starts_at", "id"):
        if item.day in days:
            days[item.day].items.append(item)
    return list(days.values())


@dataclass(frozen=True)
class CountryNumbers:
    country: str
    label: str
    numbers: tuple[EmergencyNumber, ...]


def leg_emergency_numbers(*, leg: VisitLeg, cities: list[City]) -> list[CountryNumbers]:
    """The emergency numbers of every country on the leg: the host city's first, then the
    travellers' home countries, each country once."""
    by_country: dict[str, City] = {}
    for city in [leg.host_city, *cities]:
        by_country.setdefault(city.country, city)
    return [
        CountryNumbers(
            country=country, label=city.get_country_display(), numbers=emergency_numbers(country)
        )
        for country, city in by_country.items()
    ]


def leg_traveller_rows(*, leg: VisitLeg) -> list[Application]:
    """The leg's travellers for the coordinators' pages: whether each gave their emergency
    information (never the information itself, which is not decrypted here)."""
    return list(
        Application.objects.filter(program_id=leg.program_id, state__in=PARTICIPATING)
        .exclude(city_id=leg.host_city_id)
        .filter(student__erased_at__isnull=True)
        .select_related("student", "city")
        .annotate(
            has_emergency_info=Exists(EmergencyInfo.objects.filter(application_id=OuterRef("pk")))
        )
        .order_by("city__name_en", "student__latin_name", "id")
    )


def leg_sheet_batches(*, legs: list[VisitLeg]) -> QuerySet[TripSheetBatch]:
    return TripSheetBatch.objects.filter(leg__in=legs).select_related("requested_by")


def sheet_batch_with_leg(*, pk: int) -> TripSheetBatch | None:
    return (
        TripSheetBatch.objects.select_related("leg__program", "leg__host_city")
        .prefetch_related(
            Prefetch("leg__program__program_cities", ProgramCity.objects.select_related("city"))
        )
        .filter(pk=pk)
        .first()
    )
