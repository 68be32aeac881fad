"""Certificate rendering figures: one certificate warm, a 200-page batch, memory over 1,000.

Run with `make bench-pdf`. Prints figures and the goals beside them; it asserts nothing,
because timings depend on the machine (docs/certificates.md records what we measured).
Times are wall clock and this process's CPU time: on a shared machine the wall clock
includes waiting for a core, and the load average printed first says how much.
"""

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The embedded defaults: no database or Redis is touched, only templates and static files.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exchange.settings")

import django

django.setup()

from django.template.loader import render_to_string  # noqa: E402

from exchange.pdf import qr_svg, render_pdf, render_pdf_pages  # noqa: E402

SINGLE_RUNS = 20
WARM_UPS = 2
BATCH_PAGES = 200
MEMORY_RENDERS = 1000
MEMORY_WARM_UPS = 20


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


def main():
    print(f"load average at start: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
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

    data, wall, cpu = timed(
        lambda: render_pdf_pages([certificate_html(number) for number in range(BATCH_PAGES)])
    )
    print(
        f"batch of {BATCH_PAGES} pages in one PDF: {wall * 1000 / BATCH_PAGES:.1f} ms/page wall, "
        f"{cpu * 1000 / BATCH_PAGES:.1f} ms/page CPU, {len(data) / 1024:.0f} KiB, "
        f"peak RSS {status_kib('VmHWM') / 1024:.0f} MiB (goal <= 10 ms/page)"
    )


if __name__ == "__main__":
    main()
