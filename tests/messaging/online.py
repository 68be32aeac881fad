"""An online program for the live-session tests, with fixed dates and explicit moments.

Gwangju (Gyeonggi) is UTC+9 all year, Zibo UTC+8, Ha Long UTC+7; Milpitas is UTC-7 until
US daylight saving time ends on Sunday 2030-11-03, then UTC-8. Tests pass `now`/`at`
explicitly, so nothing depends on the clock; pages that read the clock get sessions in 2030.
"""

from datetime import UTC, date, datetime

from core.models import City
from exchange.models import Application, LiveSession, Program
from exchange.services import sessions as session_services
from tests import factories

STARTS_ON = date(2030, 10, 21)
ENDS_ON = date(2030, 11, 15)
# Earlier than every session here: sessions are scheduled "before" they happen.
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def ha_long() -> City:
    return factories.CityFactory(
        slug="ha-long",
        name_local="Hạ Long",
        name_en="Ha Long",
        country="VN",
        time_zone="Asia/Ho_Chi_Minh",
        main_language_id="vi",
    )


def milpitas() -> City:
    return factories.CityFactory(
        slug="milpitas",
        name_local="Milpitas",
        name_en="Milpitas",
        country="US",
        time_zone="America/Los_Angeles",
        main_language_id="en",
    )


def online_program(
    cities: dict[City, int],
    *,
    by,
    starts_on: date = STARTS_ON,
    ends_on: date = ENDS_ON,
    **fields,
) -> Program:
    return factories.ProgramFactory(
        kind="online",
        title=fields.pop("title", "Language café"),
        cities=cities,
        created_by=by,
        starts_on=starts_on,
        ends_on=ends_on,
        applications_open=utc(starts_on.year - 1, 1, 1),
        applications_close=utc(starts_on.year - 1, 2, 1),
        status="running",
        **fields,
    )


def participant(program: Program, city: City, email: str, *, state="confirmed", **fields):
    student = fields.pop("student", None) or factories.StudentFactory(
        email=email, home_city=city, **fields
    )
    return factories.ApplicationFactory(program=program, student=student, state=state)


def schedule(
    program: Program, by, starts_at: datetime, ends_at: datetime, title: str = "Session"
) -> LiveSession:
    return session_services.session_create(
        program=program, title=title, starts_at=starts_at, ends_at=ends_at, by=by, now=LONG_AGO
    )


def attending(application: Application) -> list[int]:
    """The ids of the sessions an application counts as attended, oldest first."""
    return [
        row.session_id
        for row in application.attendances.select_related("session").order_by("session__starts_at")
        if row.counts(row.session)
    ]
