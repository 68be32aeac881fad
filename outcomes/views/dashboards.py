"""Dashboards: thin doors into outcomes.selectors.dashboards, and each table's CSV and XLSX."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from rules.contrib.views import permission_required

from core.models import City, Partnership
from exchange import exports
from exchange.audit import audit
from exchange.models import AuditEntry, Program
from exchange.rules import program_city_ids
from outcomes.rules import partnership_city_ids
from outcomes.selectors import dashboards as selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _program(request, pk: int, **_kwargs) -> Program:
    return get_object_or_404(Program.objects.exclude(status=Program.Status.DRAFT), pk=pk)


def _partnership(request, pk: int, **_kwargs) -> Partnership:
    return get_object_or_404(Partnership.objects.select_related("city_a", "city_b"), pk=pk)


def _city(request, slug: str, **_kwargs) -> City:
    return get_object_or_404(City, slug=slug)


@login_required
@permission_required("outcomes.view_outcomes", raise_exception=True)
def home(request):
    """The outcomes of the cities the user coordinates or observes."""
    return render(
        request, "outcomes/dashboards/home.html", {"home": selectors.home_for(request.user)}
    )


@login_required
@permission_required("outcomes.view_program_dashboard", fn=_program, raise_exception=True)
def program(request, pk: int):
    program = _program(request, pk)
    return render(
        request,
        "outcomes/dashboards/program.html",
        {"program": program, "tables": selectors.program_dashboard(program)},
    )


@login_required
@permission_required("outcomes.view_partnership", fn=_partnership, raise_exception=True)
def partnership(request, pk: int):
    partnership = _partnership(request, pk)
    return render(
        request,
        "outcomes/dashboards/partnership.html",
        {"partnership": partnership, "dashboard": selectors.partnership_dashboard(partnership)},
    )


@login_required
@permission_required("outcomes.view_city_network", fn=_city, raise_exception=True)
def city(request, slug: str):
    city = _city(request, slug)
    return render(
        request,
        "outcomes/dashboards/city.html",
        {"city": city, "tables": selectors.city_network(city)},
    )


def _export(request, tables, key: str, fmt: str, *, name: str, program_id, city_ids):
    table = next((t for t in tables if t.key == key), None)
    if table is None or fmt not in ("csv", "xlsx"):
        raise Http404
    rows = table.export_rows()
    audit(
        action=AuditEntry.Action.FIGURES_EXPORT,
        by=request.user,
        program_id=program_id,
        city_ids=city_ids,
        detail=f"{name} {key} {fmt.upper()}, {len(rows)} rows"[:300],
    )
    if fmt == "csv":
        body, content_type = exports.rows_to_csv(table.header, rows), "text/csv; charset=utf-8"
    else:
        body = exports.rows_to_xlsx(table.header, rows, sheet_title=table.title)
        content_type = XLSX
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}-{key}.{fmt}"'
    return response


@login_required
@permission_required("outcomes.view_program_dashboard", fn=_program, raise_exception=True)
def program_export(request, pk: int, key: str, fmt: str):
    program = _program(request, pk)
    return _export(
        request,
        selectors.program_dashboard(program),
        key,
        fmt,
        name=f"program-{program.pk}",
        program_id=program.pk,
        city_ids=program_city_ids(program),
    )


@login_required
@permission_required("outcomes.view_partnership", fn=_partnership, raise_exception=True)
def partnership_export(request, pk: int, key: str, fmt: str):
    partnership = _partnership(request, pk)
    return _export(
        request,
        selectors.partnership_dashboard(partnership).tables,
        key,
        fmt,
        name=f"partnership-{partnership.pk}",
        program_id=None,
        city_ids=partnership_city_ids(partnership),
    )


@login_required
@permission_required("outcomes.view_city_network", fn=_city, raise_exception=True)
def city_export(request, slug: str, key: str, fmt: str):
    city = _city(request, slug)
    return _export(
        request,
        selectors.city_network(city),
        key,
        fmt,
        name=f"city-{city.slug}",
        program_id=None,
        city_ids=[city.pk],
    )
