"""Annual report figures (issue 16): one partnership's report for a year with 10 programs,
500 applications and 2 working groups with activities, budgets and indicators, rendered to
PDF the way the task does (goal <= 5 s on this machine).

Run with `make bench-report`. Prints figures with the goal beside them and asserts nothing.
The database is PostgreSQL at BENCH_DATABASE_URL (default the local `exchange_bench`),
dropped, migrated and filled here. Stored files go to a temporary folder, removed at the end.
"""

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

PROGRAMS = 10
APPLICATIONS = 500
GROUPS = 2
RUNS = 5
GOAL_SECONDS = 5.0
NAMES = (("王晓雨", "Wang Xiaoyu"), ("김민지", "Kim Minji"), ("Nguyễn Thị Lan", "Nguyen Thi Lan"))


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


def fill():
    from accounts.models import User
    from core.models import City, Partnership
    from exchange.models import Application, Program, ProgramCity
    from outcomes.models import (
        BudgetLine,
        Indicator,
        IndicatorTarget,
        IndicatorValue,
        PlanActivity,
        Survey,
        SurveyAnswer,
        SurveyQuestion,
        SurveyRequest,
        WorkingGroup,
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
    first, second = sorted((gwangju, zibo), key=lambda city: city.pk)
    partnership = Partnership.objects.create(city_a=first, city_b=second, kind="sister")
    year = timezone.localdate().year - 1
    now = timezone.now()
    per_program = APPLICATIONS // PROGRAMS
    for index in range(PROGRAMS):
        program = Program.objects.create(
            kind="visit" if index % 2 else "online",
            title=f"광주–淄博 교류 {index + 1}",
            description="…",
            applications_open=now - timedelta(days=700),
            applications_close=now - timedelta(days=650),
            starts_on=date(year, 1 + index, 1),
            ends_on=date(year, 1 + index, 12),
            min_age=10,
            max_age=20,
            status="closed",
        )
        for city in (gwangju, zibo):
            ProgramCity.objects.create(program=program, city=city, quota=per_program)
        survey = Survey.objects.create(program=program, phase=Survey.Phase.POST)
        question = SurveyQuestion.objects.create(survey=survey, kind="text", text={"en": "Say"})
        for number in range(per_program):
            city = gwangju if number % 2 else zibo
            native, latin = NAMES[number % len(NAMES)]
            student = User.objects.create_user(
                f"s{index}-{number}@bench.example",
                None,
                native_name=native,
                latin_name=latin,
                date_of_birth=date(2010, 3, 1),
                home_city=city,
            )
            application = Application.objects.create(
                program=program, student=student, city=city, state="completed", motivation="…"
            )
            if number < 3:
                request = SurveyRequest.objects.create(
                    survey=survey, application=application, status="submitted", share_quotes=True
                )
                SurveyAnswer.objects.create(
                    request=request, question=question, text=f"{native}: 좋은 경험", quoted=True
                )
    for number in range(GROUPS):
        group = WorkingGroup.objects.create(partnership=partnership, name=f"Group {number + 1}")
        for activity_number in range(8):
            activity = PlanActivity.objects.create(
                group=group,
                title=f"Activity {activity_number}",
                starts_on=date(year, 2, 1),
                ends_on=date(year, 11, 1),
                status=PlanActivity.Status.values[activity_number % 5],
            )
            for city, currency in ((gwangju, "KRW"), (zibo, "CNY")):
                BudgetLine.objects.create(
                    activity=activity, city=city, label="Item", currency=currency, planned=1000
                )
        for measure in ("participants-a", "completion", "manual"):
            indicator = Indicator.objects.create(group=group, name=measure, measure=measure)
            IndicatorTarget.objects.create(indicator=indicator, year=year, target=10)
            if measure == "manual":
                IndicatorValue.objects.create(indicator=indicator, year=year, value=7)
    return partnership, year


def main() -> None:
    from outcomes.services.reports import annual_report_pdf, report_languages

    recreate_database()
    try:
        partnership, year = fill()
        languages = report_languages(partnership)
        times = []
        for _run in range(RUNS):
            start = time.perf_counter()
            pdf = annual_report_pdf(partnership=partnership, year=year, languages=languages)
            times.append(time.perf_counter() - start)
        print(
            f"Annual report, {PROGRAMS} programs, {APPLICATIONS} applications, {GROUPS} working "
            f"groups ({len(pdf) // 1024} KiB): first {times[0]:.2f} s, median of {RUNS} "
            f"{statistics.median(times):.2f} s (goal <= {GOAL_SECONDS:.0f} s)"
        )
    finally:
        shutil.rmtree(os.environ["MEDIA_ROOT"], ignore_errors=True)


if __name__ == "__main__":
    main()
