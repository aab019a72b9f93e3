"""The hjelpekorps dashboard page: requests by municipality, size class, category and state,
times to first response and resolution, and satisfaction, as key figures, SVG charts and
tables. Included before the request pages, whose ``/hjelp/{number}`` would claim ``/hjelp/tall``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from app.accounts.deps import Context, DbSession, require
from app.accounts.one_trip import Router
from app.helpdesk.dashboard import charts
from app.helpdesk.dashboard import service as figures
from app.helpdesk.figures import duration
from app.i18n import _, ngettext
from app.web import decimal, render

router = Router()

SeeAll = Annotated[Context, Depends(require("helpdesk.see_all"))]

# The period in the address (Norwegian) → the service's period.
PERIODS: dict[str, figures.Period] = {"12m": "12m", "alle": "all"}
TOP = 5  # municipalities named in the chart's description


def _listing(pairs: list[tuple[str, int]]) -> str:
    return ", ".join(f"{label}: {n}" for label, n in pairs)


def _count_chart(chart_id: str, title: str, rows: list[figures.Count]) -> charts.Chart:
    """A bar chart of counts whose labels are msgids, described by its figures."""
    labelled = [(_(c.label), c.count) for c in rows]
    return charts.bar_chart(
        chart_id, title, _listing(labelled), [charts.Bar(label, n) for label, n in labelled]
    )


def build_charts(d: figures.Dashboard) -> dict[str, charts.Chart]:
    small = _("Små kommuner (under {n} innbyggere)").format(
        n=f"{d.small_limit:,}".replace(",", "\u00a0")
    )
    legend = (small, _("Andre kommuner"))
    busiest = [(r.name, r.count) for r in d.by_municipality if r.count][:TOP]
    idle = sum(1 for r in d.by_municipality if not r.count)
    municipality_desc = " ".join(
        [
            _("Flest forespørsler: {top}.").format(top=_listing(busiest)),
            ngettext(
                "%(num)d kommune har ingen forespørsler.",
                "%(num)d kommuner har ingen forespørsler.",
                idle,
            )
            % {"num": idle},
            _("Små kommuner er skravert og merket «liten»."),
        ]
    )
    return {
        "municipalities": charts.bar_chart(
            "chart-municipalities",
            _("Forespørsler per kommune"),
            municipality_desc,
            [charts.Bar(r.name, r.count, r.small) for r in d.by_municipality],
            mark=_("liten"),
            legend=legend,
        ),
        "size_classes": charts.bar_chart(
            "chart-size-classes",
            _("Forespørsler etter kommunestørrelse (innbyggere)"),
            _listing([(c.label, c.count) for c in d.by_size_class]),
            [charts.Bar(c.label, c.count, c.small) for c in d.by_size_class],
            mark=_("små"),
            legend=legend,
        ),
        "categories": _count_chart(
            "chart-categories", _("Forespørsler etter hva de gjelder"), d.by_category
        ),
        "states": _count_chart("chart-states", _("Forespørsler etter status"), d.by_state),
        "ages": _count_chart("chart-ages", _("Åpne forespørsler etter alder"), d.open_by_age),
        "ratings": charts.histogram(
            "chart-ratings",
            _("Vurderinger fra kommunene, fra 1 til 5"),
            _listing([(str(score), n) for score, n in d.ratings.items()]),
            d.ratings,
            low=_("lite fornøyd"),
            high=_("svært fornøyd"),
        ),
    }


@router.get("/{workspace_slug}/hjelp/tall")
def dashboard_page(
    request: Request,
    session: DbSession,
    ctx: SeeAll,
    periode: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    key = periode if periode in PERIODS else "12m"
    d = figures.dashboard(session, ctx.workspace, ctx.principal, PERIODS[key])
    average = d.average_rating
    context: dict[str, Any] = {
        "d": d,
        "charts": build_charts(d) if d.total else {},
        "periode": key,
        "periods": [("12m", _("Siste 12 måneder")), ("alle", _("Alle år"))],
        "first_response": duration(d.median_first_response_minutes),
        "resolution": duration(d.median_resolution_minutes),
        "average_rating": decimal(average) if average is not None else None,
        "per_municipality": {
            c.index: decimal(c.count / c.municipalities) if c.municipalities else "–"
            for c in d.by_size_class
        },
    }
    return render(request, "helpdesk/dashboard.html", context, fragment="helpdesk/_dashboard.html")
