"""Retention: uploaded documents are deleted DOCUMENT_RETENTION_DAYS after their program's
last day, by a daily beat job that is safe to run twice."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from exchange.models import Application, ApplicationDocument, AuditEntry, RequiredDocument
from exchange.tasks import expire_documents
from tests import factories
from tests.exchange.helpers import make_document
from tests.helpers import run_with_env


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def program_ended(days_ago: int, city_a, city_b, carol):
    today = timezone.localdate()
    program = factories.ProgramFactory(
        cities={city_a: 3, city_b: 3},
        created_by=carol,
        status="completed",
        applications_open=timezone.now() - timedelta(days=days_ago + 60),
        applications_close=timezone.now() - timedelta(days=days_ago + 30),
        starts_on=today - timedelta(days=days_ago + 10),
        ends_on=today - timedelta(days=days_ago),
    )
    requirement = RequiredDocument.objects.create(program=program, kind="passport")
    application = factories.ApplicationFactory(
        program=program, student=factories.StudentFactory(home_city=city_a), state="completed"
    )
    return make_document(application, requirement)


def stored(document) -> Path:
    return Path(django_settings.MEDIA_ROOT) / document.file.name


def test_expire_documents_deletes_past_retention_keeps_the_rest_and_is_safe_twice(
    city_a, city_b, carol, django_capture_on_commit_callbacks
):
    old = program_ended(181, city_a, city_b, carol)
    edge = program_ended(180, city_a, city_b, carol)
    recent = program_ended(10, city_a, city_b, carol)

    with django_capture_on_commit_callbacks(execute=True):
        first = expire_documents()
    with django_capture_on_commit_callbacks(execute=True):
        second = expire_documents()

    assert (first, second) == (1, 0)
    assert sorted(ApplicationDocument.objects.values_list("pk", flat=True)) == sorted(
        [edge.pk, recent.pk]
    )
    assert (stored(old).exists(), stored(edge).exists(), stored(recent).exists()) == (
        False,
        True,
        True,
    )
    entry = AuditEntry.objects.get(action="documents-expire")
    assert (entry.program_id, entry.city_id, entry.actor, entry.detail) == (
        old.application.program_id,
        city_a.pk,
        None,
        "1 documents, 180 days after the end",
    )
    # The application itself stays: only the file it held is gone.
    assert Application.objects.filter(pk=old.application_id).exists()


def test_expire_documents_follows_the_setting(city_a, city_b, carol, settings):
    settings.DOCUMENT_RETENTION_DAYS = 5
    program_ended(6, city_a, city_b, carol)
    program_ended(5, city_a, city_b, carol)

    assert expire_documents() == 1
    assert ApplicationDocument.objects.count() == 1


def test_expire_documents_is_in_the_daily_beat_schedule():
    assert django_settings.CELERY_BEAT_SCHEDULE["expire-documents"] == {
        "task": "exchange.tasks.expire_documents",
        "schedule": 86400,
    }


PRINT = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps([settings.DOCUMENT_RETENTION_DAYS, settings.DELETION_REQUEST_DUE_DAYS]))
"""


def test_retention_settings_default_and_come_from_the_environment():
    default = run_with_env({}, "-c", PRINT)
    chosen = run_with_env(
        {"DOCUMENT_RETENTION_DAYS": "30", "DELETION_REQUEST_DUE_DAYS": "31"}, "-c", PRINT
    )

    assert (default.returncode, chosen.returncode) == (0, 0), default.stderr + chosen.stderr
    assert json.loads(default.stdout) == [180, 10]
    assert json.loads(chosen.stdout) == [30, 31]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DOCUMENT_RETENTION_DAYS", "-1", "DOCUMENT_RETENTION_DAYS must be 0 or more, got -1"),
        ("DELETION_REQUEST_DUE_DAYS", "0", "DELETION_REQUEST_DUE_DAYS must be 1 or more, got 0"),
    ],
)
def test_retention_settings_out_of_range_refuse_to_start(name, value, message):
    result = run_with_env({name: value}, "-c", PRINT)

    assert result.returncode == 1
    assert message in result.stderr
