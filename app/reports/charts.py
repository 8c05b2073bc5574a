"""Tiny server-side SVG charts: bars and lines, no JavaScript, no inline styles.

The Content-Security-Policy forbids style attributes in pages, so every colour and font is a
presentation attribute (fill=, stroke=, font-size=). Each chart is role="img" and labelled by its
own <title>; the page puts a real data table right after it for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup
from markupsafe import escape

PALETTE = ("#7a1f3d", "#1f5f7a", "#5a6b1f", "#8a4b00", "#4b2a7a", "#1f7a55")
AXIS = "#333333"
GRID = "#cccccc"


def _number(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}"


def _open(chart_id: str, title: str, width: int, height: int) -> list[str]:
    cid = escape(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{cid}-title" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" font-family="sans-serif">',
        f'<title id="{cid}-title">{escape(title)}</title>',
    ]


def bar_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    colour: str = PALETTE[0],
) -> Markup:
    """Vertical bars, one per label (months, typically), value printed above each bar."""
    width, height, left, bottom, top = 640, 260, 40, 40, 20
    count = max(len(values), 1)
    peak = max([float(v) for v in values] + [1.0])
    slot = (width - left - 10) / count
    plot = height - bottom - top
    parts = _open(chart_id, title, width, height)
    parts.append(
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 5}" y2="{height - bottom}" '
        f'stroke="{AXIS}"/>'
    )
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        bar = plot * float(value) / peak
        x = left + i * slot + slot * 0.15
        y = height - bottom - bar
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bar:.1f}" '
            f'fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" font-size="10" '
            f'text-anchor="middle" fill="{AXIS}">{_number(float(value))}</text>'
        )
        parts.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 14}" font-size="9" '
            f'text-anchor="middle" fill="{AXIS}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704 - every piece of text above is escaped


def hbar_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    suffix: str = "",
    maximum: float | None = None,
    colour: str = PALETTE[1],
) -> Markup:
    """Horizontal bars, one row per label (institutions), for long names."""
    row, left, width = 22, 180, 640
    height = max(len(values), 1) * row + 10
    peak = maximum or max([float(v) for v in values] + [1.0])
    parts = _open(chart_id, title, width, height)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 5 + i * row
        bar = (width - left - 60) * min(float(value), peak) / peak
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            f'<text x="{left - 6}" y="{y + 14}" font-size="11" text-anchor="end" '
            f'fill="{AXIS}">{escape(short)}</text>'
        )
        parts.append(
            f'<rect x="{left}" y="{y + 3}" width="{bar:.1f}" height="{row - 8}" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{left + bar + 4:.1f}" y="{y + 14}" font-size="11" '
            f'fill="{AXIS}">{_number(float(value))}{escape(suffix)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704 - every piece of text above is escaped


def line_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
) -> Markup:
    """Lines with points, one per series, with a legend; labels along the bottom axis."""
    width, height, left, bottom, top = 640, 280, 40, 60, 20
    count = max(len(labels), 1)
    peak = max([float(v) for _name, values in series for v in values] + [1.0])
    step = (width - left - 20) / max(count - 1, 1)
    plot = height - bottom - top
    parts = _open(chart_id, title, width, height)
    parts.append(
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 5}" y2="{height - bottom}" '
        f'stroke="{AXIS}"/>'
    )
    parts.append(
        f'<text x="{left - 4}" y="{top + 4}" font-size="10" text-anchor="end" '
        f'fill="{AXIS}">{_number(peak)}</text>'
    )
    parts.append(f'<line x1="{left}" y1="{top}" x2="{width - 5}" y2="{top}" stroke="{GRID}"/>')
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{left + i * step:.1f}" y="{height - bottom + 14}" font-size="9" '
            f'text-anchor="middle" fill="{AXIS}">{escape(label)}</text>'
        )
    for n, (name, values) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        points = [
            (left + i * step, height - bottom - plot * float(v) / peak)
            for i, v in enumerate(values)
        ]
        if points:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        for x, y in points:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        legend_y = height - 22 + 0 * n
        legend_x = left + n * 200
        parts.append(
            f'<rect x="{legend_x}" y="{legend_y}" width="12" height="12" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{legend_x + 16}" y="{legend_y + 10}" font-size="11" '
            f'fill="{AXIS}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704 - every piece of text above is escaped
