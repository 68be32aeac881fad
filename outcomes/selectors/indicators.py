"""The indicators of a working group against their targets, year by year: computed ones
from outcomes.figures, entered ones with their notes."""

from dataclasses import dataclass
from decimal import Decimal

from outcomes.figures import YearFigures, partnership_year_figures
from outcomes.models import Indicator, WorkingGroup

# Which YearFigures field each computed measure reads, and the factor that turns it into
# the indicator's unit (shares are shown as percentages).
COMPUTED = {
    Indicator.Measure.PARTICIPANTS_FROM_A: ("participants_a", 1),
    Indicator.Measure.PARTICIPANTS_FROM_B: ("participants_b", 1),
    Indicator.Measure.PROGRAMS: ("programs", 1),
    Indicator.Measure.COMPLETION: ("completion", 100),
    Indicator.Measure.ATTENDANCE: ("attendance", 100),
    Indicator.Measure.SATISFACTION: ("satisfaction", 1),
    Indicator.Measure.SELF_ASSESSED: ("self_assessed_change", 1),
}


@dataclass(frozen=True)
class IndicatorYear:
    year: int
    target: Decimal | None
    # None: not known yet (no value entered) or hidden by the under-5 rule (`hidden`).
    value: Decimal | None
    hidden: bool = False
    note: str = ""

    @property
    def reached(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        return self.value >= self.target


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    years: list[IndicatorYear]


def computed_value(measure: str, figures: YearFigures) -> tuple[Decimal | None, bool]:
    """The figure a computed measure reads for a year, and whether the under-5 rule hid it."""
    name, factor = COMPUTED[measure]
    value = getattr(figures, name)
    if value is None:
        return None, name in figures.hidden
    return (Decimal(str(value)) * factor).quantize(Decimal("0.1")), False


def indicator_rows(*, group: WorkingGroup, years: list[int]) -> list[IndicatorRow]:
    """Every indicator of `group` for each of `years`, in four queries whatever their number
    (plus partnership_year_figures' own)."""
    indicators = list(group.indicators.prefetch_related("targets", "values"))
    figures = (
        partnership_year_figures(partnership=group.partnership, years=years)
        if any(indicator.is_computed for indicator in indicators)
        else {}
    )
    rows = []
    for indicator in indicators:
        targets = {t.year: t.target for t in indicator.targets.all()}
        entered = {v.year: v for v in indicator.values.all()}
        cells = []
        for year in years:
            if indicator.is_computed:
                value, hidden = computed_value(indicator.measure, figures[year])
                cells.append(IndicatorYear(year, targets.get(year), value, hidden))
            else:
                row = entered.get(year)
                cells.append(
                    IndicatorYear(
                        year,
                        targets.get(year),
                        row.value if row else None,
                        note=row.note if row else "",
                    )
                )
        rows.append(IndicatorRow(indicator, cells))
    return rows
