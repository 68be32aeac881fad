"""State changes of a mutual visit's trip (issue 15, parts 2–4): its legs and day-by-day
itinerary, the guardian's trip consent for each minor, and each traveller's emergency and
medical information (read by coordinators only through `emergency_info_open`, audited)."""

import hashlib
from datetime import date, time, timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import GuardianConsent, User
from core import ratelimit
from core.policy import require
from exchange.audit import audit
from exchange.models import (
    PARTICIPATING,
    Application,
    AuditEntry,
    EmergencyInfo,
    ItineraryItem,
    Program,
    TripConsent,
    VisitLeg,
)
from exchange.models.trips import EMERGENCY_FIELDS
from exchange.selectors import trips as selectors


def _program_city_ids(program: Program) -> list[int]:
    return list(program.program_cities.values_list("city_id", flat=True))


# --- Emergency and medical information (part 3) ---------------------------------------------


@transaction.atomic
def emergency_info_open(*, application: Application, by: User) -> EmergencyInfo | None:
    """A coordinator opens a traveller's emergency information: only the coordinators of the
    program's cities, only inside the window (exchange.view_emergency_info), and every look
    is written to both cities' audit logs. None when the traveller has not given it (nothing
    was seen, so nothing is audited)."""
    require(
        by,
        "exchange.view_emergency_info",
        application,
        message=_(
            "Emergency information is shown only to the program’s coordinators, from shortly "
            "before the traveller departs until they return."
        ),
    )
    info = EmergencyInfo.objects.filter(application=application).first()
    if info is None:
        return None
    audit(
        action=AuditEntry.Action.EMERGENCY_VIEW,
        by=by,
        program_id=application.program_id,
        city_ids=_program_city_ids(application.program),
        application_id=application.pk,
    )
    return info


@transaction.atomic
def emergency_info_save(*, application: Application, by: User, data: dict) -> EmergencyInfo:
    """The traveller gives or corrects their own emergency information."""
    require(
        by,
        "exchange.change_emergency_info",
        application,
        message=_("Only the traveller gives their own emergency information."),
    )
    unknown = set(data) - set(EMERGENCY_FIELDS)
    if unknown:
        raise ValueError(f"unknown emergency information fields {sorted(unknown)}")
    info = EmergencyInfo.objects.select_for_update().filter(application=application).first()
    if info is None:
        info = EmergencyInfo(application=application)
    for name in EMERGENCY_FIELDS:
        setattr(info, name, data.get(name, ""))
    info.full_clean(exclude=["application"])
    info.save()
    return info


@transaction.atomic
def emergency_info_expire(*, today: date) -> int:
    """Delete the emergency information of every visit whose last leg returned at least
    EMERGENCY_INFO_RETENTION_DAYS ago; one audit entry per program with the count, no names."""
    cutoff = today - timedelta(days=settings.EMERGENCY_INFO_RETENTION_DAYS)
    programs = list(
        Program.objects.annotate(last_return=Max("legs__returns_on"))
        .filter(last_return__lte=cutoff, applications__emergency_info__isnull=False)
        .distinct()
    )
    deleted = 0
    for program in programs:
        count, _per_model = EmergencyInfo.objects.filter(application__program=program).delete()
        if not count:
            continue
        deleted += count
        audit(
            action=AuditEntry.Action.EMERGENCY_EXPIRE,
            by=None,
            program_id=program.pk,
            city_ids=_program_city_ids(program),
            detail=f"{count} deleted {settings.EMERGENCY_INFO_RETENTION_DAYS} days after the visit",
        )
    return deleted


# --- Legs and itinerary (part 4) ------------------------------------------------------------


def _require_two_city_visit(program: Program) -> None:
    if program.kind != Program.Kind.MUTUAL_VISIT or len(_program_city_ids(program)) != 2:
        raise ValidationError(
            _(
                "Only a mutual visit between two cities has legs and an itinerary: each city’s "
                "group travels to the other once."
            ),
            code="not_two_city_visit",
        )


def _itinerary_changed(*, leg: VisitLeg, by: User, detail: str) -> None:
    audit(
        action=AuditEntry.Action.ITINERARY_CHANGE,
        by=by,
        program_id=leg.program_id,
        city_ids=_program_city_ids(leg.program),
        detail=detail,
    )


@transaction.atomic
def leg_save(
    *,
    program: Program,
    host_city_id: int,
    departs_on: date,
    returns_on: date,
    emergency_plan: str,
    by: User,
) -> VisitLeg:
    """Create or change the leg to `host_city_id`: within the program's dates, and never so
    that an itinerary entry falls outside it."""
    require(
        by,
        "exchange.manage_trip",
        program,
        message=_("Only the coordinators of the visit’s cities prepare its trip."),
    )
    # Locking the program serialises the legs' changes, so two coordinators can't both
    # create the same leg.
    program = Program.objects.select_for_update().get(pk=program.pk)
    _require_two_city_visit(program)
    if host_city_id not in _program_city_ids(program):
        raise ValidationError(_("The host city must be one of the visit’s cities."), code="city")
    leg = VisitLeg.objects.filter(program=program, host_city_id=host_city_id).first()
    if leg is not None:
        require(
            by,
            "exchange.change_leg",
            leg,
            message=_("Only the coordinators of the visit’s cities prepare its trip."),
        )
    errors: dict[str, list[str]] = {}
    if departs_on < program.starts_on or departs_on > program.ends_on:
        errors.setdefault("departs_on", []).append(
            _("The leg departs within the program’s dates, %(start)s to %(end)s.")
            % {"start": program.starts_on.isoformat(), "end": program.ends_on.isoformat()}
        )
    if returns_on < program.starts_on or returns_on > program.ends_on:
        errors.setdefault("returns_on", []).append(
            _("The leg returns within the program’s dates, %(start)s to %(end)s.")
            % {"start": program.starts_on.isoformat(), "end": program.ends_on.isoformat()}
        )
    if returns_on < departs_on:
        errors.setdefault("returns_on", []).append(_("The leg returns on or after it departs."))
    if not errors and leg is not None:
        outside = (
            leg.items.exclude(day__gte=departs_on, day__lte=returns_on).order_by("day").first()
        )
        if outside is not None:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("“%(activity)s” on %(day)s would fall outside the leg: move or delete it first.")
                % {"activity": outside.activity, "day": outside.day.isoformat()}
            )
    if errors:
        raise ValidationError(errors)
    if leg is None:
        leg = VisitLeg(program=program, host_city_id=host_city_id)
    leg.departs_on = departs_on
    leg.returns_on = returns_on
    leg.emergency_plan = emergency_plan.strip()
    leg.full_clean(exclude=["program", "host_city"])
    leg.save()
    leg.program = program
    _itinerary_changed(
        leg=leg,
        by=by,
        detail=f"leg to city {host_city_id}: {departs_on.isoformat()} to {returns_on.isoformat()}",
    )
    return leg


def _validate_item(*, leg: VisitLeg, day: date, starts_at: time, ends_at: time | None) -> None:
    errors: dict[str, list[str]] = {}
    if not leg.departs_on <= day <= leg.returns_on:
        errors.setdefault("day", []).append(
            _("Choose a day of the leg, %(start)s to %(end)s.")
            % {"start": leg.departs_on.isoformat(), "end": leg.returns_on.isoformat()}
        )
    if ends_at is not None and ends_at <= starts_at:
        errors.setdefault("ends_at", []).append(_("It must end after it starts."))
    if errors:
        raise ValidationError(errors)


ITEM_FIELDS = (
    "day",
    "starts_at",
    "ends_at",
    "kind",
    "place",
    "activity",
    "responsible_adult",
    "meeting_point",
    "transport",
)


def _lock_leg(leg: VisitLeg, by: User) -> VisitLeg:
    leg = VisitLeg.objects.select_for_update().select_related("program").get(pk=leg.pk)
    require(
        by,
        "exchange.change_leg",
        leg,
        message=_("Only the coordinators of the visit’s cities change its itinerary."),
    )
    return leg


def _fill_item(item: ItineraryItem, leg: VisitLeg, data: dict) -> None:
    unknown = set(data) - set(ITEM_FIELDS)
    if unknown:
        raise ValueError(f"unknown itinerary fields {sorted(unknown)}")
    _validate_item(
        leg=leg, day=data["day"], starts_at=data["starts_at"], ends_at=data.get("ends_at")
    )
    for name in ITEM_FIELDS:
        value = data.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value is None and name not in ("ends_at",):
            value = ""
        setattr(item, name, value)
    item.full_clean(exclude=["leg"])


@transaction.atomic
def itinerary_item_add(*, leg: VisitLeg, by: User, data: dict) -> ItineraryItem:
    leg = _lock_leg(leg, by)
    item = ItineraryItem(leg=leg)
    _fill_item(item, leg, data)
    item.save()
    _itinerary_changed(leg=leg, by=by, detail=f"added {item.day.isoformat()} {item.activity}")
    return item


@transaction.atomic
def itinerary_item_update(*, item: ItineraryItem, by: User, data: dict) -> ItineraryItem:
    leg = _lock_leg(item.leg, by)
    item = ItineraryItem.objects.get(pk=item.pk, leg=leg)
    _fill_item(item, leg, data)
    item.save()
    _itinerary_changed(leg=leg, by=by, detail=f"changed {item.day.isoformat()} {item.activity}")
    return item


@transaction.atomic
def itinerary_item_delete(*, item: ItineraryItem, by: User) -> None:
    leg = _lock_leg(item.leg, by)
    item = ItineraryItem.objects.get(pk=item.pk, leg=leg)
    detail = f"deleted {item.day.isoformat()} {item.activity}"
    item.delete()
    _itinerary_changed(leg=leg, by=by, detail=detail)


# --- Trip consent (part 2) ------------------------------------------------------------------

# A re-sent request (by the student or a coordinator) is an email to the guardian: a limit
# per consent and day, whoever asks, so nobody floods a guardian's inbox.
TRIP_CONSENT_EMAILS_PER_DAY = 3


def guardian_email_of(student: User) -> str:
    """The guardian who gave the student's account consent, if any."""
    consent = (
        GuardianConsent.objects.filter(
            student=student,
            is_current=True,
            consented_at__isnull=False,
            withdrawn_at__isnull=True,
        )
        .order_by("-requested_at")
        .first()
    )
    return consent.guardian_email if consent is not None else ""


def _send_after_commit(consent: TripConsent) -> None:
    from exchange.tasks import send_trip_consent_request

    pk = consent.pk
    transaction.on_commit(lambda: send_trip_consent_request.delay(pk))


def _consent_audit(consent: TripConsent, action: str, *, by: User | None, detail: str = "") -> None:
    application = consent.application
    audit(
        action=action,
        by=by,
        program_id=application.program_id,
        city_ids=_program_city_ids(application.program),
        application_id=application.pk,
        detail=detail,
    )


@transaction.atomic
def trip_consents_request(*, program: Program) -> list[TripConsent]:
    """Ask the guardian of every minor placed by the published matching, and again for each
    one whose household changed. Called inside the publishing transaction (the receiver of
    matching_published), so the requests commit or roll back with it."""
    if program.kind != Program.Kind.MUTUAL_VISIT:
        return []
    homes = selectors.guest_households(program=program)
    legs = list(VisitLeg.objects.filter(program=program).order_by("departs_on"))
    applications = list(
        Application.objects.filter(program=program, state__in=PARTICIPATING, pk__in=list(homes))
        .select_related("student", "program")
        .select_for_update(of=("self",))
    )
    current = {
        c.application_id: c
        for c in TripConsent.objects.select_for_update().filter(
            application__in=[a.pk for a in applications], is_current=True
        )
    }
    created = []
    for application in applications:
        home = homes[application.pk]
        leg = next((leg for leg in legs if leg.host_city_id != application.city_id), None)
        if home is None or not selectors.travels_as_minor(application=application, leg=leg):
            continue
        previous = current.get(application.pk)
        if previous is not None and (
            previous.household_id == home.pk or previous.withdrawn_at is not None
        ):
            continue
        if previous is not None:
            previous.is_current = False
            previous.save(update_fields=["is_current"])
        consent = TripConsent.objects.create(
            application=application,
            household=home,
            guardian_email=(previous.guardian_email if previous else "")
            or guardian_email_of(application.student),
        )
        _consent_audit(
            consent,
            AuditEntry.Action.TRIP_CONSENT_REQUEST,
            by=None,
            detail="household changed" if previous is not None else "matching published",
        )
        if consent.guardian_email:
            _send_after_commit(consent)
        created.append(consent)
    return created


def _rate_limit(consent: TripConsent, email: str) -> None:
    day = 24 * 3600
    address = hashlib.sha256(email.encode()).hexdigest()
    if not ratelimit.hit(
        f"trip-consent:{consent.application_id}", limit=TRIP_CONSENT_EMAILS_PER_DAY, period=day
    ) or not ratelimit.hit(
        f"trip-consent-address:{address}", limit=TRIP_CONSENT_EMAILS_PER_DAY, period=day
    ):
        raise ValidationError(
            _(
                "We have sent enough trip consent emails for today. Ask the guardian to look "
                "in their inbox and spam folder, or try again tomorrow."
            ),
            code="rate_limited",
        )


def _current_consent(application: Application) -> TripConsent:
    consent = (
        TripConsent.objects.select_for_update()
        .select_related("application__program")
        .filter(application=application, is_current=True)
        .first()
    )
    if consent is None:
        raise ValidationError(
            _("No trip consent is asked yet: it is asked once the matching is published."),
            code="no_consent",
        )
    return consent


@transaction.atomic
def trip_consent_set_guardian(
    *, application: Application, by: User, guardian_email: str
) -> TripConsent:
    """The traveller names the guardian to ask (when no guardian gave their account consent,
    or to correct the address); the request is sent to them."""
    require(
        by,
        "exchange.change_emergency_info",
        application,
        message=_("Only the traveller names the guardian to ask."),
    )
    email = guardian_email.strip().lower()
    if email == application.student.email.lower():
        raise ValidationError(
            {"guardian_email": _("Enter your guardian’s email address, not your own.")}
        )
    consent = _current_consent(application)
    if consent.status != TripConsent.Status.REQUESTED:
        raise ValidationError(
            _("This trip consent is no longer waiting for a guardian."), code="answered"
        )
    _rate_limit(consent, email)
    consent.guardian_email = email
    consent.full_clean(exclude=["application", "household"])
    consent.save(update_fields=["guardian_email"])
    _consent_audit(consent, AuditEntry.Action.TRIP_CONSENT_REQUEST, by=by, detail="guardian named")
    _send_after_commit(consent)
    return consent


@transaction.atomic
def trip_consent_resend(*, application: Application, by: User) -> TripConsent:
    """Send the request again (the student's or a coordinator's button), within the daily
    limit."""
    require(
        by,
        "exchange.view_trip",
        application,
        message=_("Only the traveller and the visit’s coordinators resend the request."),
    )
    consent = _current_consent(application)
    if consent.status != TripConsent.Status.REQUESTED:
        raise ValidationError(
            _("This trip consent is no longer waiting for a guardian."), code="answered"
        )
    if not consent.guardian_email:
        raise ValidationError(
            _("No guardian’s email address is known yet: the traveller gives it on their trip."),
            code="no_guardian",
        )
    _rate_limit(consent, consent.guardian_email)
    _consent_audit(consent, AuditEntry.Action.TRIP_CONSENT_REQUEST, by=by, detail="sent again")
    _send_after_commit(consent)
    return consent


@transaction.atomic
def trip_consent_sign(
    *, consent: TripConsent, guardian_name: str, agreed: bool, digest: str
) -> TripConsent:
    """The guardian signs for what they read: `digest` is the one of the page they saw, so a
    trip that changed meanwhile is shown again instead of signed."""
    consent = (
        TripConsent.objects.select_for_update(of=("self",))
        .select_related("application__program", "application__student", "household")
        .get(pk=consent.pk)
    )
    if not consent.is_current or consent.status != TripConsent.Status.REQUESTED:
        raise ValidationError(_("This trip consent is no longer waiting for an answer."))
    name = " ".join(guardian_name.split())
    errors: dict[str, list[str]] = {}
    if not name:
        errors["guardian_name"] = [_("Enter your full name.")]
    if not agreed:
        errors["agree"] = [_("Tick the box to consent to this trip.")]
    if errors:
        raise ValidationError(errors)
    shown = selectors.trip_consent_shown(consent=consent)
    if selectors.shown_digest(shown) != digest:
        raise ValidationError(
            _("The trip changed while you were reading it. Read it again, then sign."),
            code="changed",
        )
    consent.guardian_name = name
    consent.shown = shown
    consent.signed_at = timezone.now()
    consent.full_clean(exclude=["application", "household"])
    consent.save(update_fields=["guardian_name", "shown", "signed_at"])
    _consent_audit(consent, AuditEntry.Action.TRIP_CONSENT_SIGN, by=None)
    from exchange.tasks import send_trip_consent_signed

    pk = consent.pk
    transaction.on_commit(lambda: send_trip_consent_signed.delay(pk))
    return consent


@transaction.atomic
def trip_consent_withdraw(*, consent: TripConsent, reason: str = "") -> TripConsent:
    """The guardian withdraws (or refuses): the place is given up through the application's
    own transition, which offers it to the city's waitlist."""
    from exchange.services.applications import application_withdraw

    consent = (
        TripConsent.objects.select_for_update()
        .select_related("application__program", "application__student")
        .get(pk=consent.pk)
    )
    if consent.withdrawn_at is not None:
        raise ValidationError(_("This trip consent is already withdrawn."), code="withdrawn")
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    reason = " ".join(reason.split())[:300]
    _consent_audit(consent, AuditEntry.Action.TRIP_CONSENT_WITHDRAW, by=None, detail=reason)
    application = consent.application
    if application.state in (Application.State.ACCEPTED, Application.State.CONFIRMED):
        application_withdraw(
            application=application,
            by=None,
            reason=_("The guardian withdrew the trip consent.") + (f" {reason}" if reason else ""),
        )
    return consent


def trip_consent_send_request_email(*, consent: TripConsent) -> int:
    return _send_consent_email(consent, template="exchange/email/trip_consent_request")


def trip_consent_send_signed_email(*, consent: TripConsent) -> int:
    return _send_consent_email(consent, template="exchange/email/trip_consent_signed")


def _send_consent_email(consent: TripConsent, *, template: str) -> int:
    from django.urls import reverse

    from core.mail import build_templated_email, send_batch
    from exchange import trip_tokens

    application = consent.application
    student = application.student
    leg = selectors.travel_leg(application=application)
    message = build_templated_email(
        to=consent.guardian_email,
        template=template,
        context={
            "consent": consent,
            "student": student,
            "program": application.program,
            "leg": leg,
            "sign_path": reverse(
                "exchange:trip_consent", kwargs={"token": trip_tokens.sign_token(consent)}
            ),
            "withdraw_path": reverse(
                "exchange:trip_consent_withdraw",
                kwargs={"token": trip_tokens.withdraw_token(consent)},
            ),
            "link_days": settings.GUARDIAN_LINK_MAX_AGE_DAYS,
        },
        # The guardian has no account: they read in the student's language, as the account
        # consent emails (accounts.services).
        language=student.preferred_language,
        time_zone=application.city.time_zone,
    )
    return send_batch([message])
