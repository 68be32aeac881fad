"""The exchange's part of a person's data rights: erasing what it holds about a student,
and deleting uploaded documents once their retention period is over.

Erasure keeps every number: the application rows stay (with their program, city, state
and dates), so counts per program and city, the places held, matching groups and
attendance stay as they were. What goes is what the student wrote or uploaded, and any log
text that names them. Files are deleted from storage only after the transaction commits:
a rollback never leaves a row pointing at a file that is gone.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q

from accounts.models import User
from exchange.audit import audit
from exchange.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationLanguage,
    AuditEntry,
    Certificate,
    CertificateBatch,
    Household,
    HouseholdMember,
    ReviewComment,
)


def files_delete_after_commit(names: Iterable[str]) -> None:
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def text_mentions(field: str, identifiers: Iterable[str]) -> Q:
    """Rows whose `field` contains any of the identifiers (case-insensitive); none for none."""
    conditions = [Q(**{f"{field}__icontains": value}) for value in identifiers]
    return reduce(or_, conditions) if conditions else Q(pk__in=[])


@transaction.atomic
def applications_erase(*, student: User, identifiers: Iterable[str]) -> int:
    """Blank the student's answers, delete their documents and certificate PDFs (and the
    print batches holding them), and blank every log text about them. The certificates
    themselves stay valid, so a printed one can still be checked. Returns how many
    applications were erased."""
    identifiers = list(identifiers)
    applications = Application.objects.select_for_update().filter(student=student)
    ids = list(applications.values_list("pk", flat=True))
    documents = ApplicationDocument.objects.filter(application_id__in=ids)
    files = list(documents.values_list("file", flat=True))
    documents.delete()

    certificates = Certificate.objects.filter(application_id__in=ids)
    files += certificates.exclude(pdf="").values_list("pdf", flat=True)
    certificates.update(pdf="", revoke_reason="")
    # A print batch is one file with every certificate of its cities: it goes whole (the
    # coordinators ask for it again; the new one is built without the erased record).
    batches = CertificateBatch.objects.filter(
        program__applications__in=ids, cities__applications__in=ids
    ).distinct()
    files += [name for name in batches.values_list("file", flat=True) if name]
    CertificateBatch.objects.filter(pk__in=batches.values("pk")).delete()

    applications.update(
        motivation="",
        availability="",
        gender="",
        can_host=None,
        other_children=None,
        household_pets=None,
        household_smokers=None,
        own_room=None,
        diets_offered=[],
        pet_allergy=False,
        dietary_needs=[],
        dietary_notes="",
        medical_needs="",
        passport="",
    )
    for application in Application.objects.filter(pk__in=ids):
        application.interests.clear()
        application.practise_languages.clear()
    ApplicationLanguage.objects.filter(application_id__in=ids).delete()
    ApplicationEvent.objects.filter(
        Q(application_id__in=ids) | text_mentions("reason", identifiers)
    ).update(reason="")
    ReviewComment.objects.filter(
        Q(application_id__in=ids) | text_mentions("body", identifiers)
    ).update(body="")
    AuditEntry.objects.filter(
        Q(application_id__in=ids) | Q(subject=student) | text_mentions("detail", identifiers)
    ).update(detail="")
    # The family's home (issue 15) is the student's data too: its members, screenings and
    # any kept copy of a background check go with it.
    households = Household.objects.filter(student=student)
    files += [
        name
        for name in HouseholdMember.objects.filter(household__in=households)
        .exclude(background_check_document="")
        .values_list("background_check_document", flat=True)
        if name
    ]
    households.delete()
    files_delete_after_commit(files)
    return len(ids)


def documents_expire(*, today: date) -> int:
    """Delete the documents of programs that ended more than DOCUMENT_RETENTION_DAYS
    before `today`, files and rows, and audit how many went for each program and city.
    Returns how many were deleted; a second run the same day finds none."""
    cutoff = today - timedelta(days=settings.DOCUMENT_RETENTION_DAYS)
    with transaction.atomic():
        documents = list(
            ApplicationDocument.objects.select_for_update()
            .filter(application__program__ends_on__lt=cutoff)
            .values_list("pk", "file", "application__program_id", "application__city_id")
        )
        if not documents:
            return 0
        ApplicationDocument.objects.filter(pk__in=[row[0] for row in documents]).delete()
        counts: dict[tuple[int, int], int] = {}
        for _pk, _file, program_id, city_id in documents:
            counts[(program_id, city_id)] = counts.get((program_id, city_id), 0) + 1
        for (program_id, city_id), count in sorted(counts.items()):
            audit(
                action=AuditEntry.Action.DOCUMENTS_EXPIRE,
                by=None,
                program_id=program_id,
                city_ids=[city_id],
                detail=f"{count} documents, {settings.DOCUMENT_RETENTION_DAYS} days after the end",
            )
        files_delete_after_commit(row[1] for row in documents)
    return len(documents)
