"""Reading host households and placements: who stays in whose home on a visit's legs."""

from dataclasses import dataclass

from django.db.models import Prefetch

from accounts.models import User
from exchange.models import (
    Household,
    Matching,
    MatchMember,
    Program,
)


@dataclass(frozen=True)
class Placement:
    """A visitor staying in a host's home on the leg to the host's city."""

    group_id: int
    visitor_id: int  # Application pk
    host_id: int  # Application pk of the host student
    host_city_id: int
    household: Household | None  # None while the host's family has not described the home


def _placements(members: list[MatchMember], households: dict[int, Household]) -> list[Placement]:
    by_group: dict[int, list[MatchMember]] = {}
    for member in members:
        by_group.setdefault(member.group_id, []).append(member)
    placements = []
    for group_id, group in by_group.items():
        for visitor in group:
            # A triad's second visitor hosts nobody: only the others' homes take guests.
            hosts = [
                m
                for m in group
                if m.application.city_id != visitor.application.city_id
                and m.role != MatchMember.Role.SECOND_VISITOR
            ]
            for host in hosts:
                placements.append(
                    Placement(
                        group_id=group_id,
                        visitor_id=visitor.application_id,
                        host_id=host.application_id,
                        host_city_id=host.application.city_id,
                        household=households.get(host.application.student_id),
                    )
                )
    return placements


def program_placements(*, program: Program, published_only: bool = True) -> list[Placement]:
    """Every placement of a visit's matching (the published one unless told otherwise), in a
    fixed number of queries whatever the number of participants."""
    members = MatchMember.objects.filter(matching__program=program).select_related("application")
    if published_only:
        members = members.filter(matching__status=Matching.Status.PUBLISHED)
    members = list(members.order_by("group_id", "application_id"))
    households = {
        h.student_id: h
        for h in Household.objects.filter(
            student_id__in={m.application.student_id for m in members}
        ).prefetch_related(Prefetch("members"))
    }
    return _placements(members, households)


def guest_household_ids(*, student: User) -> frozenset[int]:
    """The households a published matching places this student in, in any program."""
    groups = MatchMember.objects.filter(
        application__student=student, matching__status=Matching.Status.PUBLISHED
    ).values_list("group_id", flat=True)
    members = list(MatchMember.objects.filter(group_id__in=groups).select_related("application"))
    households = {
        h.student_id: h
        for h in Household.objects.filter(
            student_id__in={m.application.student_id for m in members}
        )
    }
    return frozenset(
        p.household.pk
        for p in _placements(members, households)
        if p.household is not None
        and any(
            m.application_id == p.visitor_id and m.application.student_id == student.pk
            for m in members
        )
    )
