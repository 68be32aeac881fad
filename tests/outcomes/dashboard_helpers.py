"""Programs with participants for the dashboard tests, built with the ORM."""

from datetime import timedelta

from django.utils import timezone

from exchange.models import Application, Attendance, LiveSession
from tests import factories


def ended_program(cities, *, days_ago: int = 20, carol=None, **kwargs):
    """A completed program of `cities` that ended `days_ago` days ago (this year in Dec)."""
    today = timezone.localdate()
    return factories.ProgramFactory(
        cities={city: 10 for city in cities},
        created_by=carol,
        applications_open=timezone.now() - timedelta(days=days_ago + 90),
        applications_close=timezone.now() - timedelta(days=days_ago + 60),
        starts_on=today - timedelta(days=days_ago + 10),
        ends_on=today - timedelta(days=days_ago),
        status="completed",
        **kwargs,
    )


def applications(program, city, n: int, state: str = "confirmed", **kwargs) -> list[Application]:
    return [
        factories.ApplicationFactory(
            program=program,
            student=factories.StudentFactory(home_city=city, **kwargs),
            city=city,
            state=state,
        )
        for _ in range(n)
    ]


def session(program, present: list[Application], absent: list[Application] = ()):
    starts = timezone.now() - timedelta(days=25)
    live = LiveSession.objects.create(
        program=program, title="Welcome call", starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    for application in present:
        Attendance.objects.create(session=live, application=application, attended=True)
    for application in absent:
        Attendance.objects.create(session=live, application=application, attended=False)
    return live
