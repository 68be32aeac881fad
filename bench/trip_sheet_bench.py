"""Trip sheet figures (issue 15): one traveller's sheet warm, the batch of a leg with 100
travellers (goal <= 10 s on this machine) repeated to show its memory stays flat, and the
batch laid out with different numbers of travellers per WeasyPrint document.

Run with `make bench-trips`, or one part: `python bench/trip_sheet_bench.py --parts batch`.
Prints figures with the goals beside them and asserts nothing. The database is PostgreSQL at
BENCH_DATABASE_URL (default the local `exchange_bench`), dropped, migrated and filled here:
two cities, a published matching of 100 buddy pairs with their households, every traveller's
emergency information (encrypted, as stored) and a five-day itinerary. Stored files go to a
temporary folder, removed at the end.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
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
# A fixed Fernet key for the benchmark's made-up people only.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "YmVuY2gtb25seS1rZXktMDEyMzQ1Njc4OWFiY2RlZmc=")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="exchange-bench-media-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exchange.settings")

import django

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

TRAVELLERS = 100
BATCH_RUNS = 5
SINGLE_RUNS = 10
CHUNKS = (1, 10, 25, 100)
# Travellers' names, in turn: every script a sheet carries.
NAMES = (
    ("王晓雨", "Wang Xiaoyu"),
    ("李思琪", "Li Siqi"),
    ("田中さくら", "Tanaka Sakura"),
    ("Nguyễn Thị Lan", "Nguyen Thi Lan"),
)
PARTS = ("single", "batch", "chunks")


def status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"No {field} in /proc/self/status")


def timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def recreate_database() -> None:
    name = settings.DATABASES["default"]["NAME"]
    params = settings.DATABASES["default"]
    connection.close()
    if hasattr(connection, "close_pool"):
        connection.close_pool()
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


def visit_with_travellers(count: int):
    """A visit whose leg to Gwangju departs in 3 days (its emergency information is open),
    with `count` Zibo travellers, each placed with a Gwangju household."""
    from accounts.models import User
    from core.models import City
    from exchange.models import (
        Application,
        EmergencyInfo,
        Household,
        ItineraryItem,
        MatchGroup,
        Matching,
        MatchMember,
        Program,
        ProgramCity,
        VisitLeg,
    )

    gwangju = City.objects.create(
        slug="gwangju",
        name_local="광주시",
        name_en="Gwangju",
        country="KR",
        time_zone="Asia/Seoul",
        main_language_id="ko",
    )
    zibo = City.objects.create(
        slug="zibo",
        name_local="淄博市",
        name_en="Zibo",
        country="CN",
        time_zone="Asia/Shanghai",
        main_language_id="zh",
    )
    now = timezone.now()
    start = date.today() + timedelta(days=3)
    program = Program.objects.create(
        kind="visit",
        title="Gwangju–Zibo Ceramics Visit",
        description="…",
        applications_open=now - timedelta(days=90),
        applications_close=now - timedelta(days=60),
        starts_on=start,
        ends_on=start + timedelta(days=13),
        min_age=10,
        max_age=20,
        status="closed",
    )
    ProgramCity.objects.create(program=program, city=gwangju, quota=count)
    ProgramCity.objects.create(program=program, city=zibo, quota=count)
    leg = VisitLeg.objects.create(
        program=program,
        host_city=gwangju,
        departs_on=start,
        returns_on=start + timedelta(days=5),
        emergency_plan="Call the group leader first (+82 10 5555 0000), then 119.",
    )
    for day in leg.days():
        for hour, activity in (
            (9, "도자기 체험"),
            (12, "Lunch"),
            (14, "博物馆参观"),
            (18, "Dinner"),
        ):
            ItineraryItem.objects.create(
                leg=leg,
                day=day,
                starts_at=f"{hour:02d}:00",
                ends_at=f"{hour + 2:02d}:00",
                place="곤지암 도자공원",
                activity=activity,
                responsible_adult="Park Jiyeon",
                meeting_point="City hall gate",
                transport="Bus 500",
            )
    matching = Matching.objects.create(
        program=program, status=Matching.Status.PUBLISHED, version=1, published_at=now
    )
    for number in range(count):
        native, latin = NAMES[number % len(NAMES)]
        pair = []
        for city, prefix in ((gwangju, "host"), (zibo, "guest")):
            student = User.objects.create_user(
                f"{prefix}{number}@bench.example",
                None,  # no password to hash: 200 hashes took most of the filling
                native_name=native if city == zibo else "김민지",
                latin_name=latin if city == zibo else "Kim Minji",
                date_of_birth=date(2010, 3, 1),
                home_city=city,
            )
            pair.append(
                Application.objects.create(
                    program=program,
                    student=student,
                    city=city,
                    state="confirmed",
                    motivation="…",
                    submitted_at=now - timedelta(days=70),
                )
            )
        host, guest = pair
        Household.objects.create(
            student=host.student,
            city=gwangju,
            family_name=f"김씨 가족 {number}",
            district="Gyeongan-dong",
            address=f"{number} Gyeongan-ro, Gwangju-si, Gyeonggi-do",
            phone="+82 31 760 0000",
            status="approved",
            approved_on=date.today(),
            approved_until=date.today() + timedelta(days=365),
        )
        EmergencyInfo.objects.create(
            application=guest,
            contact_1_name="王芳",
            contact_1_relation="mother",
            contact_1_phone="+86 138 0000 0000",
            contact_2_name="王伟",
            contact_2_relation="father",
            contact_2_phone="+86 139 0000 0000",
            medical_conditions="Asthma",
            allergies="Peanuts",
            medications="Inhaler",
            dietary_needs="Halal",
            insurer="PICC",
            policy_number=f"PICC-{number:06d}",
            insurance_phone="+86 95518",
        )
        group = MatchGroup.objects.create(
            matching=matching, kind=MatchGroup.Kind.PAIR, number=number + 1
        )
        for application in pair:
            MatchMember.objects.create(
                group=group,
                matching=matching,
                application=application,
                role=MatchMember.Role.BUDDY,
            )
    coordinator = User.objects.create_user("carol@bench.example", None, latin_name="Carol")
    return leg, coordinator


def bench_single(leg) -> None:
    from exchange.selectors.sheets import leg_travellers
    from exchange.services.sheets import trip_sheet_pdf

    traveller = leg_travellers(leg=leg)[0]
    for _ in range(2):
        trip_sheet_pdf(leg=leg, application=traveller, language="en")
    runs = [
        timed(lambda: trip_sheet_pdf(leg=leg, application=traveller, language="en"))
        for _ in range(SINGLE_RUNS)
    ]
    walls = [wall for _, wall, _ in runs]
    print(
        f"one traveller's sheet (itinerary, numbers, a traveller), median of {SINGLE_RUNS} warm: "
        f"{statistics.median(walls) * 1000:.0f} ms wall, "
        f"{statistics.median(cpu for *_, cpu in runs) * 1000:.0f} ms CPU, "
        f"{len(runs[0][0]) / 1024:.0f} KiB"
    )


def one_batch(leg, coordinator):
    """A batch asked for and rendered as the task does, timed from the request."""
    from exchange.models import TripSheetBatch
    from exchange.services.sheets import trip_sheet_batch_render

    batch = TripSheetBatch.objects.create(leg=leg, requested_by=coordinator)
    finished, wall, cpu = timed(lambda: trip_sheet_batch_render(batch=batch))
    return finished, wall, cpu


def bench_batch(leg, coordinator) -> None:
    print(f"batch of {TRAVELLERS} travellers, {BATCH_RUNS} times (goal <= 10 s, memory flat):")
    for run in range(1, BATCH_RUNS + 1):
        finished, wall, cpu = one_batch(leg, coordinator)
        print(
            f"  run {run}: {finished.state}, {finished.pages} travellers, "
            f"{finished.file.size / 1024:.0f} KiB: {wall:.2f} s wall, {cpu:.2f} s CPU; "
            f"RSS {status_kib('VmRSS') / 1024:.0f} MiB, peak {status_kib('VmHWM') / 1024:.0f} MiB"
        )


def bench_chunks(leg, coordinator) -> None:
    from exchange.services import sheets

    print(f"batch of {TRAVELLERS} travellers by travellers per document (CHUNK):")
    default = sheets.CHUNK
    try:
        for chunk in CHUNKS:
            sheets.CHUNK = chunk
            finished, wall, cpu = one_batch(leg, coordinator)
            print(
                f"  CHUNK={chunk}: {wall:.2f} s wall, {cpu:.2f} s CPU, "
                f"{finished.file.size / 1024:.0f} KiB; peak RSS so far "
                f"{status_kib('VmHWM') / 1024:.0f} MiB"
            )
    finally:
        sheets.CHUNK = default


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    try:
        recreate_database()
        (leg, coordinator), wall, _ = timed(lambda: visit_with_travellers(TRAVELLERS))
        print(f"filled the database with {TRAVELLERS} pairs in {wall:.1f} s")
        if "single" in args.parts:
            bench_single(leg)
        # The repeated batches before the chunk sizes: a CHUNK=100 run raises the peak.
        if "batch" in args.parts:
            bench_batch(leg, coordinator)
        if "chunks" in args.parts:
            bench_chunks(leg, coordinator)
    finally:
        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


if __name__ == "__main__":
    main()
