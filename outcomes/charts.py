"""Charts drawn on the server as SVG: bars, grouped bars, a step line and pre/post pairs.

Every label is escaped (xml.sax.saxutils) before it reaches the markup, so a city's name in
Hangul, Chinese or Vietnamese renders and a hostile one can't inject. No `style=""` and no
script (the strict CSP): colours are presentation attributes or classes from portal.css.
A value the under-5 rule hid (None in a series) is drawn as an empty, hatched bar labelled
"fewer than 5". Each chart names itself (<title>, role="img", aria-labelledby); the page
puts the same figures in a real table beside it.
"""

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

from outcomes import small_groups

WIDTH = 640
BAR_AREA = 200
TOP = 24
LEFT = 48
BOTTOM_LABELS = 48
SERIES_CLASSES = ("chart-series-1", "chart-series-2", "chart-series-3", "chart-series-4")
SERIES_CLASSES += ("chart-series-5",)
# The same colours as presentation attributes: WeasyPrint's SVG ignores a stylesheet's
# `fill` on classes, so the annual report's bars would print black; on a page, portal.css
# (a class rule) wins over the attribute.
SERIES_FILLS = ("#1f5fbf", "#b35900", "#1d7a46", "#6b3fa0", "#5a6478")
TEXT = 'font-size="12" fill="#1d2433"'


def _series(index: int) -> str:
    at = index % len(SERIES_CLASSES)
    return f"class={_attr(SERIES_CLASSES[at])} fill={_attr(SERIES_FILLS[at])}"


def _text(value) -> str:
    return escape(str(value))


def _attr(value) -> str:
    return quoteattr(str(value))


def _number(value: float | int) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value))


def _frame(chart_id: str, title: str, height: int, body: list[str], legend=()) -> SafeString:
    title_id = f"{chart_id}-title"
    desc_id = f"{chart_id}-desc"
    hidden = str(small_groups.HIDDEN_LABEL)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" '
        f"aria-labelledby={_attr(title_id + ' ' + desc_id)} id={_attr(chart_id)}>",
        f"<title id={_attr(title_id)}>{_text(title)}</title>",
        f"<desc id={_attr(desc_id)}>{_text(hidden)}: ▨</desc>",
        "<defs>",
        f'<pattern id={_attr(chart_id + "-hatch")} width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">',
        '<line x1="0" y1="0" x2="0" y2="6" class="chart-hatch-line" stroke="#666" '
        'stroke-width="2"/>',
        "</pattern>",
        "</defs>",
        *body,
    ]
    for index, name in enumerate(legend):
        x = LEFT + index * 160
        parts.append(
            f'<rect x="{x}" y="4" width="12" height="12" '
            f"{_series(index)}/>"
            f'<text x="{x + 16}" y="14" class="chart-label" {TEXT}>{_text(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every piece above is escaped


def _scale(values) -> float:
    shown = [abs(v) for v in values if v is not None]
    return max(shown, default=0) or 1


def _hidden_bar(chart_id: str, x: float, width: float, baseline: float) -> str:
    height = BAR_AREA / 3
    return (
        f'<rect x="{x:.1f}" y="{baseline - height:.1f}" width="{width:.1f}" '
        f'height="{height:.1f}" class="chart-hidden" fill={_attr(f"url(#{chart_id}-hatch)")} '
        'stroke="#666"/>'
        f'<text x="{x + width / 2:.1f}" y="{baseline - height - 4:.1f}" '
        f'class="chart-value" {TEXT} text-anchor="middle">{_text(small_groups.HIDDEN_LABEL)}</text>'
    )


def grouped_bar_chart(
    *,
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | int | None]]],
    maximum: float | None = None,
) -> SafeString:
    """One group of bars per category, one bar per series; None is a hidden value."""
    height = TOP + BAR_AREA + BOTTOM_LABELS
    baseline = TOP + BAR_AREA
    top = maximum or _scale(v for _, values in series for v in values)
    group_width = (WIDTH - LEFT - 8) / max(len(categories), 1)
    bar_width = max(group_width * 0.8 / max(len(series), 1), 2)
    body = [
        f'<line x1="{LEFT}" y1="{baseline}" x2="{WIDTH - 8}" y2="{baseline}" '
        'class="chart-axis" stroke="#333"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" class="chart-label" {TEXT} text-anchor="end">'
        f"{_text(_number(top))}</text>",
        f'<text x="{LEFT - 4}" y="{baseline}" class="chart-label" {TEXT} text-anchor="end">'
        "0</text>",
    ]
    for c, category in enumerate(categories):
        x0 = LEFT + c * group_width + group_width * 0.1
        for s, (_, values) in enumerate(series):
            x = x0 + s * bar_width
            value = values[c]
            if value is None:
                body.append(_hidden_bar(chart_id, x, bar_width - 1, baseline))
                continue
            bar = BAR_AREA * max(value, 0) / top
            body.append(
                f'<rect x="{x:.1f}" y="{baseline - bar:.1f}" width="{bar_width - 1:.1f}" '
                f'height="{bar:.1f}" {_series(s)}/>'
                f'<text x="{x + (bar_width - 1) / 2:.1f}" y="{baseline - bar - 4:.1f}" '
                f'class="chart-value" {TEXT} text-anchor="middle">{_text(_number(value))}</text>'
            )
        body.append(
            f'<text x="{x0 + group_width * 0.4:.1f}" y="{baseline + 18}" '
            f'class="chart-label" {TEXT} text-anchor="middle">{_text(category)}</text>'
        )
    legend = [name for name, _ in series] if len(series) > 1 else []
    return _frame(chart_id, title, height, body, legend)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | int | None],
    maximum: float | None = None,
) -> SafeString:
    return grouped_bar_chart(
        chart_id=chart_id,
        title=title,
        categories=labels,
        series=[(title, values)],
        maximum=maximum,
    )


def paired_bar_chart(
    *,
    chart_id: str,
    title: str,
    labels: Sequence[str],
    before: tuple[str, Sequence[float | None]],
    after: tuple[str, Sequence[float | None]],
) -> SafeString:
    """Pre against post, side by side, on the 1–5 scale."""
    return grouped_bar_chart(
        chart_id=chart_id, title=title, categories=labels, series=[before, after], maximum=5
    )


def step_chart(
    *, chart_id: str, title: str, labels: Sequence[str], values: Sequence[float | int]
) -> SafeString:
    """A running total as steps around a zero line (it can go below zero)."""
    height = TOP + BAR_AREA + BOTTOM_LABELS
    top = _scale(values)
    middle = TOP + BAR_AREA / 2
    step = (WIDTH - LEFT - 8) / max(len(labels), 1)

    def y(value):
        return middle - (BAR_AREA / 2) * value / top

    body = [
        f'<line x1="{LEFT}" y1="{middle}" x2="{WIDTH - 8}" y2="{middle}" class="chart-axis" '
        'stroke="#333"/>',
        f'<text x="{LEFT - 4}" y="{middle + 4}" class="chart-label" {TEXT} '
        'text-anchor="end">0</text>',
    ]
    points = []
    for index, value in enumerate(values):
        x = LEFT + index * step
        points.append(f"{x:.1f},{y(value):.1f} {x + step:.1f},{y(value):.1f}")
        body.append(
            f'<text x="{x + step / 2:.1f}" y="{y(value) - 4:.1f}" class="chart-value" {TEXT} '
            f'text-anchor="middle">{_text(_number(value))}</text>'
            f'<text x="{x + step / 2:.1f}" y="{TOP + BAR_AREA + 18}" class="chart-label" {TEXT} '
            f'text-anchor="middle">{_text(labels[index])}</text>'
        )
    if points:
        body.append(
            f'<polyline points="{" ".join(points)}" class="chart-line" fill="none" '
            'stroke="#1f5fa8" stroke-width="3"/>'
        )
    return _frame(chart_id, title, height, body)
