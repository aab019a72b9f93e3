"""Server-rendered SVG charts for the hjelpekorps dashboard, each with a title and a description
for assistive technology (the page puts a table with the same figures beside it).

The pictures are drawn in CSS pixels without a viewBox: an SVG is as wide as its container
(``width="100%"``), bar lengths are percentages of that width, and text keeps its size. The same
picture therefore reads as well on a 360 px phone as on a 1280 px screen, where a scaled viewBox
would shrink the text to nothing or blow it up. Every value is escaped; no script, no external
assets and no inline style (the CSP forbids it): colours come from classes in
``static/helpdesk-dashboard.css``, with presentation attributes as the fallback."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

ROW = 38  # one bar: its label line, then the bar
LEGEND_ROW = 24
LABEL_Y = 16
BAR_Y = 22
BAR_H = 10
MAX_LABEL = 38  # longer labels are shortened in the picture; the table has them in full

ACCENT = "#0062ba"  # fallbacks: Designsystemet's accent and warning colours
MARKED = "#a56d13"
TRACK = "#e7e9ea"
TEXT = "#1f2c3d"
MARK_TEXT = "#80540f"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    marked: bool = False  # drawn hatched in the warning colour, with a word after the label


@dataclass
class Chart:
    svg: Markup
    title_id: str
    height: int


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _pct(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _short(label: str, room: int = MAX_LABEL) -> str:
    return label if len(label) <= room else label[: room - 1].rstrip() + "…"


def _open(key: str, title: str, desc: str, height: int, css: str) -> list[str]:
    k = escape(key)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{k}-title {k}-desc" width="100%" height="{height}" '
        f'class="chart {escape(css)}" font-size="14" fill="{TEXT}">',
        f'<title id="{k}-title">{escape(title)}</title>',
        f'<desc id="{k}-desc">{escape(desc)}</desc>',
    ]


def _hatch(key: str) -> str:
    return (
        f'<defs><pattern id="{escape(key)}-hatch" patternUnits="userSpaceOnUse" width="8" '
        f'height="8" patternTransform="rotate(45)">'
        f'<rect class="chart__hatch" width="8" height="8" fill="{MARKED}"/>'
        f'<rect class="chart__hatch-stripe" width="3" height="8" fill="#ffffff" '
        f'fill-opacity="0.5"/></pattern></defs>'
    )


def _close(parts: list[str], key: str, height: int) -> Chart:
    parts.append("</svg>")
    return Chart(Markup("".join(parts)), f"{key}-title", height)  # noqa: S704 - all escaped


def bar_chart(
    key: str,
    title: str,
    desc: str,
    bars: list[Bar],
    *,
    mark: str = "",
    legend: tuple[str, str] | None = None,
) -> Chart:
    """Horizontal bars, one per row: the label (and ``mark`` after a marked one) with the value
    at the right end of the line, the bar under it. ``legend`` names the marked and the plain
    bars in two lines at the top."""
    largest = max((b.value for b in bars), default=0)
    top = 2 * LEGEND_ROW + 6 if legend else 0
    height = top + len(bars) * ROW + 2
    k = escape(key)
    parts = _open(key, title, desc, height, "chart--bars")
    parts.append(_hatch(key))
    if legend:
        marked_text, plain_text = legend
        for i, (fill, css, text) in enumerate(
            (
                (f"url(#{k}-hatch)", "chart__bar--marked", marked_text),
                (ACCENT, "chart__bar", plain_text),
            )
        ):
            y = i * LEGEND_ROW
            parts.append(
                f'<rect class="{css}" x="0" y="{y + 4}" width="22" height="14" rx="2" '
                f'fill="{fill}"/>'
                f'<text class="chart__legend" x="30" y="{y + 16}">{escape(text)}</text>'
            )
    for i, bar in enumerate(bars):
        y = top + i * ROW
        marked = bool(bar.marked and mark)
        label = escape(_short(bar.label, MAX_LABEL - (len(mark) + 3 if marked else 0)))
        if marked:
            label += Markup(
                '<tspan class="chart__mark" fill="{}" font-weight="600"> · {}</tspan>'
            ).format(MARK_TEXT, mark)
        parts.append(
            f'<text class="chart__label" x="0" y="{y + LABEL_Y}">{label}</text>'
            f'<text class="chart__value" x="100%" y="{y + LABEL_Y}" text-anchor="end" '
            f'font-weight="700">{_n(bar.value)}</text>'
            f'<rect class="chart__track" x="0" y="{y + BAR_Y}" width="100%" height="{BAR_H}" '
            f'rx="2" fill="{TRACK}"/>'
        )
        if bar.value > 0 and largest > 0:
            width = max(bar.value / largest * 100, 0.8)
            css = "chart__bar--marked" if bar.marked else "chart__bar"
            fill = f"url(#{k}-hatch)" if bar.marked else ACCENT
            parts.append(
                f'<rect class="{css}" x="0" y="{y + BAR_Y}" width="{_pct(width)}%" '
                f'height="{BAR_H}" rx="2" fill="{fill}"/>'
            )
    return _close(parts, key, height)


def histogram(
    key: str, title: str, desc: str, counts: dict[int, int], low: str, high: str
) -> Chart:
    """Columns for the scores 1–5 with their counts above; ``low`` and ``high`` explain the two
    ends of the scale under the axis."""
    plot_top, plot_h = 22, 110
    axis = plot_top + plot_h
    height = axis + 48
    scores = sorted(counts)
    step = 100 / max(len(scores), 1)
    largest = max(counts.values(), default=0)
    parts = _open(key, title, desc, height, "chart--columns")
    parts.append(
        f'<rect class="chart__axis" x="0" y="{axis}" width="100%" height="1" fill="{TEXT}"/>'
    )
    for i, score in enumerate(scores):
        n = counts[score]
        centre = _pct((i + 0.5) * step)
        h = max(n / largest * plot_h, 2) if n and largest else 0
        if h:
            parts.append(
                f'<rect class="chart__bar" x="{_pct(i * step + step * 0.2)}%" '
                f'y="{axis - h:.1f}" width="{_pct(step * 0.6)}%" height="{h:.1f}" rx="2" '
                f'fill="{ACCENT}"/>'
            )
        parts.append(
            f'<text class="chart__value" x="{centre}%" y="{axis - h - 6:.1f}" '
            f'text-anchor="middle" font-weight="700">{_n(n)}</text>'
            f'<text class="chart__label" x="{centre}%" y="{axis + 18}" '
            f'text-anchor="middle">{escape(str(score))}</text>'
        )
    if scores:
        parts.append(
            f'<text class="chart__note" x="0" y="{axis + 42}">'
            f"{escape(str(scores[0]))} = {escape(low)}</text>"
            f'<text class="chart__note" x="100%" y="{axis + 42}" text-anchor="end">'
            f"{escape(str(scores[-1]))} = {escape(high)}</text>"
        )
    return _close(parts, key, height)
