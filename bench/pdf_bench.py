"""Certificate figures: one certificate warm, memory over 1,000 renders, a coordinator's batch
of 200 stored certificates, and the student's download of a stored certificate through Django.

Run with `make bench-pdf`, or one part: `python bench/pdf_bench.py --parts download`. Prints
figures and the goals beside them; it asserts nothing, because timings depend on the machine
(docs/certificates.md records what we measured). Times are wall clock and this process's CPU
time: on a shared machine the wall clock includes waiting for a core, and the load average
printed first says how much.

The batch and the download use a database: PostgreSQL at BENCH_DATABASE_URL (default the
local `exchange_bench` database), which each drops, migrates and fills from scratch. The
batch's certificates are issued and rendered as the portal does it (the render runs when the
issue commits, eagerly here), then the batch service joins their stored PDFs. Stored files
go to a temporary folder, removed at the end.
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
# The certificate is rendered in this process when it is issued, as the tests do.
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="exchange-bench-media-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exchange.settings")

import django

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from exchange.pdf import qr_svg, render_pdf  # noqa: E402

SINGLE_RUNS = 20
WARM_UPS = 2
BATCH_PAGES = 200
# Batch holders' names, in turn: every script a certificate carries.
NAMES = ("김민지", "王晓雨", "田中さくら", "Nguyễn Thị Lan", "박서준", "李思琪")
MEMORY_RENDERS = 1000
MEMORY_WARM_UPS = 20
DOWNLOADS = 200
DOWNLOAD_WARM_UPS = 5
PARTS = ("single", "memory", "batch", "download")


def certificate_html(number: int) -> str:
    serial = f"GJ-2026-{number:06d}"
    verify_url = f"https://exchange.example/verify/{serial}"
    return render_to_string(
        "exchange/certificate.html",
        {
            "holder_native": "김민지",
            "holder_latin": "Kim Minji",
            "program_title": "Gwangju–Zibo Youth Robotics Camp",
            "cities": ["광주시 Gwangju", "淄博市 Zibo"],
            "starts_on": date(2026, 7, 20),
            "ends_on": date(2026, 7, 31),
            "issued_on": date(2026, 8, 3),
            "serial": serial,
            "verify_url": verify_url,
            "qr_svg": qr_svg(verify_url),
            "emblem_url": None,
            "signature_url": None,
            "signatory_name": "Park Jiwon",
            "languages": ["ko", "zh-hans"],
        },
    )


def one_certificate(number: int) -> bytes:
    return render_pdf(certificate_html(number))


def render_and_discard(count: int) -> None:
    # Keeping the results (a list comprehension) would hold 1,000 PDFs of ~400 KiB each and
    # report them as growth.
    for number in range(count):
        one_certificate(number)


def status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"No {field} in /proc/self/status")


def timed(function):
    """The call's result, and the wall and CPU seconds it took."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def bench_single() -> None:
    for number in range(WARM_UPS):
        one_certificate(number)
    runs = [timed(lambda number=number: one_certificate(number)) for number in range(SINGLE_RUNS)]
    walls = [wall for _, wall, _ in runs]
    cpus = [cpu for _, _, cpu in runs]
    print(
        f"one certificate (ko+zh-hans, template + QR + PDF), median of {SINGLE_RUNS} warm: "
        f"{statistics.median(walls) * 1000:.0f} ms wall (min {min(walls) * 1000:.0f}), "
        f"{statistics.median(cpus) * 1000:.0f} ms CPU (goal <= 100 ms)"
    )


def bench_memory() -> None:
    # Memory before the batch: the batch's freed pages would otherwise lower RSS meanwhile.
    for number in range(MEMORY_WARM_UPS):
        one_certificate(number)
    before = status_kib("VmRSS")
    _, wall, cpu = timed(lambda: render_and_discard(MEMORY_RENDERS))
    after = status_kib("VmRSS")
    print(
        f"RSS over {MEMORY_RENDERS} renders: {before / 1024:.1f} -> {after / 1024:.1f} MiB, "
        f"growth {(after - before) / 1024:.1f} MiB (goal <= 10 MB); "
        f"{wall * 1000 / MEMORY_RENDERS:.0f} ms wall, {cpu * 1000 / MEMORY_RENDERS:.0f} ms CPU "
        f"per render on average"
    )


def recreate_database() -> None:
    name = settings.DATABASES["default"]["NAME"]
    params = settings.DATABASES["default"]
    # A part before this one left connections (and a pool) on the database it drops.
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


def stored_certificates(count: int):
    """`count` completed participants of a visit between two cities, each with the
    certificate issued and rendered (a real PDF in private storage) as the portal does it.
    Returns the program, the applicant city and the certificates; each issue is timed."""
    from accounts.models import User
    from core.models import City, Language
    from exchange.models import Application, Certificate, Program, ProgramCity

    gwangju = City.objects.create(
        slug="gwangju",
        name_local="광주시",
        name_en="Gwangju",
        country="KR",
        time_zone="Asia/Seoul",
        main_language=Language.objects.get(code="ko"),
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
    program = Program.objects.create(
        kind="visit",
        title="Gwangju–Zibo Youth Robotics Camp",
        description="…",
        applications_open=now - timedelta(days=90),
        applications_close=now - timedelta(days=60),
        starts_on=date.today() - timedelta(days=20),
        ends_on=date.today() - timedelta(days=10),
        min_age=10,
        max_age=20,
        status="open",
    )
    ProgramCity.objects.create(program=program, city=gwangju, quota=count)
    ProgramCity.objects.create(program=program, city=zibo, quota=count)
    times = []
    for number in range(count):
        student = User.objects.create_user(
            f"student{number}@bench.example",
            "x",
            native_name=NAMES[number % len(NAMES)],
            latin_name="Kim Minji",
            date_of_birth=date(2009, 3, 1),
            home_city=gwangju,
            preferred_language="ko",
        )
        application = Application.objects.create(
            program=program,
            student=student,
            city=gwangju,
            state="completed",
            motivation="…",
            submitted_at=now - timedelta(days=70),
        )
        # Issued in a transaction, rendered (eagerly) when it commits, as the task would.
        _, wall, _ = timed(lambda application=application: issue(application))
        times.append(wall)
    certificates = list(Certificate.objects.filter(application__program=program).order_by("pk"))
    return program, gwangju, certificates, times


def issue(application):
    from exchange.services.certificates import certificate_issue

    with transaction.atomic():
        return certificate_issue(application=application, by=None)


def bench_batch() -> None:
    from exchange.models import CertificateBatch
    from exchange.services.certificates import certificates_batch_write

    recreate_database()
    program, city, _, issue_times = stored_certificates(BATCH_PAGES)
    print(
        f"issuing {BATCH_PAGES} certificates, each rendered and stored when its issue commits: "
        f"median {statistics.median(issue_times) * 1000:.0f} ms each"
    )
    for fmt in (CertificateBatch.Format.PDF, CertificateBatch.Format.ZIP):
        with tempfile.TemporaryFile() as out:
            written, wall, cpu = timed(
                lambda fmt=fmt, out=out: certificates_batch_write(
                    program=program, city_ids=[city.pk], fmt=fmt, out=out
                )
            )
            size = out.tell()
        print(
            f"batch of {len(written)} stored certificates as one {fmt.upper()}: "
            f"{wall * 1000 / len(written):.1f} ms/page wall, {cpu * 1000 / len(written):.1f} "
            f"ms/page CPU, {size / 1024:.0f} KiB"
            + (" (goal <= 10 ms/page)" if fmt == CertificateBatch.Format.PDF else "")
        )


def bench_download() -> None:
    recreate_database()
    _, _, (certificate, *_), _ = stored_certificates(1)
    client = Client()
    client.force_login(certificate.application.student)
    url = f"/me/certificates/{certificate.pk}/download/"

    def download() -> bytes:
        response = client.get(url, secure=True)
        assert response.status_code == 200, response.status_code
        return response.content

    for _ in range(DOWNLOAD_WARM_UPS):
        body = download()
    runs = [timed(download) for _ in range(DOWNLOADS)]
    walls = sorted(wall for _, wall, _ in runs)
    cpus = [cpu for _, _, cpu in runs]
    queries: list[str] = []

    def count(run, sql, *rest):
        queries.append(sql)
        return run(sql, *rest)

    with connection.execute_wrapper(count):
        download()
    print(
        f"download a stored certificate: median {statistics.median(walls) * 1000:.1f} ms "
        f"(goal <= 20 ms); p90 {walls[int(len(walls) * 0.9) - 1] * 1000:.1f} ms, "
        f"{statistics.median(cpus) * 1000:.1f} ms CPU; {DOWNLOADS} downloads of "
        f"{len(body) / 1024:.0f} KiB through the test Client, {len(queries)} queries each"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    try:
        for part in PARTS:
            if part in args.parts:
                globals()[f"bench_{part}"]()
    finally:
        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


if __name__ == "__main__":
    main()
