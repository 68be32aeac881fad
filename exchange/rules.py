"""Who may do what with programs and applications. Views declare these; selectors scope by them.

Coordinators act for their own cities only: a program is theirs when one of their cities takes
part, an application when the applicant applied as a resident of one of their cities.
"""

import rules

from accounts.rules import coordinator_city_ids, is_coordinator
from core.models import City
from exchange.models import (
    PARTICIPATING,
    Application,
    ApplicationDocument,
    Certificate,
    CertificateBatch,
    CheckIn,
    Household,
    Incident,
    Program,
    ProgramCity,
    VisitLeg,
)

# Blind review: while an application waits for its decision (submitted, or under review with
# or without a prepared one), nobody but the applicant sees who sent it. Released decisions
# (and every later state) lift it.
BLIND_STATES = frozenset({Application.State.SUBMITTED, Application.State.UNDER_REVIEW})


def is_blind_for(user, application: Application) -> bool:
    """Whether `user` must see `application` without its applicant's name, school or email.

    The one rule every page, export, log and email asks. The state is checked first, so
    lists of confirmed participants never load the program for it."""
    return (
        application.state in BLIND_STATES
        and application.student_id != getattr(user, "pk", None)
        and application.program.blind_review
    )


def has_blind_applications(user, program: Program) -> bool:
    """Whether any application `user` reviews in `program` is blind for them: then lists
    can't be sorted by name, since the order would tell who is who."""
    if not program.blind_review:
        return False
    return (
        Application.objects.filter(
            program=program, city_id__in=coordinator_city_ids(user), state__in=BLIND_STATES
        )
        .exclude(student_id=getattr(user, "pk", None))
        .exists()
    )


def program_city_ids(program: Program) -> frozenset[int]:
    cached = getattr(program, "_city_ids", None)
    if cached is None:
        cached = frozenset(pc.city_id for pc in program.program_cities.all())
        program._city_ids = cached
    return cached


def coordinated_city_ids(user, program: Program) -> frozenset[int]:
    """The program's cities the user coordinates: the cities they act for in it (review,
    approve a matching, print, correct attendance)."""
    return coordinator_city_ids(user) & program_city_ids(program)


def invitable_city_ids(user, *, program: Program | None = None) -> frozenset[int]:
    """The cities a coordinator may put in a program: their own, their own cities' active
    partners, and the cities already taking part in it (invited by the other side)."""
    from exchange.selectors.programs import partner_city_ids

    own = coordinator_city_ids(user)
    ids = own | partner_city_ids(city_ids=own)
    return ids | program_city_ids(program) if program is not None else ids


def places_locked_city_ids(user, program: Program) -> frozenset[int]:
    """Places belong to their city: the program's cities whose places this user may not
    change (exchange.services.programs refuses it; the form shows them read-only)."""
    return program_city_ids(program) - coordinator_city_ids(user)


@rules.predicate
def coordinates_program(user, program: Program | None) -> bool:
    if program is None:
        return False
    return bool(coordinator_city_ids(user) & program_city_ids(program))


@rules.predicate
def program_is_public(user, program: Program | None) -> bool:
    return program is not None and program.status != Program.Status.DRAFT


@rules.predicate
def owns_application(user, application: Application | None) -> bool:
    return application is not None and application.student_id == user.pk


@rules.predicate
def coordinates_applicant_city(user, application: Application | None) -> bool:
    # Drafts are private to the student: no coordinator sees one.
    return (
        application is not None
        and application.state != Application.State.DRAFT
        and application.city_id in coordinator_city_ids(user)
    )


@rules.predicate
def owns_document(user, document: ApplicationDocument | None) -> bool:
    return document is not None and owns_application(user, document.application)


@rules.predicate
def coordinates_document_city(user, document: ApplicationDocument | None) -> bool:
    return document is not None and coordinates_applicant_city(user, document.application)


@rules.predicate
def owns_certificate(user, certificate: Certificate | None) -> bool:
    return certificate is not None and owns_application(user, certificate.application)


@rules.predicate
def coordinates_certificate_city(user, certificate: Certificate | None) -> bool:
    return certificate is not None and coordinates_applicant_city(user, certificate.application)


def certificate_batch_city_ids(batch: CertificateBatch) -> frozenset[int]:
    cached = getattr(batch, "_city_ids", None)
    if cached is None:
        cached = frozenset(city.pk for city in batch.cities.all())
        batch._city_ids = cached
    return cached


@rules.predicate
def coordinates_every_batch_city(user, batch: CertificateBatch | None) -> bool:
    # A batch holds the certificates of all its cities: only someone who may print every
    # one of them sees it, downloads it or deletes it.
    if batch is None:
        return False
    city_ids = certificate_batch_city_ids(batch)
    return bool(city_ids) and city_ids <= coordinator_city_ids(user)


@rules.predicate
def coordinates_city(user, city: City | None) -> bool:
    return city is not None and city.pk in coordinator_city_ids(user)


@rules.predicate
def coordinates_program_city(user, program_city: ProgramCity | None) -> bool:
    return program_city is not None and program_city.city_id in coordinator_city_ids(user)


rules.add_perm("exchange.add_program", is_coordinator)
rules.add_perm("exchange.change_program", coordinates_program)
rules.add_perm("exchange.view_program", program_is_public | coordinates_program)
# The review queue, the rubric, exports, the audit and the partner city's participants.
rules.add_perm("exchange.review_program", coordinates_program)
# Releasing a city's decisions in a program (a ProgramCity): that city's coordinators only.
rules.add_perm("exchange.release_decisions", coordinates_program_city)
# Online programs: coordinators of every participating city schedule the live sessions and
# see the attendance; only the participant's own city corrects their attendance.
rules.add_perm("exchange.schedule_sessions", coordinates_program)
rules.add_perm("exchange.correct_attendance", coordinates_applicant_city)

rules.add_perm("exchange.change_application", owns_application)
rules.add_perm("exchange.review_application", coordinates_applicant_city)
rules.add_perm("exchange.view_document", owns_document | coordinates_document_city)
# Certificates: the student downloads their own; the applicant city's coordinators issue,
# revoke and reissue them, and brand their own city's certificates.
rules.add_perm("exchange.download_certificate", owns_certificate)
rules.add_perm("exchange.issue_certificate", coordinates_applicant_city)
rules.add_perm("exchange.change_certificate", coordinates_certificate_city)
rules.add_perm("exchange.brand_city", coordinates_city)
# Printing: every coordinator of the program asks for batches of their own cities.
rules.add_perm("exchange.print_certificates", coordinates_program)
rules.add_perm("exchange.download_certificate_batch", coordinates_every_batch_city)
rules.add_perm("exchange.delete_certificate_batch", coordinates_every_batch_city)


# --- Duty of care on mutual visits (issue 15) ----------------------------------------------


@rules.predicate
def owns_household(user, household: Household | None) -> bool:
    return household is not None and household.student_id == user.pk


@rules.predicate
def screens_household(user, household: Household | None) -> bool:
    """The host city's coordinators screen a household (approve, record checks)."""
    return household is not None and household.city_id in coordinator_city_ids(user)


def household_program_ids(household: Household) -> frozenset[int]:
    """Programs the household's student takes part in: their coordinators see the home."""
    return frozenset(
        Application.objects.filter(
            student_id=household.student_id, state__in=PARTICIPATING
        ).values_list("program_id", flat=True)
    )


@rules.predicate
def coordinates_household_program(user, household: Household | None) -> bool:
    if household is None:
        return False
    own = coordinator_city_ids(user)
    if not own:
        return False
    return ProgramCity.objects.filter(
        program_id__in=household_program_ids(household), city_id__in=own
    ).exists()


@rules.predicate
def is_published_guest(user, household: Household | None) -> bool:
    """The student placed in this household by a published matching (their own guest)."""
    if household is None or not user.is_authenticated:
        return False
    from exchange.selectors.households import guest_household_ids

    return household.pk in guest_household_ids(student=user)


@rules.predicate
def coordinates_visit(user, program: Program | None) -> bool:
    return (
        program is not None
        and program.kind == Program.Kind.MUTUAL_VISIT
        and bool(coordinated_city_ids(user, program))
    )


@rules.predicate
def coordinates_leg_program(user, leg: VisitLeg | None) -> bool:
    return leg is not None and coordinates_visit(user, leg.program)


@rules.predicate
def coordinates_leg_host_city(user, leg: VisitLeg | None) -> bool:
    return leg is not None and leg.host_city_id in coordinator_city_ids(user)


@rules.predicate
def owns_participation(user, application: Application | None) -> bool:
    """The student's own place on a visit (their trip, emergency information, itinerary)."""
    return (
        application is not None
        and application.student_id == user.pk
        and application.state in PARTICIPATING
        and application.is_visit
    )


@rules.predicate
def coordinates_visit_participant(user, application: Application | None) -> bool:
    return (
        application is not None
        and application.state in PARTICIPATING
        and coordinates_visit(user, application.program)
    )


@rules.predicate
def emergency_window_open(user, application: Application | None) -> bool:
    """Emergency and medical information opens EMERGENCY_INFO_OPENS_DAYS before the
    traveller's leg departs and closes when it returns (exchange.selectors.trips)."""
    if application is None:
        return False
    from exchange.selectors.trips import emergency_window_is_open

    return emergency_window_is_open(application=application)


@rules.predicate
def owns_check_in(user, check_in: CheckIn | None) -> bool:
    return check_in is not None and check_in.application.student_id == user.pk


@rules.predicate
def coordinates_incident(user, incident: Incident | None) -> bool:
    return incident is not None and coordinates_visit(user, incident.program)


# A household: the student fills it in; the host city screens it; the coordinators of the
# programs the student takes part in, and the guest a published matching placed there, see
# it (with its address). Nobody else: not the partner city's coordinators of other programs.
rules.add_perm("exchange.change_household", owns_household)
rules.add_perm("exchange.screen_household", screens_household)
rules.add_perm(
    "exchange.view_household",
    owns_household | screens_household | coordinates_household_program | is_published_guest,
)
# The trip: either city's coordinators prepare and run it (legs, itinerary, trip sheets,
# locator, messages, incidents, backup households of their own city's placements are
# checked in the service). The host city's coordinators record their household visits.
rules.add_perm("exchange.manage_trip", coordinates_visit)
rules.add_perm("exchange.change_leg", coordinates_leg_program)
rules.add_perm("exchange.visit_households", coordinates_leg_host_city)
# A traveller's own trip page and emergency information form.
rules.add_perm("exchange.view_trip", owns_participation | coordinates_visit_participant)
rules.add_perm("exchange.change_emergency_info", owns_participation)
# Coordinators of the program's cities, and only while the window is open; every view is
# audited by exchange.services.trips.emergency_info_open.
rules.add_perm(
    "exchange.view_emergency_info", coordinates_visit_participant & emergency_window_open
)
rules.add_perm("exchange.answer_check_in", owns_check_in)
rules.add_perm("exchange.view_incident", coordinates_incident)


# --- care (issue 15: locator, messages to travellers, incidents) ---------------------------


@rules.predicate
def receives_trip_message(user, delivery) -> bool:
    """A message to travellers is read (and marked read) by its own recipient only."""
    return delivery is not None and user.is_authenticated and delivery.recipient_id == user.pk


rules.add_perm("exchange.read_trip_message", receives_trip_message)


# --- Host households (issue 15, area "house") ------------------------------------------------
# A city's care policy (its screening checklist) is its own coordinators'; they also name the
# backup households of the placements their city hosts. Any coordinator opens the household
# list, which shows only the households their own cities screen.
rules.add_perm("exchange.change_care_policy", coordinates_city)
rules.add_perm("exchange.list_households", is_coordinator)
