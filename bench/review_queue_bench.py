"""Review queue: median response with 1,000 applications, and its query count.

Runs against PostgreSQL (BENCH_DATABASE_URL, default the local `exchange_bench` database, which
it migrates and fills from scratch). Prints figures; asserts nothing.
    python bench/review_queue_bench.py [--applications 1000] [--runs 30]
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/exchange_bench"
)
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exchange.settings")

import django

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import CoordinatorMembership, User  # noqa: E402
from core.models import City, Language  # noqa: E402
from exchange.models import (  # noqa: E402
    Application,
    ApplicationLanguage,
    Program,
    ProgramCity,
    Review,
    RubricCriterion,
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


def populate(count: int) -> tuple[Program, User]:
    korean = Language.objects.get(code="ko")
    seoul = City.objects.create(
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
    now = timezone.now()
    program = Program.objects.create(
        kind="visit",
        title="Bench exchange",
        description="…",
        applications_open=now - timedelta(days=5),
        applications_close=now + timedelta(days=20),
        starts_on=date.today() + timedelta(days=60),
        ends_on=date.today() + timedelta(days=70),
        min_age=10,
        max_age=20,
        status="open",
    )
    ProgramCity.objects.create(program=program, city=seoul, quota=500)
    ProgramCity.objects.create(program=program, city=zibo, quota=500)
    criteria = [
        RubricCriterion.objects.create(program=program, name=name, weight=w)
        for name, w in (("Motivation", 2), ("Languages", 1))
    ]
    coordinator = User.objects.create_user("coord@bench.example", "x")
    CoordinatorMembership.objects.create(user=coordinator, city=seoul)
    students = User.objects.bulk_create(
        User(
            email=f"s{n}@bench.example",
            native_name=f"학생{n}",
            latin_name=f"Student {n}",
            date_of_birth=date(2010, 1 + n % 12, 1 + n % 28),
            home_city=seoul,
        )
        for n in range(count)
    )
    states = ["submitted", "under_review", "waitlisted", "accepted", "rejected"]
    applications = Application.objects.bulk_create(
        Application(
            program=program,
            student=s,
            city=seoul,
            state=states[n % len(states)],
            motivation="…",
            submitted_at=now - timedelta(minutes=n),
        )
        for n, s in enumerate(students)
    )
    ApplicationLanguage.objects.bulk_create(
        ApplicationLanguage(application=a, language_id=code, level=level)
        for a in applications
        for code, level in (("ko", 4), ("en", 1 + a.pk % 3))
    )
    Review.objects.bulk_create(
        Review(application=a, reviewer=coordinator, total=1 + (a.pk % 40) / 10, submitted_at=now)
        for a in applications[::2]
    )
    del criteria
    return program, coordinator


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    recreate_database()
    program, coordinator = populate(args.applications)
    client = Client()
    client.force_login(coordinator)
    urls = {
        "queue, first page": f"/coordinate/programs/{program.pk}/applications/",
        "queue, sorted by score": f"/coordinate/programs/{program.pk}/applications/?sort=-score",
        "queue, filtered": (
            f"/coordinate/programs/{program.pk}/applications/"
            "?state=under_review&language=en&min_age=14&min_score=2"
        ),
    }
    print(f"Review queue with {args.applications} applications ({args.runs} runs each)")
    for label, url in urls.items():
        for _ in range(3):
            assert client.get(url, secure=True).status_code == 200
        timings = []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get(url, secure=True)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        queries: list[str] = []

        def count(run, sql, *rest, queries=queries):
            queries.append(sql)
            return run(sql, *rest)

        with connection.execute_wrapper(count):
            client.get(url, secure=True)
        print(
            f"  {label:<24} median {statistics.median(timings):6.1f} ms  "
            f"p90 {sorted(timings)[int(len(timings) * 0.9) - 1]:6.1f} ms  "
            f"queries {len(queries)}   (goal: median ≤ 100 ms)"
        )


if __name__ == "__main__":
    main()
