"""Bar charts as server-rendered SVG: no chart library, no CDN, no script, no inline style.

Each chart is an `<svg role="img">` labelled by its `<title>` and described by a `<desc>` that lists
every value in words, so a screen reader gets the whole chart. Colours come from `portal.css` classes.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

_ids = itertools.count(1)

WIDTH = 560
ROW = 28
LABEL_WIDTH = 150
VALUE_WIDTH = 110


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    """What the bar's length is proportional to (a count, or minor units of one currency)."""
    shown: str
    """The value as the reader sees it (a formatted count or amount)."""
    short: str = ""
    """A short form written above a column (column charts only)."""


def bar_chart(title: str, bars: Sequence[Bar], css_class: str = "chart") -> Markup:
    """Horizontal bars, one per row, with the label on the left and the value on the right."""
    chart_id = f"chart-{next(_ids)}"
    height = max(len(bars), 1) * ROW + 8
    largest = max((bar.value for bar in bars), default=0) or 1
    track = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    desc = "; ".join(f"{bar.label}: {bar.shown}" for bar in bars)
    parts = [
        f'<svg class="{escape(css_class)}" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" focusable="false">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for index, bar in enumerate(bars):
        y = 4 + index * ROW
        length = 0 if bar.value <= 0 else max(2, round(track * bar.value / largest))
        parts.append(
            f'<g class="bar bar-{index % 6}" aria-hidden="true">'
            f'<text class="label" x="{LABEL_WIDTH - 8}" y="{y + 18}" text-anchor="end">{escape(bar.label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length}" height="{ROW - 8}" rx="3"></rect>'
            f'<text class="value" x="{LABEL_WIDTH + length + 6}" y="{y + 18}">{escape(bar.shown)}</text>'
            "</g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def column_chart(title: str, bars: Sequence[Bar], css_class: str = "chart columns") -> Markup:
    """Vertical columns (a time series such as the weeks of a forecast), short values above, labels underneath.

    Wider than the bar charts: a forecast card spans the page, and a tall chart would push the rest away.
    """
    chart_id = f"chart-{next(_ids)}"
    count = max(len(bars), 1)
    width, height, base, top = 960, 200, 170, 24
    step = width / count
    largest = max((bar.value for bar in bars), default=0) or 1
    desc = "; ".join(f"{bar.label}: {bar.shown}" for bar in bars)
    parts = [
        f'<svg class="{escape(css_class)}" role="img" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" focusable="false">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
        f'<line class="axis" x1="0" y1="{base}" x2="{width}" y2="{base}"></line>',
    ]
    for index, bar in enumerate(bars):
        x = index * step + step * 0.15
        middle = x + step * 0.35
        length = 0 if bar.value <= 0 else max(2, round((base - top) * bar.value / largest))
        parts.append(
            f'<g class="bar bar-0" aria-hidden="true">'
            f'<rect x="{x:.1f}" y="{base - length}" width="{step * 0.7:.1f}" height="{length}" rx="2"></rect>'
            + (
                f'<text class="value" x="{middle:.1f}" y="{base - length - 6}" text-anchor="middle">'
                f"{escape(bar.short)}</text>"
                if bar.short
                else ""
            )
            + f'<text class="label" x="{middle:.1f}" y="{base + 18}" text-anchor="middle">'
            f"{escape(bar.label)}</text>"
            "</g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()
