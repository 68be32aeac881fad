"""Annual reports: the partnership's list (asked for here, rendered by a task, polled with
htmx while one is being prepared) and the download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from core.forms import errors_to_messages
from core.models import Partnership
from outcomes.models import AnnualReport
from outcomes.services import reports as services

# The id of the report list, which htmx refreshes.
REPORTS_ID = "annual-reports"


def _partnership(request, pk: int) -> Partnership | None:
    cache = request.__dict__.setdefault("_outcome_partnerships", {})
    if pk not in cache:
        cache[pk] = Partnership.objects.select_related("city_a", "city_b").filter(pk=pk).first()
    return cache[pk]


def _report(request, pk: int) -> AnnualReport | None:
    cache = request.__dict__.setdefault("_annual_reports", {})
    if pk not in cache:
        cache[pk] = (
            AnnualReport.objects.select_related("partnership__city_a", "partnership__city_b")
            .filter(pk=pk)
            .first()
        )
    return cache[pk]


def _not_found_if_missing(fn):
    def wrapper(request, pk: int):
        if fn(request, pk) is None:
            raise Http404
        return fn(request, pk)

    return wrapper


@login_required
@permission_required(
    "outcomes.view_partnership", fn=_not_found_if_missing(_partnership), raise_exception=True
)
def partnership_reports(request, pk: int):
    partnership = _partnership(request, pk)
    reports = list(
        AnnualReport.objects.filter(partnership=partnership).select_related("requested_by")
    )
    context = {
        "partnership": partnership,
        "reports": reports,
        "reports_pending": any(report.is_pending for report in reports),
        "can_request": request.user.has_perm("outcomes.request_report", partnership),
        "this_year": timezone.localdate().year,
        "first_year": services.FIRST_YEAR,
    }
    if request.htmx and request.htmx.target == REPORTS_ID:
        # The list asks again every 2 s while a report is being prepared.
        return render(request, "outcomes/reports/partnership_reports.html#reports", context)
    return render(request, "outcomes/reports/partnership_reports.html", context)


@require_POST
@login_required
@permission_required(
    "outcomes.request_report", fn=_not_found_if_missing(_partnership), raise_exception=True
)
def report_request(request, pk: int):
    partnership = _partnership(request, pk)
    try:
        report = services.annual_report_request(
            partnership=partnership, year=request.POST.get("year"), by=request.user
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(
            request,
            _("The report of %(year)d is being prepared. It appears below when ready.")
            % {"year": report.year},
        )
    return redirect(reverse("outcomes:partnership_reports", args=[pk]) + f"#{REPORTS_ID}")


@login_required
@permission_required(
    "outcomes.view_report", fn=_not_found_if_missing(_report), raise_exception=True
)
def report_download(request, pk: int):
    report = _report(request, pk)
    if report.state != AnnualReport.State.READY or not report.file:
        raise Http404
    try:
        file = report.file.storage.open(report.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    services.annual_report_record_download(report=report, by=request.user)
    partnership = report.partnership
    name = (
        f"annual-report-{slugify(partnership.city_a.name_en) or partnership.city_a_id}-"
        f"{slugify(partnership.city_b.name_en) or partnership.city_b_id}-{report.year}.pdf"
    )
    return FileResponse(file, as_attachment=True, filename=name, content_type="application/pdf")
