"""State changes for host households: the family describes the home, the host city screens it
against its checklist (CityCarePolicy) and approves it for HOUSEHOLD_APPROVAL_DAYS, and the
host city's coordinators name backup households for a published matching's placements.

Each function checks the rules itself (core.policy.require) and writes the audit, so no door
(page, admin, task) can skip either.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import GuardianConsent, User
from accounts.rules import coordinator_city_ids
from accounts.selectors import consent_current
from core.mail import send_templated_email
from core.models import City
from core.policy import require
from exchange.audit import audit
from exchange.models import (
    Application,
    AuditEntry,
    BackupHousehold,
    CityCarePolicy,
    Diet,
    Household,
    HouseholdMember,
    HouseholdScreening,
    MatchGroup,
    Matching,
)
from exchange.selectors.households import (
    care_policy_for,
    checklist_missing,
    current_screening,
    hosting_day,
    program_placements,
)

Status = Household.Status
Relation = HouseholdMember.Relation
Check = HouseholdMember.Check


@dataclass(frozen=True)
class MemberData:
    pk: int | None  # an existing member of this household, None for a new one
    name: str
    relation: str
    birth_year: int
    phone: str = ""


@dataclass(frozen=True)
class HouseholdData:
    family_name: str
    district: str
    address: str
    phone: str
    guest_rooms: int
    guest_beds: int
    own_room: bool
    pets: str
    smoking: bool
    diets_offered: tuple[str, ...]
    language_codes: tuple[str, ...]
    members: tuple[MemberData, ...]


#: The facts that decide whether a home is safe and suitable: changing one after approval
#: sends the household back to screening.
SCREENED_FIELDS = ("address", "guest_beds", "pets", "smoking", "diets_offered")


def _audit(household: Household, *, action: str, by: User | None, detail: str = "") -> None:
    audit(
        action=action,
        by=by,
        program_id=None,
        city_ids=[household.city_id],
        subject_id=household.student_id,
        detail=detail,
    )


def _members_errors(members: tuple[MemberData, ...], *, year: int) -> list[ValidationError]:
    errors = []
    if not any(m.relation == Relation.HOST_STUDENT for m in members):
        errors.append(
            ValidationError(
                _("List the host student among the people who live in the home."),
                code="no_host_student",
            )
        )
    adults = [m for m in members if year - m.birth_year >= 18]
    if not adults:
        errors.append(
            ValidationError(_("List at least one adult who lives in the home."), code="no_adult")
        )
    for member in adults:
        if not member.phone.strip():
            errors.append(
                ValidationError(
                    _("%(name)s is an adult: give their phone number.") % {"name": member.name},
                    code="adult_phone",
                )
            )
    return errors


def _facts(household: Household, members) -> tuple:
    return (
        tuple(getattr(household, f) for f in SCREENED_FIELDS[:-1]),
        tuple(sorted(household.diets_offered)),
        tuple(sorted((m.name, m.relation, m.birth_year) for m in members)),
    )


def _open_round(household: Household) -> HouseholdScreening:
    """The pending screening round, started when there is none."""
    screening = household.screenings.filter(decision=HouseholdScreening.Decision.PENDING).first()
    if screening is None:
        screening = HouseholdScreening.objects.create(household=household, city=household.city)
    return screening


def _require_guardian(guardian: GuardianConsent, student: User) -> None:
    """A guardian's link opens the household while their consent is current and given."""
    guardian = GuardianConsent.objects.filter(pk=guardian.pk).first()
    if (
        guardian is None
        or guardian.student_id != student.pk
        or not guardian.is_current
        or guardian.status != GuardianConsent.Status.GIVEN
    ):
        raise ValidationError(
            _("This link no longer works: ask the student for a new one."), code="forbidden"
        )


@transaction.atomic
def household_save(
    *,
    student: User,
    data: HouseholdData,
    by: User | None,
    guardian: GuardianConsent | None = None,
) -> Household:
    """Create or update the student's household, by the student or (`by=None`) by the
    guardian holding the student's current given consent. Changing a screened fact of an
    approved household sends it back to screening (a new round)."""
    if guardian is not None:
        _require_guardian(guardian, student)
    household = Household.objects.select_for_update().filter(student=student).first()
    if household is None:
        if guardian is None and (by is None or by.pk != student.pk):
            raise ValidationError(_("Only the student can describe their home."), code="forbidden")
        if student.home_city_id is None:
            raise ValidationError(
                _(
                    "Set your home city in your profile first: the home is screened by your "
                    "city’s coordinators."
                ),
                code="no_city",
            )
        household = Household(student=student, city_id=student.home_city_id)
        before = None
    else:
        if guardian is None:
            require(
                by,
                "exchange.change_household",
                household,
                message=_("You can’t change this household."),
            )
        before = _facts(household, household.members.all())
    unknown = set(data.diets_offered) - set(Diet.values)
    if unknown:
        raise ValidationError(_("Choose diets from the list."), code="invalid")
    errors = _members_errors(data.members, year=timezone.localdate().year)
    if errors:
        raise ValidationError(errors)
    for field in (
        "family_name",
        "district",
        "address",
        "phone",
        "guest_rooms",
        "guest_beds",
        "own_room",
        "pets",
        "smoking",
    ):
        setattr(household, field, getattr(data, field))
    household.diets_offered = sorted(set(data.diets_offered))
    household.save()
    household.languages.set(data.language_codes)

    existing = {m.pk: m for m in household.members.all()}
    kept = set()
    for member in data.members:
        row = existing.get(member.pk) if member.pk else None
        if row is None:
            row = HouseholdMember(household=household)
        row.name, row.relation = member.name, member.relation
        row.birth_year, row.phone = member.birth_year, member.phone
        row.save()
        kept.add(row.pk)
    household.members.exclude(pk__in=kept).delete()

    changed = before is not None and _facts(household, household.members.all()) != before
    if changed and household.status == Status.APPROVED:
        household.status = Status.SUBMITTED
        household.approved_on = household.approved_until = None
        household.submitted_at = timezone.now()
        household.save(update_fields=["status", "approved_on", "approved_until", "submitted_at"])
        _open_round(household)
        _audit(
            household,
            action=AuditEntry.Action.HOUSEHOLD_SUBMIT,
            by=by,
            detail="facts changed after approval: back to screening"
            + (" (by the guardian)" if guardian else ""),
        )
    return household


@transaction.atomic
def household_submit(
    *, household: Household, by: User | None, guardian: GuardianConsent | None = None
) -> Household:
    """Send the household for the host city's screening (the student, or their guardian)."""
    if guardian is not None:
        _require_guardian(guardian, household.student)
    else:
        require(
            by,
            "exchange.change_household",
            household,
            message=_("You can’t change this household."),
        )
    household = Household.objects.select_for_update().get(pk=household.pk)
    today = timezone.localdate()
    if household.status == Status.SUBMITTED:
        raise ValidationError(_("The home is already waiting for screening."), code="submitted")
    if household.status == Status.APPROVED and household.is_approved_on(today):
        raise ValidationError(_("The home is approved; nothing to send."), code="approved")
    errors = _members_errors(tuple(household.members.all()), year=today.year)
    if errors:
        raise ValidationError(errors)
    household.status = Status.SUBMITTED
    household.approved_on = household.approved_until = None
    household.submitted_at = timezone.now()
    household.save(update_fields=["status", "approved_on", "approved_until", "submitted_at"])
    _open_round(household)
    _audit(
        household,
        action=AuditEntry.Action.HOUSEHOLD_SUBMIT,
        by=by,
        detail="by the guardian" if guardian else "",
    )
    return household


@transaction.atomic
def household_guardian_link_send(*, student: User, by: User) -> GuardianConsent:
    """Email the guardian who holds the student's current given consent a signed link to
    describe the family's home (no account needed)."""
    if by.pk != student.pk:
        raise ValidationError(_("Only the student sends this link."), code="forbidden")
    consent = consent_current(student=student)
    if consent is None or consent.status != GuardianConsent.Status.GIVEN:
        raise ValidationError(
            _("Your guardian needs to have given their consent first."), code="no_consent"
        )
    from exchange.tasks import send_household_guardian_link

    transaction.on_commit(lambda: send_household_guardian_link.delay(consent.pk))
    return consent


def household_guardian_link_email(*, consent: GuardianConsent) -> None:
    from django.urls import reverse

    from exchange.household_tokens import household_token

    student = consent.student
    send_templated_email(
        to=consent.guardian_email,
        template="exchange/households/email/guardian_link",
        context={
            "student": student,
            "path": reverse(
                "exchange:household_guardian", kwargs={"token": household_token(consent)}
            ),
            "link_days": settings.GUARDIAN_LINK_MAX_AGE_DAYS,
        },
        language=student.preferred_language,
    )


@dataclass(frozen=True)
class ScreeningData:
    home_visit_on: date | None
    home_visit_by: User | None
    home_visit_notes: str
    references_checked: int
    references_notes: str
    orientation_on: date | None


@dataclass(frozen=True)
class MemberCheck:
    pk: int  # a member of the household
    status: str
    checked_on: date | None
    document: object | None = None  # a CleanUpload (exchange.uploads), only by city policy


def _require_screen(by: User, household: Household) -> None:
    require(
        by,
        "exchange.screen_household",
        household,
        message=_("Only the host city’s coordinators screen a household."),
    )


def _needs_screening(household: Household) -> bool:
    today = timezone.localdate()
    return household.status == Status.SUBMITTED or (
        household.status == Status.APPROVED and not household.is_approved_on(today)
    )


@transaction.atomic
def household_screen(
    *, household: Household, data: ScreeningData, checks: list[MemberCheck], by: User
) -> HouseholdScreening:
    """Record the current round's checklist: home visit, references, each adult's background
    check (status and date; a copy only where the city's policy keeps one), orientation."""
    _require_screen(by, household)
    household = Household.objects.select_for_update().get(pk=household.pk)
    if not _needs_screening(household):
        raise ValidationError(
            _("This household is not waiting for screening."), code="not_submitted"
        )
    policy = care_policy_for(household.city)
    screening = _open_round(household)
    if data.home_visit_by is not None and household.city_id not in coordinator_city_ids(
        data.home_visit_by
    ):
        raise ValidationError(
            _("The home visit is made by one of the city’s coordinators."), code="invalid"
        )
    for field, value in data.__dict__.items():
        setattr(screening, field, value)
    screening.full_clean(exclude=["household", "city", "home_visit_by", "decided_by"])
    screening.save()
    members = {m.pk: m for m in household.members.all()}
    year = timezone.localdate().year
    allowed = policy.background_checks != CityCarePolicy.BackgroundChecks.NOT_PERMITTED
    for check in checks:
        member = members.get(check.pk)
        if member is None or not member.is_adult_in(year):
            raise ValidationError(_("That person is not an adult of this home."), code="invalid")
        if not allowed:
            continue
        if check.status not in Check.values or check.status == Check.NOT_PERMITTED:
            raise ValidationError(_("Choose a background-check status."), code="invalid")
        member.background_check = check.status
        member.background_checked_on = check.checked_on
        if check.document is not None:
            if not policy.keeps_check_documents:
                raise ValidationError(
                    _("This city’s policy keeps no copy of background checks."),
                    code="no_documents",
                )
            member.background_check_document.save(
                f"check-{member.pk}{check.document.extension}",
                ContentFile(check.document.content),
                save=False,
            )
        member.save()
    _audit(
        household,
        action=AuditEntry.Action.HOUSEHOLD_SCREEN,
        by=by,
        detail=f"screening {screening.pk}",
    )
    return screening


@transaction.atomic
def household_approve(*, household: Household, by: User) -> Household:
    """Approve for HOUSEHOLD_APPROVAL_DAYS once every required item of the city's checklist is
    done; otherwise refuse with the list of what is missing."""
    _require_screen(by, household)
    household = Household.objects.select_for_update().get(pk=household.pk)
    if not _needs_screening(household):
        raise ValidationError(
            _("This household is not waiting for screening."), code="not_submitted"
        )
    screening = current_screening(household)
    missing = checklist_missing(household, screening, care_policy_for(household.city))
    if missing:
        raise ValidationError(
            [
                ValidationError(
                    _("The checklist is not complete. Still missing:"), code="incomplete"
                ),
                *(ValidationError(item, code="missing") for item in missing),
            ]
        )
    today = timezone.localdate()
    household.status = Status.APPROVED
    household.approved_on = today
    household.approved_until = today + timedelta(days=settings.HOUSEHOLD_APPROVAL_DAYS)
    household.save(update_fields=["status", "approved_on", "approved_until"])
    screening.decision = HouseholdScreening.Decision.APPROVED
    screening.decided_by, screening.decided_at = by, timezone.now()
    screening.save(update_fields=["decision", "decided_by", "decided_at"])
    _audit(
        household,
        action=AuditEntry.Action.HOUSEHOLD_APPROVE,
        by=by,
        detail=f"until {household.approved_until.isoformat()}",
    )
    return household


@transaction.atomic
def household_refuse(*, household: Household, reason: str, by: User) -> Household:
    _require_screen(by, household)
    household = Household.objects.select_for_update().get(pk=household.pk)
    if not _needs_screening(household):
        raise ValidationError(
            _("This household is not waiting for screening."), code="not_submitted"
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the family a reason."), code="required")
    screening = _open_round(household)
    household.status = Status.NOT_APPROVED
    household.approved_on = household.approved_until = None
    household.save(update_fields=["status", "approved_on", "approved_until"])
    screening.decision = HouseholdScreening.Decision.NOT_APPROVED
    screening.decision_note = reason[:500]
    screening.decided_by, screening.decided_at = by, timezone.now()
    screening.save(update_fields=["decision", "decision_note", "decided_by", "decided_at"])
    _audit(household, action=AuditEntry.Action.HOUSEHOLD_REFUSE, by=by)
    return household


@dataclass(frozen=True)
class CarePolicyData:
    requires_home_visit: bool
    references_required: int
    background_checks: str
    keeps_check_documents: bool
    requires_orientation: bool
    incident_guardian_notice: str
    check_in_answer_by: object


@transaction.atomic
def care_policy_save(*, city: City, data: CarePolicyData, by: User) -> CityCarePolicy:
    require(
        by,
        "exchange.change_care_policy",
        city,
        message=_("Only the city’s own coordinators change its care policy."),
    )
    policy, _created = CityCarePolicy.objects.select_for_update().get_or_create(city=city)
    for field, value in data.__dict__.items():
        setattr(policy, field, value)
    if policy.background_checks == CityCarePolicy.BackgroundChecks.NOT_PERMITTED:
        # Nothing to keep a copy of where the law forbids the check.
        policy.keeps_check_documents = False
    policy.full_clean(exclude=["city"])
    policy.save()
    return policy


@transaction.atomic
def household_backup_name(
    *, group: MatchGroup, visitor: Application, household: Household | None, by: User
) -> BackupHousehold | None:
    """Name (or, with None, clear) the backup household for one placement of a published
    matching: the host city's coordinators, an approved household of the host city on the
    program's first day that does not already host in this program."""
    program = group.matching.program
    if group.matching.status != Matching.Status.PUBLISHED:
        raise ValidationError(_("Backups are named once the matching is published."))
    placement = next(
        (
            p
            for p in program_placements(program=program)
            if p.group_id == group.pk and p.visitor_id == visitor.pk
        ),
        None,
    )
    if placement is None:
        raise ValidationError(_("That visitor is not placed in this pair."), code="invalid")
    host_city = City.objects.get(pk=placement.host_city_id)
    require(
        by,
        "exchange.change_care_policy",
        host_city,
        message=_("Only the host city’s coordinators name a backup household."),
    )
    if household is None:
        BackupHousehold.objects.filter(group=group, visitor=visitor).delete()
        detail = f"cleared for {visitor.pk}"
        backup = None
    else:
        hosting = {p.household.pk for p in program_placements(program=program) if p.household}
        if (
            household.city_id != placement.host_city_id
            or not household.is_approved_on(hosting_day(program.starts_on))
            or household.pk in hosting
        ):
            raise ValidationError(
                _(
                    "A backup is an approved household of the host city that does not already "
                    "host in this program."
                ),
                code="invalid",
            )
        backup, _created = BackupHousehold.objects.update_or_create(
            group=group,
            visitor=visitor,
            defaults={"household": household, "named_by": by, "named_at": timezone.now()},
        )
        detail = f"household {household.pk} for {visitor.pk}"
    audit(
        action=AuditEntry.Action.HOUSEHOLD_BACKUP,
        by=by,
        program_id=program.pk,
        city_ids=program.program_cities.values_list("city_id", flat=True),
        application_id=visitor.pk,
        detail=detail,
    )
    return backup
