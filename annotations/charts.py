"""PURE: horizontal bar charts as SVG, drawn on the server (no script, CSP-clean).

Each chart scales to its container's width (a viewBox, no fixed size), names itself with
<title> and <desc> for screen readers, and escapes every text it draws (format_html). The
numbers are always in a table beside the chart too: the chart is a picture of the table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 320  # viewBox units; the chart is drawn at the container's width
ROW = 22  # height of one bar's row
LABEL = 110  # room for the labels on the left
VALUE = 44  # room for the value on the right
LABEL_CHARS = 18
DEFAULT_FILL = "#5c6bc0"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no bar, the text says why
    text: str  # what is written after the bar (the number, or "—")
    fill: str = DEFAULT_FILL
    mark: float | None = None  # a second value drawn as a tick (e.g. the p90 by a median)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    bars: Sequence[Bar],
    low: float = 0.0,
    high: float | None = None,
) -> SafeString:
    """A horizontal bar per row from the axis at `low`..`high` (the largest value when
    None); negative values (an alpha below 0) go left of a zero line inside the range."""
    values = [v for bar in bars for v in (bar.value, bar.mark) if v is not None]
    top = high if high is not None else max([*values, 0.0]) or 1.0
    span = (top - low) or 1.0
    plot = WIDTH - LABEL - VALUE
    zero = LABEL + plot * (min(max(0.0, low), top) - low) / span
    height = ROW * max(len(bars), 1) + 4

    def x(value: float) -> float:
        return LABEL + plot * (min(max(value, low), top) - low) / span

    rows = []
    for index, bar in enumerate(bars):
        y = 2 + index * ROW
        label = bar.label if len(bar.label) <= LABEL_CHARS else bar.label[: LABEL_CHARS - 1] + "…"
        fill = bar.fill if _COLOUR.match(bar.fill or "") else DEFAULT_FILL
        parts = [
            format_html(
                '<text x="{}" y="{}" class="chart-label" text-anchor="end">{}</text>',
                LABEL - 4,
                y + ROW * 0.68,
                label,
            )
        ]
        end = zero
        if bar.value is not None:
            start, end = sorted((zero, x(bar.value)))
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>',
                    round(start, 1),
                    y + 3,
                    round(max(end - start, 0.5), 1),
                    ROW - 6,
                    fill,
                )
            )
            end = max(end, x(bar.value))
        if bar.mark is not None:
            mark = round(x(bar.mark), 1)
            parts.append(
                format_html(
                    '<line x1="{}" x2="{}" y1="{}" y2="{}" class="chart-mark"></line>',
                    mark,
                    mark,
                    y + 1,
                    y + ROW - 1,
                )
            )
            end = max(end, mark)
        parts.append(
            format_html(
                '<text x="{}" y="{}" class="chart-value">{}</text>',
                round(end + 3, 1),
                y + ROW * 0.68,
                bar.text,
            )
        )
        rows.append(SafeString("".join(parts)))
    return format_html(
        '<svg class="chart" id="{}" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" preserveAspectRatio="xMinYMin meet">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        '<line x1="{}" x2="{}" y1="0" y2="{}" class="chart-axis"></line>{}</svg>',
        chart_id,
        WIDTH,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        desc,
        round(zero, 1),
        round(zero, 1),
        height,
        format_html_join("", "{}", ((row,) for row in rows)),
    )
