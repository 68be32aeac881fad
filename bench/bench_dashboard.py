"""Partnership dashboard: p50/p90 of the page over 5 years at two sizes (5 programs and 500
applications; 50 programs and 10,000 applications), and its query count (the same at both
sizes: it must not grow with the programs and applications).

Runs against PostgreSQL (BENCH_DATABASE_URL, default the local `exchange_bench` database, which
it migrates and fills from scratch). Prints figures; asserts nothing but the page's status.
    python bench/bench_dashboard.py [--runs 20]
"""

import argparse
import os
import statistics
import sys
import time as clock
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
# The fields encrypted at rest need a key when DEBUG is off; a fixed one, for bench data only.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "YmVuY2gtb25seS1rZXktYmVuY2gtb25seS1rZXktMDA=")

import django

django.setup()

from allauth.mfa.totp.internal.auth import TOTP  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import CoordinatorMembership, User  # noqa: E402
from bench.locator_bench import recreate_database  # noqa: E402
from core.models import City, Partnership  # noqa: E402
from exchange.models import (  # noqa: E402
    Application,
    Attendance,
    LiveSession,
    Program,
    ProgramCity,
)
from outcomes.models import Survey, SurveyAnswer, SurveyQuestion, SurveyRequest  # noqa: E402

STATES = ["completed"] * 6 + ["confirmed", "rejected", "withdrawn", "under_review"]


def city(slug: str, local: str, english: str, country: str, zone: str, language: str) -> City:
    return City.objects.create(
        slug=slug,
        name_local=local,
        name_en=english,
        country=country,
        time_zone=zone,
        main_language_id=language,
    )


def populate(a: City, b: City, *, programs: int, applications: int) -> Partnership:
    """`programs` programs over the last five years, `applications` applications spread over
    them (both cities), a live session with attendance and a post survey on each."""
    partnership = Partnership.objects.create(
        city_a=min(a, b, key=lambda c: c.pk),
        city_b=max(a, b, key=lambda c: c.pk),
        kind="sister",
        since=2003,
        status="active",
    )
    today = timezone.localdate()
    now = timezone.now()
    made = []
    for n in range(programs):
        ends = date(today.year - 4 + n % 5, 7, 1 + n % 28)
        made.append(
            Program(
                kind="visit",
                title=f"Bench exchange {a.slug}-{n}",
                description="…",
                applications_open=now - timedelta(days=2000),
                applications_close=now - timedelta(days=1900),
                starts_on=ends - timedelta(days=10),
                ends_on=ends,
                min_age=12,
                max_age=20,
                status="completed",
            )
        )
    made = Program.objects.bulk_create(made)
    ProgramCity.objects.bulk_create(
        ProgramCity(program=p, city=c, quota=200) for p in made for c in (a, b)
    )
    students = User.objects.bulk_create(
        User(
            email=f"s-{a.slug}{b.slug}-{n}@bench.example",
            native_name=f"학생{n}" if n % 2 else f"学生{n}",
            latin_name=f"Student {n}",
            date_of_birth=date(2008 + n % 6, 1 + n % 12, 1 + n % 28),
            home_city=a if n % 2 else b,
        )
        for n in range(applications)
    )
    apps = Application.objects.bulk_create(
        Application(
            program=made[n % programs],
            student=s,
            city=s.home_city,
            state=STATES[n % len(STATES)],
            gender=["female", "male", "other"][n % 3],
            motivation="…",
        )
        for n, s in enumerate(students)
    )
    sessions = LiveSession.objects.bulk_create(
        LiveSession(
            program=p,
            title="Welcome call",
            starts_at=timezone.make_aware(
                timezone.datetime(p.starts_on.year, p.starts_on.month, p.starts_on.day, 9)
            ),
            ends_at=timezone.make_aware(
                timezone.datetime(p.starts_on.year, p.starts_on.month, p.starts_on.day, 10)
            ),
        )
        for p in made
    )
    session_of = {s.program_id: s for s in sessions}
    participating = [x for x in apps if x.state in ("confirmed", "completed")]
    Attendance.objects.bulk_create(
        Attendance(session=session_of[x.program_id], application=x, attended=n % 4 != 0)
        for n, x in enumerate(participating)
    )
    surveys = Survey.objects.bulk_create(Survey(program=p, phase="post") for p in made)
    questions = {
        s.program_id: q
        for s, q in zip(
            surveys,
            SurveyQuestion.objects.bulk_create(
                SurveyQuestion(
                    survey=s, kind="likert", measures="satisfaction", text={"en": "How?"}
                )
                for s in surveys
            ),
            strict=True,
        )
    }
    survey_of = {s.program_id: s for s in surveys}
    requests = SurveyRequest.objects.bulk_create(
        SurveyRequest(survey=survey_of[x.program_id], application=x, status="submitted")
        for x in participating
    )
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(request=r, question=questions[x.program_id], number=3 + n % 3)
        for n, (r, x) in enumerate(zip(requests, participating, strict=True))
    )
    return partnership


def measure(client: Client, url: str, runs: int) -> tuple[list[float], int]:
    for _ in range(3):
        assert client.get(url, secure=True).status_code == 200
    timings = []
    for _ in range(runs):
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
    return sorted(timings), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    recreate_database()
    gwangju = city("a", "광주시", "Gwangju", "KR", "Asia/Seoul", "ko")
    zibo = city("b", "淄博市", "Zibo", "CN", "Asia/Shanghai", "zh")
    hue = city("d", "Huế", "Hue", "VN", "Asia/Ho_Chi_Minh", "vi")
    coordinator = User.objects.create_user("coord@bench.example", "x")
    CoordinatorMembership.objects.create(user=coordinator, city=gwangju)
    TOTP.activate(coordinator, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    sizes = {
        "5 programs, 500 applications": populate(gwangju, hue, programs=5, applications=500),
        "50 programs, 10,000 applications": populate(
            gwangju, zibo, programs=50, applications=10_000
        ),
    }
    # A live database's statistics are kept by autovacuum; fresh bulk inserts need them taken.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client()
    client.force_login(coordinator)
    print(f"Partnership dashboard over 5 years ({args.runs} requests each)")
    pages = [(label, f"/outcomes/partnerships/{p.pk}/") for label, p in sizes.items()]
    # The floor every page pays (session, second factor, menu, frame): the outcomes' home.
    pages.append(("the outcomes' home (floor)", "/outcomes/"))
    for label, url in pages:
        timings, queries = measure(client, url, args.runs)
        print(
            f"  {label:<34} p50 {statistics.median(timings):6.1f} ms  "
            f"p90 {timings[max(0, int(len(timings) * 0.9) - 1)]:6.1f} ms  "
            f"queries {queries}   (goal: p50 ≤ 150 ms at 10,000)"
        )


if __name__ == "__main__":
    main()
