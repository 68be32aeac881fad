from django.db.models import QuerySet

from accounts.models import User
from accounts.rules import coordinator_city_ids
from privacy.models import DeletionRequest

RECENT_DECISIONS = 50


def deletion_requests_open(*, user: User) -> QuerySet[DeletionRequest]:
    """The open requests of the coordinator's cities, the soonest due first."""
    return (
        DeletionRequest.objects.filter(
            status=DeletionRequest.Status.OPEN, city_id__in=coordinator_city_ids(user)
        )
        .exclude(student=user)
        .select_related("student", "city")
        .order_by("due_on", "requested_at", "id")
    )


def deletion_requests_decided(*, user: User) -> list[DeletionRequest]:
    return list(
        DeletionRequest.objects.filter(city_id__in=coordinator_city_ids(user))
        .exclude(status=DeletionRequest.Status.OPEN)
        .select_related("student", "city", "decided_by")
        .order_by("-decided_at", "-id")[:RECENT_DECISIONS]
    )


def deletion_request_current(*, student: User) -> DeletionRequest | None:
    """The student's latest request: the open one if there is one (a new request can only
    follow a decided one)."""
    return DeletionRequest.objects.filter(student=student).order_by("requested_at", "id").last()
