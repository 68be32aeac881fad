"""Reads of an online program's schedule: live and upcoming sessions, attendance progress
and the coordinators' attendance grid."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils.translation import ngettext

from accounts.models import User
from accounts.rules import coordinator_city_ids
from core.models import City
from exchange.models import PARTICIPATING, Application, Attendance, LiveSession, Program


def coordinator_time_zone(*, user: User, program: Program) -> str:
    """The time zone a coordinator schedules a program's sessions in: their own city's among
    the program's cities (the first by name if they coordinate several)."""
    zone = (
        City.objects.filter(program_cities__program=program, pk__in=coordinator_city_ids(user))
        .order_by("name_en")
        .values_list("time_zone", flat=True)
        .first()
    )
    return zone or settings.TIME_ZONE


def live_session(program_id: int, now: datetime) -> LiveSession | None:
    """The program's session running at `now`, if any (sessions never overlap)."""
    return (
        LiveSession.objects.filter(program_id=program_id, starts_at__lte=now, ends_at__gt=now)
        .order_by("starts_at")
        .first()
    )


def upcoming_sessions(program: Program, now: datetime, limit: int = 5) -> list[LiveSession]:
    """The sessions not over yet at `now` (a live one first), soonest first."""
    return list(
        LiveSession.objects.filter(program=program, ends_at__gt=now).order_by("starts_at", "id")[
            :limit
        ]
    )


def program_sessions(*, program: Program) -> list[LiveSession]:
    return list(LiveSession.objects.filter(program=program).order_by("starts_at", "id"))


@dataclass(frozen=True)
class AttendanceProgress:
    """A participant's attendance against the program's requirement, over the sessions held."""

    attended: int
    held: int
    required_percent: int

    @property
    def needed(self) -> int:
        # Rounded up: 75 % of 3 sessions is 3, not 2.
        return -(-self.held * self.required_percent // 100)

    @property
    def met(self) -> bool:
        return self.attended >= self.needed

    def __str__(self) -> str:
        return ngettext(
            "attended %(attended)d of %(held)d session; %(needed)d needed",
            "attended %(attended)d of %(held)d sessions; %(needed)d needed",
            self.held,
        ) % {"attended": self.attended, "held": self.held, "needed": self.needed}


def attendance_progress(
    *, program: Program, application_ids: list[int], now: datetime
) -> dict[int, AttendanceProgress]:
    """Each application's attendance over the program's sessions that ended by `now`.

    Two queries whatever the number of applications (one when no session has ended).
    """
    held = {
        session.pk: session
        for session in LiveSession.objects.filter(program=program, ends_at__lte=now)
    }
    attended = dict.fromkeys(application_ids, 0)
    if held and application_ids:
        rows = Attendance.objects.filter(session_id__in=held, application_id__in=application_ids)
        for row in rows:
            if row.counts(held[row.session_id]):
                attended[row.application_id] += 1
    return {
        application_id: AttendanceProgress(
            attended=count, held=len(held), required_percent=program.attendance_required_percent
        )
        for application_id, count in attended.items()
    }


@dataclass(frozen=True)
class AttendanceCell:
    session: LiveSession
    attendance: Attendance | None
    # "attended", "absent" or "live" (the session is still running).
    status: str


@dataclass(frozen=True)
class AttendanceRow:
    application: Application
    cells: list[AttendanceCell]
    progress: AttendanceProgress


@dataclass(frozen=True)
class AttendanceGrid:
    sessions: list[LiveSession]  # the sessions that have started, oldest first
    rows: list[AttendanceRow]


def attendance_grid(*, program: Program, now: datetime) -> AttendanceGrid:
    """Participants × sessions started by `now`. Three queries whatever the size."""
    sessions = list(
        LiveSession.objects.filter(program=program, starts_at__lte=now).order_by("starts_at", "id")
    )
    applications = list(
        Application.objects.filter(program=program, state__in=PARTICIPATING)
        .select_related("student", "city")
        .order_by("city__name_en", "student__latin_name", "id")
    )
    found = {
        (row.session_id, row.application_id): row
        for row in Attendance.objects.filter(
            session__program=program, session__starts_at__lte=now
        ).select_related("marked_by")
    }
    held = sum(1 for session in sessions if session.ends_at <= now)
    rows = []
    for application in applications:
        cells, attended = [], 0
        for session in sessions:
            attendance = found.get((session.pk, application.pk))
            counts = attendance is not None and attendance.counts(session)
            if session.ends_at > now:
                status = "live"
            else:
                status = "attended" if counts else "absent"
                attended += counts
            cells.append(AttendanceCell(session=session, attendance=attendance, status=status))
        progress = AttendanceProgress(
            attended=attended, held=held, required_percent=program.attendance_required_percent
        )
        rows.append(AttendanceRow(application=application, cells=cells, progress=progress))
    return AttendanceGrid(sessions=sessions, rows=rows)


@dataclass(frozen=True)
class ParticipantSchedule:
    """What a participant sees of their online program's sessions, in their city's time."""

    time_zone: str
    upcoming: list[LiveSession]
    progress: AttendanceProgress
    now: datetime


def participant_schedule(
    *, application: Application, now: datetime, limit: int = 5
) -> ParticipantSchedule | None:
    """None unless the application takes part in an online program. Three queries at most."""
    program = application.program
    if program.kind != Program.Kind.ONLINE or application.state not in PARTICIPATING:
        return None
    return ParticipantSchedule(
        time_zone=application.city.time_zone,
        upcoming=upcoming_sessions(program, now, limit),
        progress=attendance_progress(program=program, application_ids=[application.pk], now=now)[
            application.pk
        ],
        now=now,
    )
