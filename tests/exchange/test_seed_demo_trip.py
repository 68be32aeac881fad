"""`seed_demo`'s ceramics visit as a trip (issue 15): approved households but one waiting for
its home visit, whose student the matching leaves out saying why; both legs with their
itineraries; a trip sheet that renders, read back with pdftotext."""

import pytest
from django.core.management import call_command

from accounts.models import User
from demo import demo_data
from exchange.models import Household, MatchLeftover, Program, TripConsent, VisitLeg
from exchange.selectors.matching import describe_reason
from exchange.services.sheets import trip_sheet_single
from tests.helpers import pdftotext

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    return Program.objects.get(title=demo_data.CHAT_PROGRAM)


def test_demo_visit_has_screened_households_and_one_waiting_left_out_with_its_reason(demo):
    statuses = sorted(
        Household.objects.filter(student__applications__program=demo).values_list(
            "status", flat=True
        )
    )
    assert statuses == ["approved"] * 13 + ["submitted"]
    waiting = User.objects.get(email=demo_data.PENDING_HOUSEHOLD)
    leftover = MatchLeftover.objects.get(matching__program=demo, application__student=waiting)
    first = describe_reason(
        leftover.reasons[0],
        names={},
        cities={str(c.pk): c.name_en for c in demo.cities.all()},
    )
    assert first == "Can’t host: the family’s home is waiting for screening by Zibo."


def test_demo_visit_has_both_legs_with_itineraries_and_signed_consents(demo):
    legs = VisitLeg.objects.filter(program=demo).order_by("departs_on")
    assert [(leg.host_city.slug, leg.items.count()) for leg in legs] == [
        ("gwangju-gyeonggi", len(demo_data.ITINERARY["gwangju-gyeonggi"])),
        ("zibo", len(demo_data.ITINERARY["zibo"])),
    ]
    consents = TripConsent.objects.filter(application__program=demo, is_current=True)
    assert sorted(c.status for c in consents) == ["requested"] + ["signed"] * 11


def test_demo_trip_sheet_renders_in_both_scripts(demo):
    leg = VisitLeg.objects.get(program=demo, host_city__slug="gwangju-gyeonggi")
    coordinator = User.objects.get(email="coord.gwangju@demo.example")
    siqi = demo.applications.get(student__email="li.siqi@demo.example")

    text = pdftotext(trip_sheet_single(leg=leg, application=siqi, by=coordinator))

    assert "李思琪" in text and "LiSiqi" in text
    assert "GonjiamCeramicPark" in text
    assert "119" in text and "120" in text
