"""A small server-rendered SVG line of a quantitative benefit's measurements over time, with the
baseline and the target as dashed lines. The page puts a table with the same figures beside it.

Drawn like the hjelpekorps charts (``app/helpdesk/dashboard/charts.py``): no viewBox, as wide
as its container, x positions in per cent and y in pixels, so text keeps its size on a phone.
Every text is escaped; colours come from classes in ``samspill.css`` with presentation
attributes as the fallback (no inline style: the CSP forbids it)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from markupsafe import Markup, escape

from app.i18n import _
from app.innovations.models import Benefit, Measurement

HEIGHT = 150
TOP, BOTTOM = 22, 118  # the plot area, in pixels
LEFT, RIGHT = 2.0, 98.0  # in per cent of the width
LINE = "#0062ba"
GUIDE = "#68707c"


def _pct(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def line_chart(
    benefit: Benefit,
    measurements: list[Measurement],
    number: Callable[[Decimal | None], str],
    day: Callable[[date], str],
) -> Markup | None:
    """The picture, or ``None`` when there is nothing to draw (a qualitative benefit, or no
    figures at all). ``number`` and ``day`` write a value and a date the page's way."""
    points = [(m.measured_on, m.value) for m in measurements if m.value is not None]
    if benefit.kind != "quantitative" or not points:
        return None
    fmt_n, fmt_d = number, day
    values = [float(v) for _d, v in points]
    guides = [
        (g, label)
        for g, label in ((benefit.baseline, _("Utgangspunkt")), (benefit.target, _("Mål")))
        if g is not None
    ]
    values += [float(g) for g, _l in guides]
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    days = [d for d, _v in points]
    first, last = min(days), max(days)
    span = max((last - first).days, 1)

    def x(d: date) -> float:
        if first == last:
            return (LEFT + RIGHT) / 2
        return LEFT + (RIGHT - LEFT) * (d - first).days / span

    def y(v: Decimal | float) -> float:
        return BOTTOM - (BOTTOM - TOP) * (float(v) - low) / (high - low)

    key = f"benefit-{benefit.id}"
    title = _("Målinger av {name}").format(name=benefit.name)
    described = [_("{day}: {value}").format(day=fmt_d(d), value=fmt_n(v)) for d, v in points]
    desc = "; ".join(described)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{key}-title '
        f'{key}-desc" width="100%" height="{HEIGHT}" class="chart" font-size="13">',
        f'<title id="{key}-title">{escape(title)}</title>',
        f'<desc id="{key}-desc">{escape(desc)}</desc>',
        f'<rect class="chart__axis" x="0" y="{BOTTOM + 1}" width="100%" height="1" '
        f'fill="{GUIDE}"/>',
    ]
    for value, label in guides:
        gy = _pct(y(value))
        parts.append(
            f'<line x1="0" x2="100%" y1="{gy}" y2="{gy}" stroke="{GUIDE}" stroke-width="1" '
            f'stroke-dasharray="4 4"/>'
            f'<text class="chart__note" x="100%" y="{_pct(y(value) - 4)}" text-anchor="end" '
            f'fill="{GUIDE}">{escape(label)} {escape(fmt_n(value))}</text>'
        )
    coords = [(x(d), y(v)) for d, v in points]
    for (x1, y1), (x2, y2) in itertools.pairwise(coords):
        parts.append(
            f'<line x1="{_pct(x1)}%" y1="{_pct(y1)}" x2="{_pct(x2)}%" y2="{_pct(y2)}" '
            f'stroke="{LINE}" stroke-width="2.5"/>'
        )
    for cx, cy in coords:
        parts.append(
            f'<circle class="chart__bar" cx="{_pct(cx)}%" cy="{_pct(cy)}" r="4.5" fill="{LINE}"/>'
        )
    parts.append(f'<text class="chart__note" x="0" y="{HEIGHT - 8}">{escape(fmt_d(first))}</text>')
    if last != first:
        parts.append(
            f'<text class="chart__note" x="100%" y="{HEIGHT - 8}" text-anchor="end">'
            f"{escape(fmt_d(last))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped
