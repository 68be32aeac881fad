"""Reading host households and placements: who stays in whose home on a visit's legs."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from exchange.models import (
    CityCarePolicy,
    Household,
    HouseholdMember,
    HouseholdScreening,
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


# --- Whether a household can host on a program (matching reads this) ----------------------

#: Why a household can't host, as matching's leftover reasons and hand-edit refusals say it.
HOSTING_CODES = (
    "missing",  # the family has not described the home yet
    "draft",  # being filled in, not sent for screening
    "submitted",  # waiting for the host city's screening
    "not_approved",  # the host city did not approve it
    "expired",  # the approval ran out (before today)
    "lapses",  # approved now, but the approval ends before the program's first day
    "no_beds",  # approved, with no bed for a guest
)


@dataclass(frozen=True)
class Hosting:
    can_host: bool
    code: str  # "" when it can host, else one of HOSTING_CODES
    until: str = ""  # ISO date that goes with "expired" and "lapses"


def hosting_day(starts_on: date) -> date:
    """The day a household's approval must cover to host on a program starting `starts_on`:
    that day, or today once the program is under way (a late placement, a backup: a home
    approved this week may host on a visit that began on Monday)."""
    return max(starts_on, timezone.localdate())


def hosting_status(household: Household | None, *, day: date) -> Hosting:
    """Whether `household` can host on a program starting on `day`: approved on that day (or
    today, once the program has started) and with a bed for a guest. The one place matching
    learns it from."""
    if household is None:
        return Hosting(False, "missing")
    status = Household.Status
    if household.status == status.DRAFT:
        return Hosting(False, "draft")
    if household.status == status.SUBMITTED:
        return Hosting(False, "submitted")
    if household.status == status.NOT_APPROVED:
        return Hosting(False, "not_approved")
    if not household.is_approved_on(hosting_day(day)):
        until = household.approved_until.isoformat() if household.approved_until else ""
        if household.approved_until and household.approved_until < timezone.localdate():
            return Hosting(False, "expired", until)
        return Hosting(False, "lapses", until)
    if household.guest_beds < 1:
        return Hosting(False, "no_beds")
    return Hosting(True, "")


# --- Screening ----------------------------------------------------------------------------


def care_policy_for(city) -> CityCarePolicy:
    """The city's care policy; a city without a row uses the model's defaults (unsaved)."""
    return CityCarePolicy.objects.filter(city=city).first() or CityCarePolicy(city=city)


def current_screening(household: Household) -> HouseholdScreening | None:
    """The round in progress, else the last decided one (None before the first)."""
    rounds = household.screenings.all()
    pending = [s for s in rounds if s.decision == HouseholdScreening.Decision.PENDING]
    return pending[0] if pending else next(iter(rounds), None)


def _adults(household: Household) -> list[HouseholdMember]:
    year = timezone.localdate().year
    return [m for m in household.members.all() if m.is_adult_in(year)]


def checklist_missing(
    household: Household, screening: HouseholdScreening | None, policy: CityCarePolicy
) -> list[str]:
    """What the city's checklist still asks for before the household can be approved, in
    words; [] when every required item is done."""
    missing = []
    if screening is None or screening.decision != HouseholdScreening.Decision.PENDING:
        return [_("Nothing is recorded for this screening round yet.")]
    if policy.requires_home_visit and not (screening.home_visit_on and screening.home_visit_by_id):
        missing.append(_("The home visit: its date and who made it."))
    if screening.references_checked < policy.references_required:
        missing.append(
            _("References: %(checked)d of %(required)d checked.")
            % {"checked": screening.references_checked, "required": policy.references_required}
        )
    checks = policy.background_checks
    for member in _adults(household):
        if member.background_check == HouseholdMember.Check.CONCERN:
            missing.append(
                _("%(name)s: the background check raised a concern.") % {"name": member.name}
            )
        elif checks == CityCarePolicy.BackgroundChecks.REQUIRED and not (
            member.background_check == HouseholdMember.Check.CLEAR and member.background_checked_on
        ):
            missing.append(
                _("%(name)s: a clear background check, with its date.") % {"name": member.name}
            )
        elif (
            checks == CityCarePolicy.BackgroundChecks.REQUIRED
            and policy.keeps_check_documents
            and not member.background_check_document
        ):
            missing.append(_("%(name)s: a copy of the background check.") % {"name": member.name})
    if policy.requires_orientation and not screening.orientation_on:
        missing.append(_("The date the family attended the orientation."))
    return missing


# --- Pages ----------------------------------------------------------------------------------

EXPIRING_DAYS = 60


def households_screened_by(*, user: User, show: str = ""):
    """The households the user's cities screen, for the list page (`show`: "needs" waiting
    for screening or with an approval that ran out; "expiring" within EXPIRING_DAYS)."""
    from accounts.rules import coordinator_city_ids

    today = timezone.localdate()
    households = (
        Household.objects.filter(city_id__in=coordinator_city_ids(user))
        .select_related("student", "city")
        .annotate(member_count=Count("members"))
    )
    if show == "needs":
        households = households.filter(
            Q(status=Household.Status.SUBMITTED)
            | Q(status=Household.Status.APPROVED, approved_until__lt=today)
        )
    elif show == "expiring":
        households = households.filter(
            status=Household.Status.APPROVED,
            approved_until__gte=today,
            approved_until__lte=today + timedelta(days=EXPIRING_DAYS),
        )
    return households.defer("address")


def household_detail(pk: int) -> Household | None:
    return (
        Household.objects.select_related("student", "city")
        .prefetch_related(
            "languages",
            Prefetch("members", queryset=HouseholdMember.objects.order_by("birth_year", "id")),
            Prefetch(
                "screenings", queryset=HouseholdScreening.objects.select_related("home_visit_by")
            ),
        )
        .filter(pk=pk)
        .first()
    )


def household_of(student: User) -> Household | None:
    return (
        Household.objects.select_related("city")
        .prefetch_related("languages", "members")
        .filter(student=student)
        .first()
    )


def backup_candidates(*, program: Program, city_id: int) -> list[Household]:
    """Approved households of `city_id` on the program's first day that host nobody in it."""
    hosting = {p.household.pk for p in program_placements(program=program) if p.household}
    return [
        h
        for h in Household.objects.filter(city_id=city_id, status=Household.Status.APPROVED)
        .exclude(pk__in=hosting)
        .select_related("student")
        .defer("address")
        if h.is_approved_on(hosting_day(program.starts_on))
    ]


@dataclass
class BackupRow:
    """One placement of a published matching, with its backup household."""

    visitor_id: int
    host_city_id: int
    household: Household | None  # the placement's household
    backup: Household | None
    candidates: list[Household] | None  # None: this user may not name one


def backup_rows(*, program: Program, user: User) -> dict[int, list[BackupRow]]:
    """The published matching's placements by group, with their backups; the host city's
    coordinators get the households they may name. Queries independent of the group count."""
    from accounts.rules import coordinator_city_ids
    from exchange.models import BackupHousehold

    placements = program_placements(program=program)
    if not placements:
        return {}
    backups = {
        (b.group_id, b.visitor_id): b.household
        for b in BackupHousehold.objects.filter(group__matching__program=program).select_related(
            "household"
        )
    }
    hosting = {p.household.pk for p in placements if p.household}
    mine = coordinator_city_ids(user)
    candidates: dict[int, list[Household]] = {}
    for city_id in {p.host_city_id for p in placements} & mine:
        candidates[city_id] = [
            h
            for h in Household.objects.filter(city_id=city_id, status=Household.Status.APPROVED)
            .exclude(pk__in=hosting)
            .defer("address")
            if h.is_approved_on(hosting_day(program.starts_on))
        ]
    rows: dict[int, list[BackupRow]] = {}
    for p in placements:
        rows.setdefault(p.group_id, []).append(
            BackupRow(
                visitor_id=p.visitor_id,
                host_city_id=p.host_city_id,
                household=p.household,
                backup=backups.get((p.group_id, p.visitor_id)),
                candidates=candidates.get(p.host_city_id),
            )
        )
    return rows
