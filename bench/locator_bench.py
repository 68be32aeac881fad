"""Locator: median and p95 response of a visit's locator page at 50 and 500 participants,
and its query count (the same at both sizes: it must not grow with the participants).

Runs against PostgreSQL (BENCH_DATABASE_URL, default the local `exchange_bench` database, which
it migrates and fills from scratch). Prints figures; asserts nothing.
    python bench/locator_bench.py [--sizes 50 500] [--runs 30]
"""

import argparse
import os
import statistics
import sys
import time as clock
from datetime import date, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/exchange_bench"
)
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exchange.settings")
# The fields encrypted at rest need a key when DEBUG is off; a fixed one, for bench data only.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "YmVuY2gtb25seS1rZXktYmVuY2gtb25seS1rZXktMDA=")

import django

django.setup()

import psycopg  # noqa: E402
from allauth.mfa.totp.internal.auth import TOTP  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import CoordinatorMembership, User  # noqa: E402
from core.models import City, Language  # noqa: E402
from exchange.models import (  # noqa: E402
    Application,
    Household,
    ItineraryItem,
    MatchGroup,
    Matching,
    MatchMember,
    Program,
    ProgramCity,
    VisitLeg,
)


def recreate_database() -> None:
    name = settings.DATABASES["default"]["NAME"]
    params = settings.DATABASES["default"]
    with psycopg.connect(
        host=params["HOST"],
        port=params["PORT"] or 5432,
        user=params["USER"],
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)
    # Production serves hashed static files; the pages need their manifest.
    call_command("collectstatic", interactive=False, verbosity=0)


def cities() -> tuple[City, City]:
    korean = Language.objects.get(code="ko")
    gwangju = City.objects.create(
        slug="a",
        name_local="광주시",
        name_en="Gwangju",
        country="KR",
        time_zone="Asia/Seoul",
        main_language=korean,
    )
    zibo = City.objects.create(
        slug="b",
        name_local="淄博市",
        name_en="Zibo",
        country="CN",
        time_zone="Asia/Shanghai",
        main_language_id="zh",
    )
    return gwangju, zibo


def populate(count: int, gwangju: City, zibo: City, day: date) -> Program:
    """A published visit of `count` participants in buddy pairs, half in each city, every
    home approved, the leg to Gwangju running on `day` with a full day's itinerary."""
    now = timezone.now()
    program = Program.objects.create(
        kind="visit",
        title=f"Bench visit of {count}",
        description="…",
        applications_open=now - timedelta(days=90),
        applications_close=now - timedelta(days=60),
        starts_on=day - timedelta(days=1),
        ends_on=day + timedelta(days=12),
        min_age=10,
        max_age=20,
        status="closed",
    )
    half = count // 2
    for city in (gwangju, zibo):
        ProgramCity.objects.create(program=program, city=city, quota=half)
    leg = VisitLeg.objects.create(
        program=program,
        host_city=gwangju,
        departs_on=day - timedelta(days=1),
        returns_on=day + timedelta(days=4),
    )
    VisitLeg.objects.create(
        program=program,
        host_city=zibo,
        departs_on=day + timedelta(days=7),
        returns_on=day + timedelta(days=12),
    )
    for start, end, kind, place in (
        (time(8), time(9), "travel", "Bus to the kilns"),
        (time(9), time(12), "group", "Gonjiam Ceramic Park"),
        (time(12), time(14), "free", "Gyeongan market"),
        (time(14), time(17), "group", "Gwangju Kiln Museum"),
        (time(18), None, "household", "Host homes"),
    ):
        ItineraryItem.objects.create(
            leg=leg,
            day=day,
            starts_at=start,
            ends_at=end,
            kind=kind,
            place=place,
            activity=place,
            responsible_adult="Ms Park",
            transport="Bus 1113" if kind == "travel" else "",
        )
    students = User.objects.bulk_create(
        User(
            email=f"s{program.pk}-{n}@bench.example",
            native_name=f"학생{n}" if n < half else f"学生{n}",
            latin_name=f"Student {n}",
            date_of_birth=date(2010, 1 + n % 12, 1 + n % 28),
            home_city=gwangju if n < half else zibo,
        )
        for n in range(2 * half)
    )
    applications = Application.objects.bulk_create(
        Application(program=program, student=s, city=s.home_city, state="confirmed", motivation="…")
        for s in students
    )
    Household.objects.bulk_create(
        Household(
            student=s,
            city=s.home_city,
            family_name=f"Family {n}",
            district="Gyeongan-dong",
            address=f"{n} Example-ro",
            phone="+82 31 760 0000",
            status="approved",
            approved_on=day - timedelta(days=30),
            approved_until=day + timedelta(days=300),
        )
        for n, s in enumerate(students)
    )
    matching = Matching.objects.create(
        program=program, status="published", version=1, published_at=now
    )
    groups = MatchGroup.objects.bulk_create(
        MatchGroup(matching=matching, kind="pair", number=n + 1) for n in range(half)
    )
    MatchMember.objects.bulk_create(
        MatchMember(group=group, matching=matching, application=application, role="buddy")
        for n, group in enumerate(groups)
        for application in (applications[n], applications[half + n])
    )
    return program


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    recreate_database()
    gwangju, zibo = cities()
    coordinator = User.objects.create_user("coord@bench.example", "x")
    CoordinatorMembership.objects.create(user=coordinator, city=gwangju)
    # Coordinators' pages need a second factor on the account (an authenticator app).
    TOTP.activate(coordinator, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    day = timezone.localdate()
    programs = {size: populate(size, gwangju, zibo, day) for size in args.sizes}
    client = Client()
    client.force_login(coordinator)
    print(f"Locator page, today during a stay ({args.runs} runs each)")
    pages = []
    for size, program in programs.items():
        pages.append(
            (f"{size:>4} participants, now", f"/coordinate/programs/{program.pk}/locator/")
        )
        # A daytime moment: everyone at one group activity (one place, not 250 homes).
        workshop = ItineraryItem.objects.get(leg__program=program, day=day, starts_at=time(9))
        pages.append(
            (
                f"{size:>4} participants, 09:00",
                f"/coordinate/programs/{program.pk}/locator/?day={day.isoformat()}"
                f"&moment=item-{workshop.pk}",
            )
        )
    # The floor every coordinator page pays (session, second factor, frame): a light page.
    program = programs[max(programs)]
    pages.append(("a light page (floor)", f"/coordinate/programs/{program.pk}/household-visits/"))
    for label, url in pages:
        for _ in range(3):
            assert client.get(url, secure=True).status_code == 200
        timings = []
        for _ in range(args.runs):
            start = clock.perf_counter()
            response = client.get(url, secure=True)
            timings.append((clock.perf_counter() - start) * 1000)
            assert response.status_code == 200
        queries: list[str] = []

        def count(run, sql, *rest, queries=queries):
            queries.append(sql)
            return run(sql, *rest)

        with connection.execute_wrapper(count):
            client.get(url, secure=True)
        timings.sort()
        print(
            f"  {label:<26} p50 {statistics.median(timings):6.1f} ms  "
            f"p95 {timings[max(0, int(len(timings) * 0.95) - 1)]:6.1f} ms  "
            f"queries {len(queries)}   (goal: p50 ≤ 100 ms at 500)"
        )


if __name__ == "__main__":
    main()
