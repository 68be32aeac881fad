"""The one way to write the audit log.

Every state change and every look at sensitive data that must be recorded calls `audit`,
whatever app it lives in. An entry is written once for each city whose coordinators should
see it (a program-wide change is shown to every participating city), so each city's log
is complete on its own.
"""

from collections.abc import Iterable

from accounts.models import User
from exchange.models import AuditEntry

DETAIL_MAX = 300


def audit(
    *,
    action: str,
    by: User | None,
    program_id: int | None,
    city_ids: Iterable[int],
    application_id: int | None = None,
    subject_id: int | None = None,
    detail: str = "",
) -> list[AuditEntry]:
    """Record that `by` (None: the system) did `action` in a program, for the coordinators
    of `city_ids`. `detail` is plain text for the log; it never names an applicant under
    blind review (callers pass what a reviewer may see). A person's data-rights requests have
    no program: they name the person as `subject_id` instead."""
    if action not in AuditEntry.Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    city_ids = sorted(set(city_ids))
    if not city_ids and subject_id is not None:
        # A person with no city still has their data-rights steps recorded, for site staff.
        city_ids = [None]
    return AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=by,
            action=action,
            program_id=program_id,
            city_id=city_id,
            application_id=application_id,
            subject_id=subject_id,
            detail=detail[:DETAIL_MAX],
        )
        for city_id in city_ids
    )
