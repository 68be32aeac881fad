"""Reads for certificates: the coordinators' list and batches, a student's own certificate."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Prefetch

from core.models import City
from exchange.models import Application, Certificate, CertificateBatch, Program
from exchange.selectors.sessions import AttendanceProgress, attendance_progress

State = Application.State


def program_certificate_rows(*, program: Program, city_ids: Iterable[int]) -> list[Application]:
    """The cities' completed applicants, each with `certificate_list` (newest first).

    Three queries whatever the number of applicants.
    """
    return list(
        Application.objects.filter(
            program=program, city_id__in=list(city_ids), state=State.COMPLETED
        )
        .select_related("student", "city")
        .prefetch_related(
            Prefetch(
                "certificates",
                queryset=Certificate.objects.select_related("replaced_by").order_by(
                    "-issued_at", "-id"
                ),
                to_attr="certificate_list",
            )
        )
        .order_by("city__name_en", "student__latin_name", "id")
    )


# The certificates page lists this many of the newest batches.
RECENT_BATCHES = 10


def certificate_batches_visible(
    *, program: Program, city_ids: Iterable[int], limit: int = RECENT_BATCHES
) -> list[CertificateBatch]:
    """The program's newest batches whose cities are all among `city_ids` (the coordinator's),
    as the `exchange.download_certificate_batch` rule has it, with their cities and who
    asked. Two queries whatever their number."""
    return list(
        CertificateBatch.objects.filter(program=program)
        .exclude(cities__in=City.objects.exclude(pk__in=list(city_ids)))
        .select_related("requested_by")
        .prefetch_related("cities")
        .order_by("-created_at", "-id")[:limit]
    )


def certificate_batch_with_program(*, pk: int) -> CertificateBatch | None:
    return (
        CertificateBatch.objects.select_related("program").prefetch_related("cities").filter(pk=pk)
    ).first()


def certificate_with_application(*, pk: int) -> Certificate | None:
    return (
        Certificate.objects.select_related("application__program", "application__student")
        .filter(pk=pk)
        .first()
    )


def valid_certificate_for(*, application: Application) -> Certificate | None:
    return application.certificates.filter(revoked_at__isnull=True).first()


def completion_attendance(
    *, program: Program, city_ids: Iterable[int], now: datetime
) -> list[tuple[Application, AttendanceProgress]]:
    """The cities' confirmed participants of an online program, not completed yet, each with
    their attendance against the requirement. Three queries whatever their number."""
    applications = list(
        Application.objects.filter(
            program=program, city_id__in=list(city_ids), state=State.CONFIRMED
        )
        .select_related("student", "city")
        .order_by("city__name_en", "student__latin_name", "id")
    )
    progress = attendance_progress(
        program=program, application_ids=[a.pk for a in applications], now=now
    )
    return [(application, progress[application.pk]) for application in applications]
