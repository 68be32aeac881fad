"""Trip sheets as PDF: what a page holds, read back with pdftotext in every script, and the
batch that joins a leg's sheets (rendered by its task, eagerly here)."""

import io
from datetime import time, timedelta

import pypdf
import pytest
from django.utils import timezone

from core.emergency_numbers import emergency_numbers
from exchange.models import Application, EmergencyInfo, ItineraryItem, TripSheetBatch
from exchange.services import sheets as services
from tests import factories
from tests.exchange.visit_helpers import build_visit, on_day
from tests.helpers import pdftotext

pytestmark = pytest.mark.django_db


def squeeze(text: str) -> str:
    return "".join(text.split())


def give_info(application, **changes) -> EmergencyInfo:
    values = {
        "contact_1_name": "Kim Mother",
        "contact_1_relation": "mother",
        "contact_1_phone": "+82 10 1111 2222",
        "contact_2_name": "Kim Father",
        "contact_2_relation": "father",
        "contact_2_phone": "+82 10 3333 4444",
        "allergies": "Peanuts",
        "medications": "Inhaler",
        "medical_conditions": "Asthma",
        "dietary_needs": "No pork",
        "insurer": "Hanwha Travel",
        "policy_number": "HW-2026-001",
        "insurance_phone": "+82 2 1588 0000",
    }
    values.update(changes)
    return EmergencyInfo.objects.create(application=application, **values)


@pytest.fixture
def visit(city_a, city_b):
    """A visit inside the emergency window: the leg to A departs in 3 days."""
    visit = build_visit(city_a, city_b, pairs=2, starts_in_days=3)
    for application in visit.b:
        give_info(application)
    leg = visit.leg_to_a
    ItineraryItem.objects.create(
        leg=leg,
        day=on_day(visit, leg, 1),
        starts_at=time(9),
        ends_at=time(12),
        place="Gwangju Ceramics Museum",
        activity="Pottery workshop",
        responsible_adult="Ms Park",
        meeting_point="City hall gate",
        transport="Bus 500",
    )
    return visit


def rename(application, native: str, latin: str) -> None:
    student = application.student
    student.native_name, student.latin_name = native, latin
    student.save(update_fields=["native_name", "latin_name"])


def test_trip_sheet_pdf_has_names_in_every_script(visit, city_b):
    first, second = visit.b
    rename(first, "王晓雨", "Wang Xiaoyu")
    rename(second, "田中さくら", "Tanaka Sakura")
    korean_host = visit.households[visit.a[0].pk]
    korean_host.family_name = "김씨 가족"
    korean_host.save(update_fields=["family_name"])
    give_info(visit.a[0], contact_1_name="Nguyễn Thị Lan")
    leg = visit.leg_to_a
    out = io.BytesIO()

    pages = services.trip_sheets_write(
        leg=leg, travellers=services.selectors.leg_travellers(leg=leg), language="en", out=out
    )
    text = pdftotext(out.getvalue())
    single = pdftotext(
        services.trip_sheet_pdf(leg=visit.leg_to_b, application=visit.a[0], language="vi")
    )

    assert pages == 3
    assert ("王晓雨" in text, "WangXiaoyu" in text) == (True, True)
    assert ("田中さくら" in text, "TanakaSakura" in text) == (True, True)
    assert "김씨가족" in text
    assert "NguyễnThịLan" in single
    assert squeeze(visit.a[0].student.native_name) in single


def test_trip_sheet_pdf_holds_identification_household_health_and_insurance(visit):
    traveller = visit.b[0]
    household = visit.households[visit.a[0].pk]  # b[0] is a[0]'s buddy
    data = services.trip_sheet_pdf(leg=visit.leg_to_a, application=traveller, language="en")
    text = pdftotext(data)

    assert [
        fragment in text
        for fragment in (
            squeeze(traveller.student.latin_name),
            "Age15",
            squeeze(household.family_name),
            squeeze(household.address),
            squeeze(household.phone),
            "KimMother(mother)·+821011112222",
            "KimFather(father)·+821033334444",
            "AllergiesPeanuts",
            "MedicationsInhaler",
            "MedicalconditionsAsthma",
            "DietaryneedsNopork",
            "InsurerHanwhaTravel",
            "PolicynumberHW-2026-001",
            "Emergencyline+82215880000",
            "Potteryworkshop",
            "09:00–12:00",
            "Callthegroupleaderfirst,then119.",
        )
    ] == [True] * 17


def test_trip_sheet_pdf_prints_emergency_numbers_of_both_countries(visit):
    text = pdftotext(
        services.trip_sheet_pdf(leg=visit.leg_to_a, application=visit.b[0], language="en")
    )

    assert [f"{n.number}{squeeze(str(n.service))}" in text for n in emergency_numbers("KR")] == [
        True,
        True,
    ]
    assert "110Police" in text and "120Ambulance" in text and "119Fire" in text
    assert text.index("SouthKorea") < text.index("China")


def test_emergency_numbers_by_country():
    assert {
        country: [(str(n.service), n.number) for n in emergency_numbers(country)]
        for country in ("KR", "CN", "VN", "JP", "US", "FR")
    } == {
        "KR": [("Police", "112"), ("Fire and ambulance", "119")],
        "CN": [("Police", "110"), ("Ambulance", "120"), ("Fire", "119")],
        "VN": [("Police", "113"), ("Fire", "114"), ("Ambulance", "115")],
        "JP": [("Police", "110"), ("Fire and ambulance", "119")],
        "US": [("Police, fire and ambulance", "911")],
        "FR": [],
    }


def test_trip_sheet_pdf_says_when_information_is_missing(visit):
    EmergencyInfo.objects.filter(application=visit.b[0]).delete()
    traveller = Application.objects.get(pk=visit.b[0].pk)
    text = pdftotext(
        services.trip_sheet_pdf(leg=visit.leg_to_a, application=traveller, language="en")
    )

    assert "Thistravellerhasnotgiventheiremergencyinformationyet." in text


def test_trip_sheet_pdf_in_the_language_asked(visit):
    """Dates are in the asker's language (the labels follow once the catalogues have them)."""
    today = timezone.localdate()
    text = pdftotext(
        services.trip_sheet_pdf(leg=visit.leg_to_a, application=visit.b[0], language="ko")
    )

    assert f"{today.year}년{today.month}월{today.day}일" in text


def test_trip_sheet_batch_renders_one_pdf_for_the_leg(
    visit, carol, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.trip_sheet_batch_request(leg=visit.leg_to_a, by=carol)
    batch.refresh_from_db()
    with batch.file.open("rb") as file:
        reader = pypdf.PdfReader(io.BytesIO(file.read()))

    assert (batch.state, batch.pages, batch.error) == (TripSheetBatch.State.READY, 2, "")
    assert len(reader.pages) == 3
    assert reader.metadata.title == f"{visit.program.title} → {visit.leg_to_a.host_city.name_en}"


def test_trip_sheet_batch_fails_when_the_window_closed_before_it_rendered(visit, carol):
    batch = services.trip_sheet_batch_request(leg=visit.leg_to_a, by=carol)
    leg = visit.leg_to_a
    leg.departs_on = timezone.localdate() - timedelta(days=9)
    leg.returns_on = timezone.localdate() - timedelta(days=1)
    leg.save(update_fields=["departs_on", "returns_on"])

    finished = services.trip_sheet_batch_render(batch=batch)

    assert (finished.state, finished.file.name, finished.error) == (
        TripSheetBatch.State.FAILED,
        "",
        services.BATCH_WINDOW_CLOSED,
    )


def test_trip_sheet_batch_render_twice_renders_once(visit, carol):
    batch = services.trip_sheet_batch_request(leg=visit.leg_to_a, by=carol)

    first = services.trip_sheet_batch_render(batch=batch)
    second = services.trip_sheet_batch_render(batch=batch)

    assert (first.state, second) == (TripSheetBatch.State.READY, None)


def test_trip_sheet_batch_deleted_while_rendering_leaves_no_file(visit, carol):
    batch = services.trip_sheet_batch_request(leg=visit.leg_to_a, by=carol)
    claimed = services._batch_claim(batch.pk)
    services.trip_sheet_batch_delete(batch=claimed, by=carol)

    finished = services._batch_finish(
        batch_id=batch.pk, name="trip-sheets/2026/gone.pdf", pages=2, error=""
    )

    assert (finished, TripSheetBatch.objects.filter(pk=batch.pk).exists()) == (None, False)


def test_trip_sheet_travellers_skip_hosts_and_erased(visit, city_b):
    erased = visit.b[1].student
    erased.erased_at = timezone.now()
    erased.save(update_fields=["erased_at"])
    factories.ApplicationFactory(
        program=visit.program, student=factories.StudentFactory(home_city=city_b), state="declined"
    )

    travellers = services.selectors.leg_travellers(leg=visit.leg_to_a)

    assert [a.pk for a in travellers] == [visit.b[0].pk]
