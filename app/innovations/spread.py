"""The spread page ``/{county}/innovasjoner/spredning`` — which municipalities use which
innovation (a matrix), how many places each is in use over time, and how far innovations
spread within each council — as SVG pictures, each with a table holding the same figures; and
the same figures as JSON (``/api/v1/{county}/innovations/spread``). The figures come from
:mod:`app.innovations.spread_service`."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from markupsafe import Markup, escape
from pydantic import BaseModel, Field

from app.accounts.deps import Context, DbSession, api_require, require
from app.accounts.one_trip import Router
from app.errors import InvalidInput
from app.helpdesk.dashboard import charts
from app.i18n import _
from app.innovations import spread_service as service
from app.innovations.labels import LABELS
from app.networks.svg import CELL, HEADER_H, LABEL_W, SCALE, Picture
from app.web import is_htmx, render

router = Router()
api_router = Router(tags=["innovations"])

Reader = Annotated[Context, Depends(require("innovations.read"))]
ApiReader = Annotated[Context, Depends(api_require("innovations.read"))]

# The page's query parameters (Norwegian) → the service's field names, for error messages.
PAGE_FIELDS = {
    "area": "omrade",
    "phase": "fase",
    "council": "rad",
    "limit": "antall",
    "page": "side",
    "period": "tid",
}
PAGE_PERIODS = {"ar": "year", "kvartal": "quarter"}


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _short(text: str, room: int) -> str:
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"


# --- the pictures -----------------------------------------------------------------------------


def _glyph(state: str | None, x: float, y: float) -> str:
    """A cell's mark: its shape tells the state, not only its colour."""
    inner = CELL - 4
    cx, cy = x + CELL / 2, y + CELL / 2
    box = (
        f'<rect class="matrix__cell" x="{x + 2:.0f}" y="{y + 2:.0f}" width="{inner}" '
        f'height="{inner}" rx="3"/>'
    )
    if state == "in_use":  # a filled square
        return (
            f'<rect class="matrix__cell matrix__cell--on" x="{x + 2:.0f}" y="{y + 2:.0f}" '
            f'width="{inner}" height="{inner}" rx="3"/>'
        )
    if state == "origin":  # a filled diamond
        h = inner / 2 + 1
        return (
            f'<path class="matrix__cell matrix__cell--on" d="M{cx:.0f} {cy - h:.0f} '
            f'L{cx + h:.0f} {cy:.0f} L{cx:.0f} {cy + h:.0f} L{cx - h:.0f} {cy:.0f} Z"/>'
        )
    if state == "under_way":  # an empty square with a dot
        return box + (
            f'<circle class="matrix__cell matrix__cell--on" cx="{cx:.0f}" cy="{cy:.0f}" r="4"/>'
        )
    if state == "abandoned":  # an empty square with a cross
        return box + (
            f'<text class="matrix__flag" x="{cx:.0f}" y="{cy + 5:.0f}" '
            f'text-anchor="middle">×</text>'
        )
    return box


def legend_items() -> list[tuple[str, str]]:
    return [
        ("origin", _("Laget her")),
        ("in_use", _("I bruk")),
        ("under_way", _("På vei (vurderer, planlagt, innføres)")),
        ("abandoned", _("Avsluttet")),
    ]


def legend_glyph(state: str) -> Markup:
    """One mark of the legend, as a small picture beside its text (hidden from screen readers:
    the text says it)."""
    return Markup(  # noqa: S704 - no outside text in it
        f'<svg xmlns="http://www.w3.org/2000/svg" aria-hidden="true" focusable="false" '
        f'width="{CELL}" height="{CELL}" viewBox="0 0 {CELL} {CELL}" class="matrix">'
        f"{_glyph(state, 0, 0)}</svg>"
    )


def matrix(s: service.Spread) -> Picture:
    """Municipalities (rows) × innovations (columns); a cell's mark is the state of the
    innovation there. Small municipalities are in bold with a star after the name."""
    columns, rows = s.innovations, s.municipalities
    width = LABEL_W + max(1, len(columns)) * CELL + 90  # room for the last slanted titles
    height = HEADER_H + max(1, len(rows)) * CELL + 10
    title = _("Kommuner og innovasjoner: hvem bruker hva")
    desc = _(
        "{n} kommuner og {m} innovasjoner. Fylt rute: i bruk. Rute med prikk: på vei. Rute "
        "med kryss: avsluttet. Rombe: laget i kommunen. Små kommuner er merket "
        "med stjerne. Tabellen under bildet har de samme opplysningene."
    ).format(n=len(rows), m=len(columns))
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="spread-title spread-desc" viewBox="0 0 {width} {height}" '
        f'width="{width * SCALE:.0f}" height="{height * SCALE:.0f}" class="matrix">',
        f'<title id="spread-title">{escape(title)}</title>',
        f'<desc id="spread-desc">{escape(desc)}</desc>',
    ]
    for j, col in enumerate(columns):
        x = LABEL_W + j * CELL + CELL / 2
        parts.append(
            f'<text class="matrix__col" x="{x:.0f}" y="{HEADER_H - 6}" '
            f'transform="rotate(-55 {x:.0f} {HEADER_H - 6})">{escape(_short(col.title, 24))}'
            "</text>"
        )
    for i, row in enumerate(rows):
        y = HEADER_H + i * CELL
        if i % 2 == 0:
            parts.append(
                f'<rect class="matrix__band" x="0" y="{y}" width="{width}" height="{CELL}"/>'
            )
        css = "matrix__row matrix__row--small" if row.small else "matrix__row"
        label = _short(row.name, 20) + (" *" if row.small else "")
        parts.append(
            f'<text class="{css}" x="{LABEL_W - 8}" y="{y + CELL * 0.7:.0f}" '
            f'text-anchor="end">{escape(label)}</text>'
        )
        for j, col in enumerate(columns):
            parts.append(_glyph(s.cells.get((col.id, row.number)), LABEL_W + j * CELL, y))
    parts.append("</svg>")
    return Picture(Markup("".join(parts)), width, height)  # noqa: S704 - every value escaped


def over_time_chart(o: service.OverTime) -> charts.Chart:
    """Per innovation, its title and then a column per period: how many places it was in use
    at the end of it. Drawn like the dashboard's charts, as wide as its container."""
    row_h, plot_h = 104, 56
    height = max(1, len(o.series)) * row_h + 4
    unit = _("kvartal") if o.period == "quarter" else _("år")
    title = _("Antall steder innovasjonen er i bruk, utenom der den ble laget, per {unit}").format(
        unit=unit
    )
    desc = "; ".join(
        f"{s.title}: " + ", ".join(f"{p} {n}" for p, n in zip(o.periods, s.counts, strict=True))
        for s in o.series
    ) or _("Ingen innovasjoner å vise.")
    key = "chart-over-time"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{key}-title {key}-desc" width="100%" height="{height}" '
        f'class="chart chart--columns" font-size="14" fill="{charts.TEXT}">',
        f'<title id="{key}-title">{escape(title)}</title>',
        f'<desc id="{key}-desc">{escape(desc)}</desc>',
    ]
    step = 100 / max(len(o.periods), 1)
    largest = max((max(s.counts, default=0) for s in o.series), default=0)
    for i, s in enumerate(o.series):
        top = i * row_h
        axis = top + 22 + plot_h
        parts.append(
            f'<text class="chart__label" x="0" y="{top + 14}" font-weight="600">'
            f"{escape(_short(s.title, 44))}</text>"
            f'<rect class="chart__axis" x="0" y="{axis}" width="100%" height="1" '
            f'fill="{charts.TEXT}"/>'
        )
        for j, (label, n) in enumerate(zip(o.periods, s.counts, strict=True)):
            centre = f"{(j + 0.5) * step:.2f}"
            h = max(n / largest * (plot_h - 16), 2) if n and largest else 0
            if h:
                parts.append(
                    f'<rect class="chart__bar" x="{j * step + step * 0.2:.2f}%" '
                    f'y="{axis - h:.1f}" width="{step * 0.6:.2f}%" height="{h:.1f}" rx="2" '
                    f'fill="{charts.ACCENT}"/>'
                )
            parts.append(
                f'<text class="chart__value" x="{centre}%" y="{axis - h - 4:.1f}" '
                f'text-anchor="middle" font-weight="700" font-size="12">{_n(n)}</text>'
                f'<text class="chart__note" x="{centre}%" y="{axis + 16}" '
                f'text-anchor="middle" font-size="11">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return charts.Chart(Markup("".join(parts)), f"{key}-title", height)  # noqa: S704


def councils_chart(councils: list[service.CouncilRow]) -> charts.Chart:
    """Per council: the share of its members that use an innovation another member made."""
    bars = []
    listing = []
    for c in councils:
        share = round(c.members_using / c.members * 100) if c.members else 0
        label = _("{name}: {n} av {total}").format(name=c.name, n=c.members_using, total=c.members)
        bars.append(charts.Bar(label, share))
        listing.append(f"{label} ({share} %)")
    return charts.bar_chart(
        "chart-councils",
        _("Andel av medlemmene i rådet som bruker noe et annet medlem har laget (prosent)"),
        "; ".join(listing) or _("Ingen regionråd å vise."),
        bars,
    )


# --- the page ---------------------------------------------------------------------------------


def _query(f: service.SpreadFilter, **change: Any) -> str:
    period = {v: k for k, v in PAGE_PERIODS.items()}
    params: dict[str, Any] = {
        "omrade": f.area or "",
        "fase": f.phase or "",
        "delt": "true" if f.shared_only else "",
        "rad": f.council_id or "",
        "antall": f.limit if f.limit != service.PAGE_SIZES[0] else "",
        "tid": period[f.period] if f.period != "year" else "",
        "side": f.page if f.page != 1 else "",
    }
    params.update(change)
    return urlencode({k: v for k, v in params.items() if v not in ("", None)})


Text = Annotated[str | None, Query(max_length=30)]


@router.get("/{workspace_slug}/innovasjoner/spredning")
def spread_page(
    request: Request,
    session: DbSession,
    ctx: Reader,
    omrade: Text = None,
    fase: Text = None,
    delt: Annotated[bool, Query()] = False,
    rad: Text = None,
    antall: Text = None,
    side: Text = None,
    tid: Text = None,
) -> Response:
    ws = ctx.workspace
    councils = service.council_choices(session, ws)
    values = {
        "omrade": omrade or "",
        "fase": fase or "",
        "delt": delt,
        "rad": rad or "",
        "antall": antall or "",
        "tid": tid or "",
    }
    context: dict[str, Any] = {
        "labels": LABELS,
        "values": values,
        "councils": councils,
        "page_sizes": service.PAGE_SIZES,
        "legend": legend_items(),
        "legend_glyph": legend_glyph,
        "period_label": service.period_label,
    }
    try:
        f = service.parse_filter(
            area=omrade,
            phase=fase,
            shared_only=delt,
            council=rad,
            limit=antall,
            page=side,
            period=PAGE_PERIODS.get(tid or "", tid),
            councils=councils,
        )
    except InvalidInput as exc:
        errors = {PAGE_FIELDS.get(k, k): v for k, v in exc.messages().items()}
        context.update(s=None, errors=errors)
        # htmx swaps no 4xx answer: the filter's messages then come as an ordinary fragment.
        return render(
            request,
            "innovations/spread.html",
            context,
            status_code=200 if is_htmx(request) else 422,
            fragment="innovations/_spread.html",
        )
    s = service.spread(session, ws, f, councils)
    context.update(
        s=s,
        errors={},
        matrix=matrix(s),
        over_time=over_time_chart(s.over_time),
        councils_chart=councils_chart(s.councils),
        query=lambda **change: _query(f, **change),
        names={m.number: m for m in s.municipalities},
    )
    return render(request, "innovations/spread.html", context, fragment="innovations/_spread.html")


# --- the API ------------------------------------------------------------------------------------


class FilterRead(BaseModel):
    area: str | None
    phase: str | None
    shared_only: bool
    council_id: int | None = Field(description="The rows are this council's current members.")
    limit: int
    page: int
    period: str = Field(description="`year` or `quarter`.")


class MunicipalityRead(BaseModel):
    number: str
    name: str
    population: int
    small: bool = Field(description="In one of the two smallest size classes.")
    in_use: int = Field(description="Innovations made elsewhere in use here.")
    under_way: int = Field(description="Innovations being considered, planned or introduced.")
    abandoned: int
    made: int = Field(description="Innovations made here.")


class InnovationRead(BaseModel):
    id: int
    title: str
    own: bool = Field(description="An innovation of this county (else shared by another).")
    owner: str
    shared: bool
    origin_number: str | None
    origin_name: str | None
    spread: int = Field(
        description="Places other than the origin where it is in use, in every county whose "
        "records this workspace reads."
    )
    in_use: list[str] = Field(description="Municipalities of the rows where it is in use.")
    under_way: list[str]
    abandoned: list[str]


class CellRead(BaseModel):
    innovation_id: int
    municipality_number: str
    status: str = Field(description="`origin`, `in_use`, `under_way` or `abandoned`.")


class SeriesRead(BaseModel):
    innovation_id: int
    title: str
    counts: list[int] = Field(description="In use at the end of each period (cumulative).")
    undated: int = Field(description="In use with no date recorded (not in counts).")
    now: int


class OverTimeRead(BaseModel):
    period: str
    periods: list[str]
    series: list[SeriesRead]


class CouncilInnovationRead(BaseModel):
    innovation_id: int
    title: str
    origin_number: str
    origin_name: str
    users: int = Field(description="Other members of the council that use it.")
    others: int = Field(description="Members of the council other than the origin.")


class CouncilRead(BaseModel):
    body_id: int
    name: str
    members: int
    made: int = Field(description="Innovations made by a member.")
    members_using: int = Field(
        description="Members that use an innovation another member of the council made."
    )
    innovations: list[CouncilInnovationRead] = Field(
        description=f"The {service.TOP_PER_COUNCIL} most used within the council."
    )


class SpreadRead(BaseModel):
    filter: FilterRead
    small_limit: int = Field(description="A municipality with fewer inhabitants is small.")
    total: int = Field(description="Innovations matching the filter; `innovations` is a page.")
    municipalities: list[MunicipalityRead]
    innovations: list[InnovationRead]
    cells: list[CellRead]
    over_time: OverTimeRead
    councils: list[CouncilRead]


def _dump(obj: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(obj)


@api_router.get("/{workspace_slug}/innovations/spread")
def read_spread(
    session: DbSession,
    ctx: ApiReader,
    area: Text = None,
    phase: Text = None,
    shared_only: Annotated[bool, Query()] = False,
    council_id: Annotated[str | None, Query(max_length=12)] = None,
    limit: Annotated[str | None, Query(max_length=4, description="20, 50, 100 or 200.")] = None,
    page: Annotated[str | None, Query(max_length=6)] = None,
    period: Annotated[str | None, Query(max_length=10, description="year or quarter.")] = None,
) -> SpreadRead:
    """Which municipalities use which innovation (the most spread first, a page of them), how
    many places each of the first six is in use over time, and the spread within each
    council — the figures of the spread page."""
    councils = service.council_choices(session, ctx.workspace)
    f = service.parse_filter(
        area=area,
        phase=phase,
        shared_only=shared_only,
        council=council_id,
        limit=limit,
        page=page,
        period=period,
        councils=councils,
    )
    s = service.spread(session, ctx.workspace, f, councils)
    return SpreadRead(
        filter=FilterRead(**_dump(f)),
        small_limit=s.small_limit,
        total=s.total,
        municipalities=[MunicipalityRead(**_dump(m)) for m in s.municipalities],
        innovations=[InnovationRead(**_dump(c)) for c in s.innovations],
        cells=[
            CellRead(innovation_id=i, municipality_number=n, status=state)
            for (i, n), state in sorted(s.cells.items())
        ],
        over_time=OverTimeRead(**_dump(s.over_time)),
        councils=[CouncilRead(**_dump(c)) for c in s.councils],
    )
