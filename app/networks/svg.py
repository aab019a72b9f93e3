"""Server-rendered SVG pictures, with their text alternatives. No script, no external assets."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from app.i18n import _
from app.networks.coverage import Coverage

CELL = 22
LABEL_W = 150
HEADER_H = 150
SCALE = 1.4  # drawn larger than its units, so labels read well; it scrolls on a phone


@dataclass
class Picture:
    svg: Markup
    width: int
    height: int


def coverage_matrix(cov: Coverage, small_limit: int) -> Picture:
    """Municipalities (rows) × top-level bodies (columns); a filled cell is a current
    membership. Small municipalities are marked, rows with no council are flagged."""
    columns = cov.columns
    rows = cov.rows
    width = LABEL_W + max(1, len(columns)) * CELL + 70
    height = HEADER_H + max(1, len(rows)) * CELL + 10
    title = _("Kommuner og organer: fylt rute betyr medlem nå")
    desc = _(
        "{n} kommuner og {m} regionråd og nettverk. Tabellen under bildet har de samme "
        "opplysningene."
    ).format(n=len(rows), m=len(columns))
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="cov-title cov-desc" '
        f'viewBox="0 0 {width} {height}" width="{width * SCALE:.0f}" '
        f'height="{height * SCALE:.0f}" class="matrix">',
        f'<title id="cov-title">{escape(title)}</title>',
        f'<desc id="cov-desc">{escape(desc)}</desc>',
    ]
    for j, body in enumerate(columns):
        x = LABEL_W + j * CELL + CELL / 2
        name = body.name if len(body.name) <= 24 else body.name[:23] + "…"
        parts.append(
            f'<text class="matrix__col" x="{x:.0f}" y="{HEADER_H - 6}" '
            f'transform="rotate(-55 {x:.0f} {HEADER_H - 6})">{escape(name)}</text>'
        )
    for i, row in enumerate(rows):
        y = HEADER_H + i * CELL
        small = row.municipality.population < small_limit
        label = row.municipality.name
        css = "matrix__row matrix__row--small" if small else "matrix__row"
        if i % 2 == 0:
            parts.append(
                f'<rect class="matrix__band" x="0" y="{y}" width="{width}" height="{CELL}"/>'
            )
        parts.append(
            f'<text class="{css}" x="{LABEL_W - 8}" y="{y + CELL * 0.7:.0f}" '
            f'text-anchor="end">{escape(label)}</text>'
        )
        for j, body in enumerate(columns):
            x = LABEL_W + j * CELL
            member = body.id in row.member_of
            cls = "matrix__cell matrix__cell--on" if member else "matrix__cell"
            parts.append(
                f'<rect class="{cls}" x="{x + 2}" y="{y + 2}" width="{CELL - 4}" '
                f'height="{CELL - 4}" rx="3"/>'
            )
        if row.councils == 0:
            x = LABEL_W + len(columns) * CELL + 6
            flag = _("ingen råd")
            parts.append(
                f'<text class="matrix__flag" x="{x}" y="{y + CELL * 0.7:.0f}">{escape(flag)}</text>'
            )
    parts.append("</svg>")
    return Picture(Markup("".join(parts)), width, height)  # noqa: S704 - every value escaped
