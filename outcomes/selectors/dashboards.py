"""What the dashboards show: each one a list of Tables (a chart, the same figures as a real
table, and the rows its CSV/XLSX export holds). Every figure about people has passed the
under-5 rule (outcomes.small_groups) here; a hidden one is the HIDDEN marker, never a number.

The application funnel of a program, by the city applied from (each stage counts everyone who
ever reached it, so a later rejection or withdrawal doesn't take anyone out of an earlier one):
- started: every application, drafts included;
- submitted: every application past its draft: in any state but draft and withdrawn, or
  withdrawn after it was submitted (a submission date or an event into "submitted");
- accepted: offered a place: accepted, confirmed, declined or completed now, or an event into
  "accepted" (withdrawn after the offer);
- confirmed: took the place: confirmed or completed now, or an event into "confirmed";
- completed: completed.
Age bands and genders are of the participants (confirmed or completed), the age on the
program's first day.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import age_on
from accounts.rules import outcome_city_ids
from core.models import City, Partnership
from exchange.models import (
    PARTICIPATING,
    Application,
    ApplicationEvent,
    Certificate,
    LiveSession,
    Program,
)
from outcomes import charts, small_groups
from outcomes.competences import Competence
from outcomes.figures import partnership_programs, partnership_year_figures
from outcomes.models import Survey, SurveyAnswer, SurveyQuestion, SurveyRequest, WorkingGroup
from outcomes.selectors.indicators import indicator_rows

State = Application.State


class Hidden:
    """A figure the under-5 rule hid."""

    def __str__(self) -> str:
        return str(small_groups.HIDDEN_LABEL)

    def __repr__(self) -> str:
        return "HIDDEN"


HIDDEN = Hidden()

COUNT, PERCENT, MEAN, TEXT = "count", "percent", "mean", "text"


def people(n: int | None):
    """A count of people as shown (HIDDEN for 1 to 4)."""
    shown = small_groups.count(n or 0)
    return HIDDEN if shown is None else shown


def measured(value, *, was_measured: bool):
    """A rate or mean from small_groups: HIDDEN when it was measured and hidden, else itself
    (None: nothing to measure)."""
    if value is None:
        return HIDDEN if was_measured else None
    return value


@dataclass
class Column:
    header: str
    kind: str = COUNT


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)  # each row: label, then one cell per column
    chart: str = ""
    note: str = ""

    @property
    def header(self) -> list[str]:
        return [self.columns[0].header, *(c.header for c in self.columns[1:])]

    def display_rows(self) -> list[list[str]]:
        return [
            [
                str(row[0]),
                *(display(v, c.kind) for v, c in zip(row[1:], self.columns[1:], strict=True)),
            ]
            for row in self.rows
        ]

    def export_rows(self) -> list[list]:
        return [
            [
                str(row[0]),
                *(export_cell(v, c.kind) for v, c in zip(row[1:], self.columns[1:], strict=True)),
            ]
            for row in self.rows
        ]


def display(value, kind: str) -> str:
    if value is HIDDEN:
        return str(small_groups.HIDDEN_LABEL)
    if value is None:
        return "—"
    if kind == PERCENT:
        return f"{value * 100:.1f}%"
    if kind == MEAN:
        return f"{value:.2f}"
    return str(value)


def export_cell(value, kind: str):
    if value is HIDDEN:
        return str(small_groups.HIDDEN_LABEL)
    if value is None:
        return ""
    if kind == PERCENT:
        return round(value * 100, 1)
    if kind == MEAN:
        return round(value, 2)
    return value


def chart_value(value):
    """A cell as a chart draws it: None for hidden, 0 for nothing measured."""
    if value is HIDDEN:
        return None
    return value or 0


def city_name(city: City) -> str:
    return city.name_local or city.name_en


# The home page -----------------------------------------------------------------------------


@dataclass
class Home:
    cities: list[City]
    partnerships: list[Partnership]
    programs: list[Program]


def home_for(user) -> Home:
    """The cities the user coordinates or observes, their partnerships and their programs."""
    city_ids = outcome_city_ids(user)
    cities = list(City.objects.filter(pk__in=city_ids).order_by("name_en"))
    partnerships = list(
        Partnership.objects.filter(Q(city_a_id__in=city_ids) | Q(city_b_id__in=city_ids))
        .select_related("city_a", "city_b")
        .order_by("city_a__name_en", "city_b__name_en")
    )
    programs = list(
        Program.objects.filter(
            pk__in=Program.objects.filter(program_cities__city_id__in=city_ids).values("pk")
        )
        .exclude(status=Program.Status.DRAFT)
        .order_by("-starts_on", "title")
    )
    return Home(cities, partnerships, programs)


# The program dashboard ---------------------------------------------------------------------

STAGES = (
    ("started", gettext_lazy("Started")),
    ("submitted", gettext_lazy("Submitted")),
    ("accepted", gettext_lazy("Accepted")),
    ("confirmed", gettext_lazy("Confirmed")),
    ("completed", gettext_lazy("Completed")),
)
AGE_BANDS = (
    ("under-12", gettext_lazy("under 12")),
    ("12-14", "12–14"),
    ("15-17", "15–17"),
    ("18+", "18+"),
    ("unknown", gettext_lazy("not known")),
)


def _event(to_state: str):
    return Exists(ApplicationEvent.objects.filter(application=OuterRef("pk"), to_state=to_state))


def funnel_counts(program: Program) -> dict[int, dict[str, int]]:
    """city id -> stage -> applications that reached it (see the module's definitions)."""
    rows = (
        Application.objects.filter(program=program)
        .annotate(
            ev_submitted=_event(State.SUBMITTED),
            ev_accepted=_event(State.ACCEPTED),
            ev_confirmed=_event(State.CONFIRMED),
        )
        .values("city_id")
        .annotate(
            started=Count("pk"),
            submitted=Count(
                "pk",
                filter=~Q(state__in=[State.DRAFT, State.WITHDRAWN])
                | Q(submitted_at__isnull=False)
                | Q(ev_submitted=True),
            ),
            accepted=Count(
                "pk",
                filter=Q(state__in=[State.ACCEPTED, State.CONFIRMED, State.DECLINED])
                | Q(state=State.COMPLETED)
                | Q(ev_accepted=True),
            ),
            confirmed=Count("pk", filter=Q(state__in=PARTICIPATING) | Q(ev_confirmed=True)),
            completed=Count("pk", filter=Q(state=State.COMPLETED)),
        )
        .order_by()
    )
    return {row.pop("city_id"): row for row in rows}


def age_band(born: date | None, on: date) -> str:
    if born is None:
        return "unknown"
    age = age_on(born, on)
    if age < 12:
        return "under-12"
    if age < 15:
        return "12-14"
    if age < 18:
        return "15-17"
    return "18+"


def _breakdown_column(counts: dict) -> dict:
    """A breakdown's cells as shown (secondary suppression), HIDDEN for the hidden ones."""
    return {k: HIDDEN if v is None else v for k, v in small_groups.breakdown(counts).items()}


def program_dashboard(program: Program) -> list[Table]:
    cities = [pc.city for pc in program.program_cities.select_related("city").order_by("city_id")]
    tables = [
        _funnel_table(program, cities),
        *_people_tables(program),
        _attendance_table(program),
        _certificate_table(program),
        *_survey_tables(program),
    ]
    return tables


def _funnel_table(program, cities) -> Table:
    counts = funnel_counts(program)
    columns = {}
    for stage, _label in STAGES:
        columns[stage] = _breakdown_column(
            {city.pk: counts.get(city.pk, {}).get(stage, 0) for city in cities}
        )
    rows = [
        [city_name(city), *(columns[stage][city.pk] for stage, _l in STAGES)] for city in cities
    ]
    rows.append(
        [
            _("All cities"),
            *(
                people(sum(counts.get(c.pk, {}).get(stage, 0) for c in cities))
                for stage, _l in STAGES
            ),
        ]
    )
    table = Table(
        key="funnel",
        title=_("Applications by city"),
        columns=[Column(_("City"), TEXT), *(Column(str(label)) for _s, label in STAGES)],
        rows=rows,
        note=_(
            "Each stage counts everyone who reached it: an applicant who was later not "
            "selected or withdrew still counts as having submitted."
        ),
    )
    table.chart = charts.grouped_bar_chart(
        chart_id="chart-funnel",
        title=table.title,
        categories=[str(label) for _s, label in STAGES],
        series=[
            (city_name(city), [chart_value(columns[stage][city.pk]) for stage, _l in STAGES])
            for city in cities
        ],
    )
    return table


def _people_tables(program) -> list[Table]:
    participants = list(
        Application.objects.filter(program=program, state__in=PARTICIPATING).values_list(
            "student__date_of_birth", "gender"
        )
    )
    bands = {key: 0 for key, _l in AGE_BANDS}
    genders = {key: 0 for key in [*Application.Gender.values, ""]}
    for born, gender in participants:
        bands[age_band(born, program.starts_on)] += 1
        genders[gender if gender in genders else ""] += 1
    shown_bands = _breakdown_column(bands)
    shown_genders = _breakdown_column(genders)
    gender_labels = {**dict(Application.Gender.choices), "": _("not given")}
    age = Table(
        key="ages",
        title=_("Participants by age on the first day"),
        columns=[Column(_("Age")), Column(_("Participants"))],
        rows=[[str(label), shown_bands[key]] for key, label in AGE_BANDS],
    )
    age.chart = charts.bar_chart(
        chart_id="chart-ages",
        title=age.title,
        labels=[str(label) for _k, label in AGE_BANDS],
        values=[chart_value(shown_bands[key]) for key, _l in AGE_BANDS],
    )
    gender = Table(
        key="genders",
        title=_("Participants by gender"),
        columns=[Column(_("Gender")), Column(_("Participants"))],
        rows=[[str(gender_labels[key]), shown_genders[key]] for key in genders],
    )
    gender.chart = charts.bar_chart(
        chart_id="chart-genders",
        title=gender.title,
        labels=[str(gender_labels[key]) for key in genders],
        values=[chart_value(shown_genders[key]) for key in genders],
    )
    return [age, gender]


def _attendance_table(program) -> Table:
    sessions = list(
        LiveSession.objects.filter(program=program)
        .annotate(
            records=Count("attendances", filter=Q(attendances__attended__isnull=False)),
            present=Count("attendances", filter=Q(attendances__attended=True)),
        )
        .order_by("starts_at", "pk")
    )
    rows = []
    for session in sessions:
        label = f"{timezone.localtime(session.starts_at):%Y-%m-%d} {session.title}"
        rows.append(
            [
                label,
                people(session.present),
                measured(
                    small_groups.rate(session.present, session.records),
                    was_measured=session.records > 0,
                ),
            ]
        )
    table = Table(
        key="attendance",
        title=_("Attendance per live session"),
        columns=[Column(_("Session"), TEXT), Column(_("Present")), Column(_("Share"), PERCENT)],
        rows=rows,
    )
    table.chart = charts.bar_chart(
        chart_id="chart-attendance",
        title=table.title,
        labels=[row[0][:10] for row in rows],
        values=[chart_value(row[1]) for row in rows],
    )
    return table


def _certificate_table(program) -> Table:
    figures = Certificate.objects.filter(application__program=program).aggregate(
        issued=Count("application_id", distinct=True),
        valid=Count("pk", filter=Q(revoked_at__isnull=True)),
    )
    rows = [[_("Issued"), people(figures["issued"])], [_("Valid"), people(figures["valid"])]]
    table = Table(
        key="certificates",
        title=_("Certificates"),
        columns=[Column(_("Certificates"), TEXT), Column(_("Participants"))],
        rows=rows,
    )
    table.chart = charts.bar_chart(
        chart_id="chart-certificates",
        title=table.title,
        labels=[row[0] for row in rows],
        values=[chart_value(row[1]) for row in rows],
    )
    return table


def survey_means(program: Program) -> dict[tuple[str, str, str], dict]:
    """(measure, competence, phase) -> mean and people, as outcomes.figures reads answers:
    submitted requests, scale questions, answered."""
    rows = (
        SurveyAnswer.objects.filter(
            request__survey__program=program,
            request__status=SurveyRequest.Status.SUBMITTED,
            question__kind="likert",
            number__isnull=False,
        )
        .values("question__measures", "question__competence", "request__survey__phase")
        .annotate(mean=Avg("number"), people=Count("request_id", distinct=True))
        .order_by()
    )
    result = {}
    for row in rows:
        result[
            (row["question__measures"], row["question__competence"], row["request__survey__phase"])
        ] = row
    return result


def _survey_tables(program) -> list[Table]:
    means = survey_means(program)
    pre_label, post_label = str(Survey.Phase.PRE.label), str(Survey.Phase.POST.label)
    rows = []
    for competence in Competence:
        cells = []
        for phase in (Survey.Phase.PRE, Survey.Phase.POST):
            row = means.get((SurveyQuestion.Measure.COMPETENCE, competence.value, phase))
            cells.append(
                measured(small_groups.mean(row["mean"], row["people"]), was_measured=True)
                if row
                else None
            )
        rows.append([str(competence.label), *cells])
    competences = Table(
        key="competences",
        title=_("Self-assessed competences before and after (1–5)"),
        columns=[Column(_("Competence"), TEXT), Column(pre_label, MEAN), Column(post_label, MEAN)],
        rows=rows,
    )
    competences.chart = charts.paired_bar_chart(
        chart_id="chart-competences",
        title=competences.title,
        labels=[str(c.label)[:14] for c in Competence],
        before=(pre_label, [chart_value(row[1]) for row in rows]),
        after=(post_label, [chart_value(row[2]) for row in rows]),
    )
    satisfied = [
        row
        for (measure, _c, phase), row in means.items()
        if measure == SurveyQuestion.Measure.SATISFACTION and phase == Survey.Phase.POST
    ]
    value = None
    if satisfied:
        total = sum(float(r["mean"]) * r["people"] for r in satisfied)
        weight = sum(r["people"] for r in satisfied)
        answered = max(r["people"] for r in satisfied)
        value = measured(small_groups.mean(total / weight, answered), was_measured=True)
    satisfaction = Table(
        key="satisfaction",
        title=_("Satisfaction after the program (1–5)"),
        columns=[Column(_("Measure"), TEXT), Column(_("Mean"), MEAN)],
        rows=[[_("Satisfaction"), value]],
    )
    satisfaction.chart = charts.bar_chart(
        chart_id="chart-satisfaction",
        title=satisfaction.title,
        labels=[_("Satisfaction")],
        values=[chart_value(value)],
        maximum=5,
    )
    return [competences, satisfaction]


# The partnership dashboard -----------------------------------------------------------------


@dataclass
class PartnershipDashboard:
    partnership: Partnership
    years: list[int]
    tables: list[Table]
    groups: list[tuple[WorkingGroup, list]]


def partnership_years(partnership: Partnership, today: date | None = None) -> list[int]:
    """From the year the partnership's first program ended to this year."""
    this_year = (today or timezone.localdate()).year
    first = (
        partnership_programs(partnership)
        .order_by("ends_on")
        .values_list("ends_on", flat=True)
        .first()
    )
    start = min(first.year, this_year) if first else this_year
    return list(range(start, this_year + 1))


def partnership_dashboard(partnership: Partnership) -> PartnershipDashboard:
    years = partnership_years(partnership)
    figures = partnership_year_figures(partnership=partnership, years=years)
    a, b = city_name(partnership.city_a), city_name(partnership.city_b)

    def cell(year, name):
        value = getattr(figures[year], name)
        return HIDDEN if name in figures[year].hidden else value

    from_a = _("From %(city)s") % {"city": a}
    from_b = _("From %(city)s") % {"city": b}
    participants = Table(
        key="participants",
        title=_("Participants each way per year"),
        columns=[Column(_("Year"), TEXT), Column(from_a), Column(from_b)],
        rows=[[str(y), cell(y, "participants_a"), cell(y, "participants_b")] for y in years],
    )
    participants.chart = charts.grouped_bar_chart(
        chart_id="chart-participants",
        title=participants.title,
        categories=[str(y) for y in years],
        series=[
            (from_a, [chart_value(cell(y, "participants_a")) for y in years]),
            (from_b, [chart_value(cell(y, "participants_b")) for y in years]),
        ],
    )
    # The running balance adds up the figures as shown: a hidden year adds nothing.
    balance, running, left_out = [], 0, []
    for year in years:
        shown_a, shown_b = cell(year, "participants_a"), cell(year, "participants_b")
        if shown_a is HIDDEN or shown_b is HIDDEN:
            left_out.append(str(year))
        running += (0 if shown_a is HIDDEN else shown_a or 0) - (
            0 if shown_b is HIDDEN else shown_b or 0
        )
        balance.append(running)
    balance_table = Table(
        key="balance",
        title=_("Running balance (from %(a)s minus from %(b)s)") % {"a": a, "b": b},
        columns=[Column(_("Year"), TEXT), Column(_("Balance"))],
        rows=[[str(y), value] for y, value in zip(years, balance, strict=True)],
        note=(
            _(
                "Counted from the figures as shown: a year whose figure is “fewer than 5” adds "
                "nothing. Years left out: %(years)s."
            )
            % {"years": ", ".join(left_out)}
            if left_out
            else _("Counted from the figures as shown; no year was left out.")
        ),
    )
    balance_table.chart = charts.step_chart(
        chart_id="chart-balance",
        title=balance_table.title,
        labels=[str(y) for y in years],
        values=balance,
    )
    programs = Table(
        key="programs",
        title=_("Programs per year"),
        columns=[Column(_("Year"), TEXT), Column(_("Programs"))],
        rows=[[str(y), figures[y].programs] for y in years],
    )
    programs.chart = charts.bar_chart(
        chart_id="chart-programs",
        title=programs.title,
        labels=[str(y) for y in years],
        values=[figures[y].programs for y in years],
    )
    outcomes = Table(
        key="outcomes",
        title=_("Completion, attendance, satisfaction and self-assessed change"),
        columns=[
            Column(_("Year"), TEXT),
            Column(_("Completion"), PERCENT),
            Column(_("Attendance"), PERCENT),
            Column(_("Satisfaction (1–5)"), MEAN),
            Column(_("Self-assessed change"), MEAN),
        ],
        rows=[
            [
                str(y),
                cell(y, "completion"),
                cell(y, "attendance"),
                cell(y, "satisfaction"),
                cell(y, "self_assessed_change"),
            ]
            for y in years
        ],
    )
    outcomes.chart = charts.grouped_bar_chart(
        chart_id="chart-outcomes",
        title=_("Completion and attendance (%)"),
        categories=[str(y) for y in years],
        series=[
            (
                _("Completion"),
                [_percent(cell(y, "completion")) for y in years],
            ),
            (
                _("Attendance"),
                [_percent(cell(y, "attendance")) for y in years],
            ),
        ],
        maximum=100,
    )
    groups = [
        (group, indicator_rows(group=group, years=years))
        for group in partnership.working_groups.order_by("name", "pk")
    ]
    return PartnershipDashboard(
        partnership, years, [participants, balance_table, programs, outcomes], groups
    )


def _percent(value):
    value = chart_value(value)
    return None if value is None else round(value * 100, 1)


# A city's network --------------------------------------------------------------------------


def city_network(city: City, today: date | None = None) -> list[Table]:
    this_year = (today or timezone.localdate()).year
    years = [this_year - 1, this_year]
    partnerships = list(
        Partnership.objects.filter(Q(city_a=city) | Q(city_b=city))
        .select_related("city_a", "city_b")
        .order_by("pk")
    )
    rows = []
    for partnership in partnerships:
        figures = partnership_year_figures(partnership=partnership, years=years)
        other = partnership.city_b if partnership.city_a_id == city.pk else partnership.city_a
        ours, theirs = (
            ("participants_a", "participants_b")
            if partnership.city_a_id == city.pk
            else ("participants_b", "participants_a")
        )
        row = [city_name(other)]
        for year in years:
            f = figures[year]
            row += [
                HIDDEN if ours in f.hidden else getattr(f, ours),
                HIDDEN if theirs in f.hidden else getattr(f, theirs),
                f.programs,
                HIDDEN if "satisfaction" in f.hidden else f.satisfaction,
            ]
        rows.append(row)
    columns = [Column(_("Partner city"), TEXT)]
    for year in years:
        columns += [
            Column(_("%(year)s: from %(city)s") % {"year": year, "city": city_name(city)}),
            Column(_("%(year)s: to %(city)s") % {"year": year, "city": city_name(city)}),
            Column(_("%(year)s: programs") % {"year": year}),
            Column(_("%(year)s: satisfaction (1–5)") % {"year": year}, MEAN),
        ]
    table = Table(key="network", title=_("Partnerships"), columns=columns, rows=rows)
    table.chart = charts.grouped_bar_chart(
        chart_id="chart-network",
        title=_("Participants from and to the city, this year"),
        categories=[row[0] for row in rows],
        series=[
            (_("From %(city)s") % {"city": city_name(city)}, [chart_value(r[5]) for r in rows]),
            (_("To %(city)s") % {"city": city_name(city)}, [chart_value(r[6]) for r in rows]),
        ],
    )
    return [table]
