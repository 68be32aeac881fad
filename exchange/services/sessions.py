"""State changes of an online program's schedule: its live sessions and their attendance."""

import zoneinfo
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.policy import require
from core.times import local_label
from exchange.audit import audit
from exchange.models import PARTICIPATING, Application, Attendance, AuditEntry, LiveSession, Program
from exchange.selectors.sessions import coordinator_time_zone

SESSION_MAX = timedelta(hours=6)


def _program_window(program: Program) -> tuple[datetime, datetime]:
    """From the first moment of the program's first day anywhere among its cities to the last
    moment of its last day anywhere among them."""
    zones = {
        zoneinfo.ZoneInfo(zone)
        for zone in program.program_cities.values_list("city__time_zone", flat=True)
    } or {zoneinfo.ZoneInfo(settings.TIME_ZONE)}
    first = min(datetime.combine(program.starts_on, time(0), tzinfo=zone) for zone in zones)
    last = max(
        datetime.combine(program.ends_on + timedelta(days=1), time(0), tzinfo=zone)
        for zone in zones
    )
    return first, last


def _lock_online_program(program: Program, by: User) -> Program:
    # Locking the program serialises every schedule change of it, so two coordinators can't
    # add overlapping sessions at the same moment.
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.kind != Program.Kind.ONLINE:
        raise ValidationError(
            _(
                "Live sessions are for online exchanges. “%(title)s” is a mutual visit: its "
                "participants meet in person, so it has no chat sessions to schedule."
            )
            % {"title": program.title},
            code="not_online",
        )
    require(
        by,
        "exchange.schedule_sessions",
        program,
        message=_("Only the program’s coordinators schedule its sessions."),
    )
    return program


def _require_not_started(session: LiveSession, now: datetime) -> None:
    if session.starts_at <= now:
        raise ValidationError(
            _("“%(title)s” has already started: it can’t be moved or deleted any more.")
            % {"title": session.title},
            code="started",
        )


def _validate_session(
    *,
    program: Program,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    zone: str,
    session: LiveSession | None = None,
) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("Session times must be aware datetimes.")
    errors: dict[str, list[str]] = {}
    if not title:
        errors.setdefault("title", []).append(_("Give the session a title."))
    if starts_at <= now:
        errors.setdefault("starts_at", []).append(_("A session must start in the future."))
    if ends_at <= starts_at:
        errors.setdefault("ends_at", []).append(_("A session must end after it starts."))
    elif ends_at - starts_at > SESSION_MAX:
        errors.setdefault("ends_at", []).append(
            _("A session lasts at most %(hours)d hours.")
            % {"hours": SESSION_MAX.total_seconds() // 3600}
        )
    first, last = _program_window(program)
    if starts_at < first or ends_at > last:
        errors.setdefault(NON_FIELD_ERRORS, []).append(
            _("Sessions take place during the program, from %(start)s to %(end)s.")
            % {"start": program.starts_on.isoformat(), "end": program.ends_on.isoformat()}
        )
    if not errors:
        overlapping = (
            LiveSession.objects.filter(
                program=program, starts_at__lt=ends_at, ends_at__gt=starts_at
            )
            .exclude(pk=session.pk if session else None)
            .order_by("starts_at")
            .first()
        )
        if overlapping is not None:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("This overlaps “%(title)s”, from %(start)s to %(end)s.")
                % {
                    "title": overlapping.title,
                    "start": local_label(overlapping.starts_at, zone),
                    "end": local_label(overlapping.ends_at, zone),
                }
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def session_create(
    *,
    program: Program,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    by: User,
    now: datetime | None = None,
) -> LiveSession:
    """Schedule a live session of an online program, inside its dates, overlapping no other."""
    now = now or timezone.now()
    program = _lock_online_program(program, by)
    title = title.strip()
    _validate_session(
        program=program,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        now=now,
        zone=coordinator_time_zone(user=by, program=program),
    )
    return LiveSession.objects.create(
        program=program, title=title[:200], starts_at=starts_at, ends_at=ends_at, created_by=by
    )


@transaction.atomic
def session_update(
    *,
    session: LiveSession,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    by: User,
    now: datetime | None = None,
) -> LiveSession:
    """Rename or move a session. A session that has started keeps its times: attendance
    was counted against them. Its title may still be corrected."""
    now = now or timezone.now()
    program = _lock_online_program(session.program, by)
    session = LiveSession.objects.get(pk=session.pk)
    title = title.strip()
    if (starts_at, ends_at) != (session.starts_at, session.ends_at):
        _require_not_started(session, now)
        _validate_session(
            program=program,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            now=now,
            zone=coordinator_time_zone(user=by, program=program),
            session=session,
        )
    elif not title:
        raise ValidationError({"title": [_("Give the session a title.")]})
    session.title = title[:200]
    session.starts_at, session.ends_at = starts_at, ends_at
    session.save(update_fields=["title", "starts_at", "ends_at"])
    return session


@transaction.atomic
def session_delete(*, session: LiveSession, by: User, now: datetime | None = None) -> None:
    """Remove a session that has not started yet (one that has carries attendance)."""
    now = now or timezone.now()
    _lock_online_program(session.program, by)
    session = LiveSession.objects.get(pk=session.pk)
    _require_not_started(session, now)
    session.delete()


@transaction.atomic
def attendance_set(
    *,
    session: LiveSession,
    application: Application,
    attended: bool | None,
    by: User,
    now: datetime | None = None,
) -> Attendance:
    """A coordinator of the participant's city corrects their attendance of a session:
    True or False overrides what was counted, None goes back to the count. Audited."""
    now = now or timezone.now()
    application = Application.objects.select_related("student").get(pk=application.pk)
    if application.program_id != session.program_id or application.state not in PARTICIPATING:
        raise ValidationError(
            _("%(name)s does not take part in this program.")
            % {"name": application.student.display_name},
            code="not_participant",
        )
    require(
        by,
        "exchange.correct_attendance",
        application,
        message=_("Only coordinators of the participant’s city correct their attendance."),
    )
    if session.starts_at > now:
        raise ValidationError(
            _("“%(title)s” hasn’t started yet.") % {"title": session.title}, code="not_started"
        )
    attendance, _created = Attendance.objects.select_for_update().get_or_create(
        session=session, application=application
    )
    attendance.attended = attended
    attendance.marked_by = by
    attendance.marked_at = now
    attendance.save(update_fields=["attended", "marked_by", "marked_at"])
    outcome = {True: "attended", False: "absent", None: "as counted"}[attended]
    audit(
        action=AuditEntry.Action.ATTENDANCE_SET,
        by=by,
        program_id=session.program_id,
        city_ids=[application.city_id],
        application_id=application.pk,
        detail=f"{session.title} ({session.starts_at:%Y-%m-%d %H:%M} UTC): {outcome}",
    )
    return attendance
