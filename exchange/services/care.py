"""Care during a visit: messages to travellers, household visits during the stay, and
incidents with their timeline, notices and export."""

import logging
import zoneinfo
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core.mail import build_templated_email
from core.policy import require
from exchange.audit import audit
from exchange.exports import rows_to_csv
from exchange.models import (
    PARTICIPATING,
    Application,
    AuditEntry,
    CityCarePolicy,
    Household,
    HouseholdVisit,
    Incident,
    IncidentUpdate,
    Program,
    TripMessage,
    TripMessageDelivery,
    VisitLeg,
)
from exchange.models.households import ADULT_AGE
from exchange.rules import program_city_ids
from exchange.selectors import care as selectors

logger = logging.getLogger(__name__)
Email = TripMessageDelivery.Email


def _cities(program: Program) -> frozenset[int]:
    return program_city_ids(program)


def _zone_of(user: User, program: Program) -> str:
    own = {m.city_id: m.city for m in user.coordinator_memberships.all()}
    for city_id in sorted(own):
        if city_id in _cities(program):
            return own[city_id].time_zone
    return user.home_city.time_zone if user.home_city else settings.TIME_ZONE


def _is_minor(application: Application) -> bool:
    age = application.student.age()
    return age is not None and age < ADULT_AGE


# --- Messages to travellers -------------------------------------------------------------


@transaction.atomic
def trip_message_send(
    *,
    program: Program,
    by: User,
    audience: dict,
    subject: str,
    body: str,
    to_guardians: bool = False,
) -> TripMessage:
    """Send a coordinator's message to the audience chosen on the locator, rebuilt here from
    its ids (so only the program's participants can be reached): one delivery per recipient,
    emailed on commit and shown on their application page."""
    require(
        by,
        "exchange.manage_trip",
        program,
        message=_("Only the coordinators of the visit’s cities message its travellers."),
    )
    subject, body = subject.strip(), body.strip()
    errors = {}
    if not subject:
        errors["subject"] = _("Write a subject.")
    if not body:
        errors["body"] = _("Write the message.")
    if errors:
        raise ValidationError(errors)
    found = selectors.audience_for(program=program, spec=audience)
    if found is None:
        raise ValidationError(
            _("That group or place is not on this visit’s locator any more. Choose again."),
            code="audience",
        )
    recipients: dict[int, Application] = {}
    for application in found.applications:
        if application.state in PARTICIPATING and application.student.erased_at is None:
            recipients.setdefault(application.student_id, application)
    if not recipients:
        raise ValidationError(_("Nobody is there to receive the message."), code="empty")
    guardians = (
        selectors.guardian_emails(applications=[a for a in recipients.values() if _is_minor(a)])
        if to_guardians
        else {}
    )
    message = TripMessage.objects.create(
        program=program,
        sent_by=by,
        audience={**found.spec, "label": found.label},
        subject=subject,
        body=body,
        to_guardians=to_guardians,
    )
    TripMessageDelivery.objects.bulk_create(
        TripMessageDelivery(
            message=message,
            recipient_id=student_id,
            guardian_email=guardians.get(application.pk, ""),
            guardian_status=Email.QUEUED if application.pk in guardians else "",
        )
        for student_id, application in recipients.items()
    )
    audit(
        action=AuditEntry.Action.TRIP_MESSAGE,
        by=by,
        program_id=program.pk,
        city_ids=_cities(program),
        detail=f"{found.label}: {len(recipients)} recipients, {len(guardians)} guardians",
    )
    from exchange.tasks import send_trip_message

    message_id = message.pk
    transaction.on_commit(lambda: send_trip_message.delay(message_id))
    return message


def trip_message_deliver(*, message: TripMessage) -> int:
    """Email every queued delivery of a message (the student, and the guardian's copy), each
    in its reader's language; record each as sent or failed. The number of emails sent."""
    deliveries = list(
        message.deliveries.select_related("recipient__home_city").filter(email=Email.QUEUED)
    ) + list(
        message.deliveries.select_related("recipient__home_city")
        .filter(guardian_status=Email.QUEUED)
        .exclude(email=Email.QUEUED)
    )
    program = message.program
    sent = 0
    with get_connection() as connection:
        for delivery in deliveries:
            student = delivery.recipient
            zone = student.home_city.time_zone if student.home_city else ""
            context = {"message": message, "program": program, "student": student}
            if delivery.email == Email.QUEUED:
                delivery.email, delivery.emailed_at = _send(
                    connection,
                    build_templated_email(
                        to=student.email,
                        template="exchange/email/care_message",
                        context=context,
                        language=student.preferred_language,
                        time_zone=zone,
                    ),
                )
                sent += delivery.email == Email.SENT
            if delivery.guardian_status == Email.QUEUED:
                delivery.guardian_status, delivery.guardian_emailed_at = _send(
                    connection,
                    build_templated_email(
                        to=delivery.guardian_email,
                        template="exchange/email/care_message_guardian",
                        context=context,
                        language=student.preferred_language,
                        time_zone=zone,
                    ),
                )
                sent += delivery.guardian_status == Email.SENT
            delivery.save(
                update_fields=["email", "emailed_at", "guardian_status", "guardian_emailed_at"]
            )
    return sent


def _send(connection, email) -> tuple[str, datetime | None]:
    try:
        connection.send_messages([email])
    except Exception:  # one bad address must not stop the others
        logger.exception("A trip message could not be emailed")
        return Email.FAILED, None
    return Email.SENT, timezone.now()


@transaction.atomic
def trip_message_mark_read(*, delivery: TripMessageDelivery, by: User) -> TripMessageDelivery:
    require(
        by,
        "exchange.read_trip_message",
        delivery,
        message=_("Only the message’s recipient marks it read."),
    )
    if delivery.read_at is None:
        delivery.read_at = timezone.now()
        delivery.save(update_fields=["read_at"])
    return delivery


# --- Household visits during the stay ---------------------------------------------------


@transaction.atomic
def household_visit_record(
    *, leg: VisitLeg, household: Household, visited_on: date, notes: str, by: User
) -> HouseholdVisit:
    """A host city coordinator's visit to a household where a guest of this leg stays."""
    require(
        by,
        "exchange.visit_households",
        leg,
        message=_("Only the host city’s coordinators record visits to its households."),
    )
    errors = {}
    if household.pk not in {h.pk for h in selectors.leg_households(leg=leg)}:
        errors["household"] = _("Choose a household where a guest of this visit stays.")
    if not leg.departs_on <= visited_on <= leg.returns_on:
        errors["visited_on"] = _("Choose a day of the stay, from %(first)s to %(last)s.") % {
            "first": leg.departs_on.isoformat(),
            "last": leg.returns_on.isoformat(),
        }
    if errors:
        raise ValidationError(errors)
    visit = HouseholdVisit.objects.create(
        household=household, leg=leg, visited_on=visited_on, by=by, notes=notes.strip()
    )
    audit(
        action=AuditEntry.Action.HOUSEHOLD_VISIT,
        by=by,
        program_id=leg.program_id,
        city_ids=[leg.host_city_id],
        detail=f"{household.family_name}, {visited_on.isoformat()}",
    )
    return visit


# --- Incidents --------------------------------------------------------------------------


def _guardian_notice(application: Application, policies: dict[int, str]) -> str:
    return policies.get(application.city_id, CityCarePolicy.GuardianNotice.SERIOUS)


def _policies(incident: Incident) -> dict[int, str]:
    return dict(
        CityCarePolicy.objects.filter(
            city_id__in=[a.city_id for a in incident.involved.all()]
        ).values_list("city_id", "incident_guardian_notice")
    )


def _guardians_to_tell(incident: Incident) -> list[Application]:
    """The involved minors whose guardians the city's policy says are told of this incident."""
    policies = _policies(incident)
    Notice = CityCarePolicy.GuardianNotice
    return [
        a
        for a in incident.involved.all()
        if _is_minor(a)
        and (
            _guardian_notice(a, policies) == Notice.ALL
            or (_guardian_notice(a, policies) == Notice.SERIOUS and incident.is_serious)
        )
    ]


@transaction.atomic
def incident_log(
    *,
    program: Program,
    by: User,
    category: str,
    severity: str,
    involved: list[Application],
    occurred_at: datetime,
    what_happened: str,
    what_was_done: str = "",
    leg: VisitLeg | None = None,
) -> Incident:
    """Log an incident. A serious one (a safeguarding concern or high severity) tells every
    coordinator of the program's cities at once, and guardians as each child's city decides."""
    require(
        by,
        "exchange.manage_trip",
        program,
        message=_("Only the coordinators of the visit’s cities log its incidents."),
    )
    errors = {}
    if category not in Incident.Category.values:
        errors["category"] = _("Choose a category.")
    if severity not in Incident.Severity.values:
        errors["severity"] = _("Choose a severity.")
    participants = {a.pk for a in selectors.program_participants(program=program)}
    if any(a.pk not in participants for a in involved):
        errors["involved"] = _("Only the visit’s participants can be named.")
    if not what_happened.strip():
        errors["what_happened"] = _("Say what happened.")
    if timezone.is_naive(occurred_at):
        raise ValueError("occurred_at must be aware")
    if occurred_at > timezone.now():
        errors["occurred_at"] = _("An incident can’t have happened in the future.")
    if leg is not None and leg.program_id != program.pk:
        errors["leg"] = _("Choose a leg of this visit.")
    if errors:
        raise ValidationError(errors)
    incident = Incident.objects.create(
        program=program,
        leg=leg,
        category=category,
        severity=severity,
        occurred_at=occurred_at,
        what_happened=what_happened.strip(),
        what_was_done=what_was_done.strip(),
        reported_by=by,
    )
    incident.involved.set(involved)
    audit(
        action=AuditEntry.Action.INCIDENT_LOG,
        by=by,
        program_id=program.pk,
        city_ids=_cities(program),
        detail=f"#{incident.pk} {category}/{severity}",
    )
    if incident.is_serious or _guardians_to_tell(incident):
        from exchange.tasks import notify_incident

        incident_id = incident.pk
        transaction.on_commit(lambda: notify_incident.delay(incident_id))
    return incident


def incident_notify(*, incident: Incident) -> int:
    """Tell every coordinator of the program's cities of a serious incident, each in their
    language and city time, and the guardians its involved minors' cities' policies name (a
    notice that a coordinator will call, naming only their own child). Emails sent."""
    program = incident.program
    emails = []
    if incident.is_serious:
        for coordinator in selectors.program_coordinators(program=program):
            emails.append(
                build_templated_email(
                    to=coordinator.email,
                    template="exchange/email/incident_alert",
                    context={"incident": incident, "program": program, "coordinator": coordinator},
                    language=coordinator.preferred_language,
                    time_zone=_zone_of(coordinator, program),
                )
            )
    emails.extend(_guardian_emails(incident))
    sent = 0
    with get_connection() as connection:
        for email in emails:
            sent += _send(connection, email)[0] == Email.SENT
    return sent


def _guardian_emails(incident: Incident) -> list:
    children = _guardians_to_tell(incident)
    if incident.guardians_notified_at is not None or not children:
        return []
    addresses = selectors.guardian_emails(applications=children)
    emails = [
        build_templated_email(
            to=addresses[child.pk],
            template="exchange/email/incident_guardian",
            context={"program": incident.program, "student": child.student},
            language=child.student.preferred_language,
        )
        for child in children
        if child.pk in addresses
    ]
    Incident.objects.filter(pk=incident.pk).update(guardians_notified_at=timezone.now())
    return emails


def _require_incident(incident: Incident, by: User) -> None:
    require(
        by,
        "exchange.view_incident",
        incident,
        message=_("Only the coordinators of the visit’s cities see its incidents."),
    )


@transaction.atomic
def incident_guardians_notify(*, incident: Incident, by: User) -> int:
    """A coordinator tells the involved minors' guardians (cities whose policy leaves it to
    the coordinators). The number of guardians emailed."""
    _require_incident(incident, by)
    if incident.guardians_notified_at is not None:
        raise ValidationError(_("The guardians were already told."), code="told")
    children = [a for a in incident.involved.all() if _is_minor(a)]
    addresses = selectors.guardian_emails(applications=children)
    if not addresses:
        raise ValidationError(_("No involved minor has a guardian on record."), code="none")
    incident.guardians_notified_at = timezone.now()
    incident.save(update_fields=["guardians_notified_at"])
    audit(
        action=AuditEntry.Action.INCIDENT_UPDATE,
        by=by,
        program_id=incident.program_id,
        city_ids=_cities(incident.program),
        detail=f"#{incident.pk} guardians told ({len(addresses)})",
    )
    emails = [
        build_templated_email(
            to=addresses[child.pk],
            template="exchange/email/incident_guardian",
            context={"program": incident.program, "student": child.student},
            language=child.student.preferred_language,
        )
        for child in children
        if child.pk in addresses
    ]
    transaction.on_commit(lambda: _send_all(emails))
    return len(emails)


def _send_all(emails: list) -> None:
    with get_connection() as connection:
        for email in emails:
            _send(connection, email)


@transaction.atomic
def incident_add_update(*, incident: Incident, by: User, note: str) -> IncidentUpdate:
    _require_incident(incident, by)
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Write the follow-up.")})
    update = IncidentUpdate.objects.create(incident=incident, by=by, note=note)
    audit(
        action=AuditEntry.Action.INCIDENT_UPDATE,
        by=by,
        program_id=incident.program_id,
        city_ids=_cities(incident.program),
        detail=f"#{incident.pk} follow-up",
    )
    return update


def _set_status(incident: Incident, by: User, note: str, status: str, word: str) -> Incident:
    _require_incident(incident, by)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status == status:
        raise ValidationError(
            _("The incident is already closed.")
            if status == Incident.Status.CLOSED
            else _("The incident is already open."),
            code="status",
        )
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say why, for the timeline.")})
    incident.status = status
    incident.save(update_fields=["status"])
    IncidentUpdate.objects.create(incident=incident, by=by, note=note)
    audit(
        action=AuditEntry.Action.INCIDENT_UPDATE,
        by=by,
        program_id=incident.program_id,
        city_ids=_cities(incident.program),
        detail=f"#{incident.pk} {word}",
    )
    return incident


@transaction.atomic
def incident_close(*, incident: Incident, by: User, note: str) -> Incident:
    return _set_status(incident, by, note, Incident.Status.CLOSED, "closed")


@transaction.atomic
def incident_reopen(*, incident: Incident, by: User, note: str) -> Incident:
    return _set_status(incident, by, note, Incident.Status.OPEN, "reopened")


@transaction.atomic
def incident_open(*, incident: Incident, by: User) -> Incident:
    """Record that a coordinator read an incident (its page)."""
    _require_incident(incident, by)
    audit(
        action=AuditEntry.Action.INCIDENT_VIEW,
        by=by,
        program_id=incident.program_id,
        city_ids=_cities(incident.program),
        detail=f"#{incident.pk}",
    )
    return incident


@transaction.atomic
def incidents_list_open(*, program: Program, by: User) -> list[Incident]:
    """The program's incidents for a coordinator, the look recorded."""
    require(
        by,
        "exchange.manage_trip",
        program,
        message=_("Only the coordinators of the visit’s cities see its incidents."),
    )
    incidents = selectors.program_incidents(program=program)
    audit(
        action=AuditEntry.Action.INCIDENT_VIEW,
        by=by,
        program_id=program.pk,
        city_ids=_cities(program),
        detail=f"list of {len(incidents)}",
    )
    return incidents


@transaction.atomic
def incidents_export(*, program: Program, by: User, language: str, time_zone: str) -> bytes:
    """The program's incidents with their timelines as CSV, for a city's safeguarding
    officer: a row per incident, then a row per follow-up. Formulas are neutralised."""
    require(
        by,
        "exchange.manage_trip",
        program,
        message=_("Only the coordinators of the visit’s cities export its incidents."),
    )
    incidents = selectors.incidents_with_timelines(program=program)
    zone = zoneinfo.ZoneInfo(time_zone)
    with translation.override(language):
        header = [
            _("Incident"),
            _("Entry"),
            _("When"),
            _("Category"),
            _("Severity"),
            _("Status"),
            _("Host city"),
            _("Who was involved"),
            _("By"),
            _("What happened"),
            _("What was done"),
        ]
        rows = []
        for incident in incidents:
            rows.append(
                [
                    incident.pk,
                    _("Report"),
                    incident.occurred_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                    incident.get_category_display(),
                    incident.get_severity_display(),
                    incident.get_status_display(),
                    incident.leg.host_city.name_en if incident.leg else "",
                    "; ".join(a.student.display_name for a in incident.involved.all()),
                    incident.reported_by.display_name if incident.reported_by else "",
                    incident.what_happened,
                    incident.what_was_done,
                ]
            )
            for update in incident.updates.all():
                rows.append(
                    [
                        incident.pk,
                        _("Follow-up"),
                        update.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                        "",
                        "",
                        "",
                        "",
                        "",
                        update.by.display_name if update.by else "",
                        update.note,
                        "",
                    ]
                )
        data = rows_to_csv(header, rows)
    audit(
        action=AuditEntry.Action.INCIDENT_EXPORT,
        by=by,
        program_id=program.pk,
        city_ids=_cities(program),
        detail=f"{len(incidents)} incidents",
    )
    return data
