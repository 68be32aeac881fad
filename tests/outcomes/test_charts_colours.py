"""The charts carry their colours as attributes: WeasyPrint ignores a stylesheet's `fill` on
an SVG class, so without them the annual report's bars and legend printed black."""

import re

from outcomes import charts


def test_every_bar_and_label_carries_its_colour_and_the_hidden_bar_its_hatching():
    svg = str(
        charts.grouped_bar_chart(
            chart_id="c",
            title="Participants",
            categories=["2025", "2026"],
            series=[("광주시", [6, 7]), ("淄博市", [None, 8])],
        )
    )

    bars = re.findall(r'<rect [^>]*class="(chart-series-\d)" fill="([^"]+)"', svg)
    # The shown bars (2025: A's 6; 2026: A's 7 and B's 8), then the legend's two swatches.
    assert bars == [
        ("chart-series-1", "#1f5fbf"),
        ("chart-series-1", "#1f5fbf"),
        ("chart-series-2", "#b35900"),
        ("chart-series-1", "#1f5fbf"),
        ("chart-series-2", "#b35900"),
    ]
    texts = re.findall(r"<text [^>]*>", svg)
    assert texts and all('fill="#1d2433"' in tag and 'font-size="12"' in tag for tag in texts)
    assert svg.count('fill="url(#c-hatch)"') == 1
    assert "style=" not in svg
