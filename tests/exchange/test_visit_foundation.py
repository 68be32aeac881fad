"""The duty-of-care foundation: encrypted fields and the placements of a published visit."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from exchange.models import EmergencyInfo, Household
from exchange.selectors.households import guest_household_ids, program_placements
from tests.exchange.visit_helpers import build_visit

pytestmark = pytest.mark.django_db


def test_household_address_is_stored_encrypted_and_read_back(city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1)
    household = visit.households[visit.a[0].pk]
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM exchange_household WHERE id = %s", [household.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("gAAAAA")
    assert "Example-ro" not in stored
    assert Household.objects.get(pk=household.pk).address == household.address


def test_emergency_information_is_stored_encrypted(city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1)
    info = EmergencyInfo.objects.create(
        application=visit.a[0],
        contact_1_name="김영희",
        contact_1_relation="Mother",
        contact_1_phone="+82 10 1234 5678",
        contact_2_name="김철수",
        contact_2_relation="Father",
        contact_2_phone="+82 10 8765 4321",
        allergies="Peanuts",
        insurer="Samsung Fire",
        policy_number="P-123",
        insurance_phone="+82 1588 5114",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contact_1_name, allergies FROM exchange_emergencyinfo WHERE id = %s", [info.pk]
        )
        name, allergies = cursor.fetchone()
    assert "김영희" not in name and "Peanuts" not in allergies
    assert EmergencyInfo.objects.get(pk=info.pk).contact_1_name == "김영희"
    assert EmergencyInfo.objects.get(pk=info.pk).medications == ""


def test_each_visitor_of_a_pair_stays_in_the_other_home(city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=2)
    placements = {(p.visitor_id, p.host_id) for p in program_placements(program=visit.program)}
    assert placements == {
        (visit.a[0].pk, visit.b[0].pk),
        (visit.b[0].pk, visit.a[0].pk),
        (visit.a[1].pk, visit.b[1].pk),
        (visit.b[1].pk, visit.a[1].pk),
    }
    guest = visit.b[0].student
    assert guest_household_ids(student=guest) == {visit.households[visit.a[0].pk].pk}


def test_an_unpublished_matching_places_nobody(city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1, publish=False)
    assert program_placements(program=visit.program) == []
    assert guest_household_ids(student=visit.b[0].student) == frozenset()


def test_reencrypt_fields_moves_every_row_to_the_first_key_so_the_old_one_can_go(
    city_a, city_b, settings
):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    visit = build_visit(city_a, city_b, pairs=1)
    household = visit.households[visit.a[0].pk]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    out = StringIO()

    call_command("reencrypt_fields", stdout=out)

    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert Household.objects.get(pk=household.pk).address == household.address
    assert "exchange.Household: 2\n" in out.getvalue()
    assert out.getvalue().endswith("Re-encrypted 2 rows.\n")
