"""Annual reports: ask for one, render it (the Celery task calls this), record downloads.

The pattern is the certificate batches' (exchange/services/certificates.py): asking
creates the row, a task claims it, renders the PDF into private storage and records the
outcome; a render whose worker died is "stalled" and may be taken over. Every figure about
people comes from outcomes.figures or has passed outcomes.small_groups.
"""

import io
import logging
from collections import defaultdict
from decimal import Decimal

import pypdf
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import User
from core.models import Partnership
from exchange.audit import audit
from exchange.models import PARTICIPATING, Application, AuditEntry, Program
from exchange.pdf import render_pdf
from exchange.services.certificates import CITY_LANGUAGE_TO_CERTIFICATE
from outcomes import charts, small_groups
from outcomes.figures import partnership_year_figures
from outcomes.models import AnnualReport, PlanActivity, SurveyAnswer
from outcomes.models.plans import BudgetLine
from outcomes.selectors.indicators import indicator_rows

logger = logging.getLogger(__name__)

# The years one may ask a report for: the partnership's programs start in the portal's
# time, and a report of a year to come has nothing in it.
FIRST_YEAR = 2000
# The years the chart shows: the report's and the ones before.
CHART_YEARS = 5

REPORT_TOO_SLOW = gettext_noop("Preparing the report took too long. Ask for it again later.")
REPORT_FAILED = gettext_noop(
    "The report could not be prepared. Ask for it again; if it fails again, tell the "
    "portal’s administrators."
)


def report_languages(partnership: Partnership) -> list[str]:
    """The two cities' main languages, city A's first; English with the shared one when both
    cities speak the same, so a partner abroad can read it."""
    codes = []
    for city in (partnership.city_a, partnership.city_b):
        code = CITY_LANGUAGE_TO_CERTIFICATE.get((city.main_language_id or "en").split("-")[0])
        codes.append(code or "en")
    if codes[0] == codes[1]:
        return [codes[0], "en"] if codes[0] != "en" else ["en"]
    return codes


def _partnership_city_ids(partnership: Partnership) -> list[int]:
    return [partnership.city_a_id, partnership.city_b_id]


def check_report_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    last = timezone.localdate().year
    if not FIRST_YEAR <= year <= last:
        raise ValidationError(
            _("Choose a year from %(first)d to %(last)d.") % {"first": FIRST_YEAR, "last": last},
            code="year_out_of_range",
        )
    return year


@transaction.atomic
def annual_report_request(*, partnership: Partnership, year, by: User) -> AnnualReport:
    """Ask for the partnership's report of `year`; a task renders it after commit. A second
    request for a year whose report is still being prepared is refused."""
    year = check_report_year(year)
    # The partnership row lock serialises two coordinators asking at once.
    Partnership.objects.select_for_update().get(pk=partnership.pk)
    for report in AnnualReport.objects.filter(partnership=partnership, year=year):
        if report.is_pending:
            raise ValidationError(
                _("The report of %(year)d is already being prepared.") % {"year": year},
                code="pending",
            )
    report = AnnualReport.objects.create(
        partnership=partnership,
        year=year,
        languages=report_languages(partnership),
        requested_by=by,
    )
    audit(
        action=AuditEntry.Action.REPORT_REQUEST,
        by=by,
        program_id=None,
        city_ids=_partnership_city_ids(partnership),
        detail=f"{partnership} {year} #{report.pk}",
    )
    from outcomes.tasks import render_annual_report

    report_id = report.pk
    transaction.on_commit(lambda: render_annual_report.delay(report_id))
    return report


# --- The report's content ------------------------------------------------------------------


def _program_rows(partnership: Partnership, program_ids) -> list[dict]:
    """The year's programs, each with its participants from each city, passed through the
    under-5 rule as a breakdown of the program's two cities (as the figures do for the
    year: the program dashboard shows its totals, so one hidden side could otherwise be
    worked out from the other)."""
    programs = list(Program.objects.filter(pk__in=program_ids).order_by("starts_on", "pk"))
    counts = (
        Application.objects.filter(program_id__in=program_ids, state__in=PARTICIPATING)
        .values("program_id")
        .annotate(
            a=Count("pk", filter=Q(city_id=partnership.city_a_id)),
            b=Count("pk", filter=Q(city_id=partnership.city_b_id)),
        )
    )
    raw = {row["program_id"]: row for row in counts}
    rows = []
    for program in programs:
        shown = small_groups.breakdown(
            {side: raw.get(program.pk, {}).get(side, 0) for side in ("a", "b")}
        )
        rows.append({"program": program, "a": shown["a"], "b": shown["b"]})
    return rows


def _group_rows(partnership: Partnership, year: int, languages: list[str]) -> list[dict]:
    groups = list(partnership.working_groups.order_by("name", "pk"))
    statuses = defaultdict(dict)
    for row in (
        PlanActivity.objects.filter(group__in=groups)
        .values("group_id", "status")
        .annotate(n=Count("pk"))
    ):
        statuses[row["group_id"]][row["status"]] = row["n"]
    budgets = defaultdict(list)
    for row in (
        BudgetLine.objects.filter(activity__group__in=groups)
        .values("activity__group_id", "city_id", "currency")
        .annotate(planned=Sum("planned"), spent=Sum("spent"))
        .order_by("activity__group_id", "city_id", "currency")
    ):
        budgets[row["activity__group_id"]].append(row)
    rows = []
    for group in groups:
        by_city = {}
        for row in budgets[group.pk]:
            by_city.setdefault(row["city_id"], []).append(
                {
                    "currency": row["currency"],
                    "planned": row["planned"] or Decimal(0),
                    "spent": row["spent"] or Decimal(0),
                }
            )
        rows.append(
            {
                "group": group,
                "activities": [
                    (_both(languages, label), statuses[group.pk].get(value, 0))
                    for value, label in PlanActivity.Status.choices
                ],
                "budget_a": by_city.get(partnership.city_a_id, []),
                "budget_b": by_city.get(partnership.city_b_id, []),
                "indicators": indicator_rows(group=group, years=[year]),
            }
        )
    return rows


def _quotes(program_ids) -> list[str]:
    """Written answers picked for quoting, of participants who agreed to be quoted: the
    words only, in the language they were written in, never a name."""
    return list(
        SurveyAnswer.objects.filter(
            request__survey__program_id__in=program_ids,
            request__share_quotes=True,
            quoted=True,
        )
        .exclude(text="")
        .order_by("request__survey__program__starts_on", "pk")
        .values_list("text", flat=True)
    )


# The report's words, each printed in both of its languages.
WORDS = {
    "title": gettext_lazy("Annual report"),
    "partnership": gettext_lazy("Partnership"),
    "year": gettext_lazy("Year"),
    "programs": gettext_lazy("Programs of the year"),
    "program": gettext_lazy("Program"),
    "kind": gettext_lazy("Kind"),
    "dates": gettext_lazy("Dates"),
    "participants_from": gettext_lazy("Participants from"),
    "no_programs": gettext_lazy("No program ended this year."),
    "figures": gettext_lazy("Figures"),
    "programs_count": gettext_lazy("Programs"),
    "completion": gettext_lazy("Completion rate"),
    "attendance": gettext_lazy("Attendance"),
    "satisfaction": gettext_lazy("Satisfaction (1–5)"),
    "change": gettext_lazy("Self-assessed change (points of 1–5)"),
    "not_measured": gettext_lazy("not measured"),
    "chart": gettext_lazy("Participants per year"),
    "indicators": gettext_lazy("Indicators against targets"),
    "indicator": gettext_lazy("Indicator"),
    "target": gettext_lazy("Target"),
    "value": gettext_lazy("Value"),
    "reached": gettext_lazy("Reached"),
    "yes": gettext_lazy("yes"),
    "no": gettext_lazy("no"),
    "plans": gettext_lazy("Action plans"),
    "activities": gettext_lazy("Activities by status"),
    "budget": gettext_lazy("Budget"),
    "planned": gettext_lazy("planned"),
    "spent": gettext_lazy("spent"),
    "no_groups": gettext_lazy("No working group yet."),
    "quotes": gettext_lazy("In the participants’ words"),
    "hidden": small_groups.HIDDEN_LABEL,
}


def _figure_rows(figures) -> list[tuple[str, str | None, bool]]:
    """(word, shown value, hidden) for each of the year's figures: a hidden one (fewer than
    5 people behind it) has no value; one not measured neither, and is not hidden."""

    def percent(value):
        return None if value is None else f"{round(value * 100)}%"

    def decimal(value, signed=False):
        return None if value is None else (f"{value:+.1f}" if signed else f"{value:.1f}")

    return [
        ("programs_count", str(figures.programs), False),
        ("completion", percent(figures.completion), "completion" in figures.hidden),
        ("attendance", percent(figures.attendance), "attendance" in figures.hidden),
        ("satisfaction", decimal(figures.satisfaction), "satisfaction" in figures.hidden),
        (
            "change",
            decimal(figures.self_assessed_change, signed=True),
            "self_assessed_change" in figures.hidden,
        ),
    ]


def _both(languages: list[str], text) -> list[tuple[str, str]]:
    result = []
    for code in languages:
        with translation.override(code):
            result.append((code, str(text)))
    return result


def annual_report_context(*, partnership: Partnership, year: int, languages: list[str]) -> dict:
    years = list(range(year - CHART_YEARS + 1, year + 1))
    figures = partnership_year_figures(partnership=partnership, years=years)
    this_year = figures[year]
    city_a, city_b = partnership.city_a, partnership.city_b
    # The same chart as the partnership dashboard's (outcomes.charts), labelled in the
    # report's first language.
    with translation.override(languages[0]):
        chart = charts.grouped_bar_chart(
            chart_id="report-participants",
            title=str(WORDS["chart"]),
            categories=[str(y) for y in years],
            series=[
                (city_a.name_local, [figures[y].participants_a for y in years]),
                (city_b.name_local, [figures[y].participants_b for y in years]),
            ],
        )
    words = {key: _both(languages, text) for key, text in WORDS.items()}
    programs = _program_rows(partnership, this_year.program_ids)
    kinds = {value: _both(languages, label) for value, label in Program.Kind.choices}
    for row in programs:
        row["kind"] = kinds[row["program"].kind]
    return {
        "partnership": partnership,
        "city_a": city_a,
        "city_b": city_b,
        "year": year,
        "languages": languages,
        "figures": this_year,
        "words": words,
        "programs": programs,
        "figure_rows": [
            (words[key], value, hidden) for key, value, hidden in _figure_rows(this_year)
        ],
        "chart_svg": chart,
        "groups": _group_rows(partnership, year, languages),
        "quotes": _quotes(this_year.program_ids),
    }


def annual_report_html(*, partnership: Partnership, year: int, languages: list[str]) -> str:
    context = annual_report_context(partnership=partnership, year=year, languages=languages)
    with translation.override(languages[0]):
        return render_to_string("outcomes/reports/pdf/annual_report.html", context)


def annual_report_pdf(*, partnership: Partnership, year: int, languages: list[str]) -> bytes:
    return render_pdf(annual_report_html(partnership=partnership, year=year, languages=languages))


# --- Rendering (the task) --------------------------------------------------------------------


@transaction.atomic
def _report_claim(report_id: int) -> AnnualReport | None:
    report = AnnualReport.objects.select_for_update().filter(pk=report_id).first()
    if report is None or not (report.state == AnnualReport.State.QUEUED or report.is_stalled):
        return None
    report.state = AnnualReport.State.RENDERING
    report.started_at = timezone.now()
    report.save(update_fields=["state", "started_at"])
    return report


@transaction.atomic
def _report_finish(*, report_id: int, name: str, pages: int, error: str) -> AnnualReport | None:
    report = AnnualReport.objects.select_for_update().filter(pk=report_id).first()
    if report is None:
        if name:
            default_storage.delete(name)
        return None
    report.state = AnnualReport.State.FAILED if error else AnnualReport.State.READY
    report.file.name = name
    report.pages = pages
    report.error = error
    report.finished_at = timezone.now()
    report.save(update_fields=["state", "file", "pages", "error", "finished_at"])
    return report


def annual_report_render(*, report: AnnualReport) -> AnnualReport | None:
    """Render a queued report into private storage; it ends `ready` or `failed` with a
    reason. None when there is nothing to do (gone, or another delivery has it). Runs
    outside a transaction: the row is locked only to claim it and to record the outcome."""
    report = _report_claim(report.pk)
    if report is None:
        return None
    storage = report.file.storage
    name = report.file.field.generate_filename(report, "")
    error = ""
    pages = 0
    try:
        pdf = annual_report_pdf(
            partnership=Partnership.objects.select_related("city_a", "city_b").get(
                pk=report.partnership_id
            ),
            year=report.year,
            languages=report.languages or report_languages(report.partnership),
        )
        pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
        name = storage.save(name, ContentFile(pdf))
    except SoftTimeLimitExceeded:
        error = REPORT_TOO_SLOW
    except Exception:
        logger.exception("Annual report %s failed", report.pk)
        error = REPORT_FAILED
    if error:
        if storage.exists(name):
            storage.delete(name)
        name = ""
    return _report_finish(report_id=report.pk, name=name, pages=pages, error=error)


def annual_report_record_download(*, report: AnnualReport, by: User) -> None:
    audit(
        action=AuditEntry.Action.REPORT_DOWNLOAD,
        by=by,
        program_id=None,
        city_ids=_partnership_city_ids(report.partnership),
        detail=f"{report.partnership} {report.year} #{report.pk}",
    )
