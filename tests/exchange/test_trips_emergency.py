"""Emergency and medical information (issue 15, part 3): the daily job deletes it
EMERGENCY_INFO_RETENTION_DAYS after the visit's last leg returns, audited per program."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection

from exchange.models import AuditEntry, EmergencyInfo
from exchange.services.trips import emergency_info_expire, emergency_info_save
from exchange.tasks import expire_emergency_info
from tests.exchange.visit_helpers import build_visit

pytestmark = pytest.mark.django_db

DATA = {
    "contact_1_name": "김영희",
    "contact_1_relation": "Mother",
    "contact_1_phone": "+82 10 1234 5678",
    "contact_2_name": "张伟",
    "contact_2_relation": "Uncle",
    "contact_2_phone": "+86 533 000 0000",
    "medical_conditions": "Asthma",
    "allergies": "Peanuts",
    "medications": "Inhaler",
    "dietary_needs": "No pork",
    "insurer": "Samsung Fire",
    "policy_number": "P-123",
    "insurance_phone": "+82 1588 5114",
}


def _given(visit):
    for application in [*visit.a, *visit.b]:
        emergency_info_save(application=application, by=application.student, data=DATA)


def test_emergency_info_save_by_the_traveller_is_stored_encrypted(city_a, city_b):
    visit = build_visit(city_a, city_b, pairs=1)
    info = emergency_info_save(application=visit.a[0], by=visit.a[0].student, data=DATA)
    with connection.cursor() as cursor:
        cursor.execute("SELECT allergies FROM exchange_emergencyinfo WHERE id = %s", [info.pk])
        assert "Peanuts" not in cursor.fetchone()[0]
    assert EmergencyInfo.objects.get(pk=info.pk).medications == "Inhaler"


def test_emergency_info_save_by_a_coordinator_is_refused(city_a, city_b, carol):
    from django.core.exceptions import ValidationError

    visit = build_visit(city_a, city_b, pairs=1)
    with pytest.raises(ValidationError):
        emergency_info_save(application=visit.a[0], by=carol, data=DATA)
    assert EmergencyInfo.objects.count() == 0


@pytest.mark.parametrize(("days_after_return", "deleted"), [(-1, 0), (0, 4), (1, 4)])
def test_emergency_info_expire_at_the_retention_edge(city_a, city_b, days_after_return, deleted):
    visit = build_visit(city_a, city_b, pairs=2)
    _given(visit)
    last_return = visit.leg_to_b.returns_on
    today = last_return + timedelta(days=settings.EMERGENCY_INFO_RETENTION_DAYS + days_after_return)
    assert emergency_info_expire(today=today) == deleted
    assert EmergencyInfo.objects.count() == 4 - deleted
    rows = AuditEntry.objects.filter(action="emergency-expire")
    if deleted:
        assert sorted(rows.values_list("city_id", "program_id", "detail")) == sorted(
            [
                (city.pk, visit.program.pk, "4 deleted 30 days after the visit")
                for city in (city_a, city_b)
            ]
        )
    else:
        assert rows.count() == 0


def test_expire_emergency_info_task_deletes_past_visits_only(city_a, city_b):
    past = build_visit(city_a, city_b, pairs=1, starts_in_days=-60)
    coming = build_visit(city_a, city_b, pairs=1)
    _given(past)
    _given(coming)
    assert expire_emergency_info() == 2
    assert sorted(EmergencyInfo.objects.values_list("application_id", flat=True)) == sorted(
        a.pk for a in [*coming.a, *coming.b]
    )
    assert expire_emergency_info() == 0
    assert AuditEntry.objects.filter(action="emergency-expire").count() == 2


def test_expire_emergency_info_is_scheduled_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["expire-emergency-info"]
    assert entry == {"task": "exchange.tasks.expire_emergency_info", "schedule": 86400}
