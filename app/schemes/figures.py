"""Participation in figures — are the small municipalities reached? The page
``/{county}/virkemidler/deltakelse`` (SVG charts, each with its table), the same figures as a
spreadsheet (``deltakelse.xlsx``) and as JSON (``/api/v1/{county}/participations/figures``).
The figures come from :mod:`app.schemes.figures_service`; the charts are the hjelpekorps
dashboard's."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from app.accounts.deps import Context, DbSession, api_require, require
from app.accounts.one_trip import Router
from app.errors import InvalidInput
from app.helpdesk.dashboard import charts
from app.i18n import _
from app.networks.labels import AREA_LABELS
from app.schemes import figures_service as service
from app.schemes import figures_xlsx
from app.schemes.labels import LABELS, STATUS_LABELS
from app.web import decimal, is_htmx, render

router = Router()
api_router = Router(tags=["schemes"])

Reader = Annotated[Context, Depends(require("schemes.read"))]
ApiReader = Annotated[Context, Depends(api_require("schemes.read"))]

# The page's query parameters (Norwegian) → the service's field names, for error messages.
PAGE_FIELDS = {"scheme_id": "virkemiddel", "from_year": "fra", "to_year": "til", "status": "status"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def percent(share: float | None) -> str:
    return f"{decimal(share * 100)}\u00a0%" if share is not None else "–"


def kroner(value: float | None) -> str:
    return _n(round(value)) if value is not None else "–"


def _listing(pairs: list[tuple[str, str]]) -> str:
    return "; ".join(f"{label}: {value}" for label, value in pairs)


def class_label(label: str) -> str:
    return _("{label} innbyggere").format(label=label)


def build_charts(fig: service.Figures) -> dict[str, charts.Chart]:
    """The four charts; small municipalities are hatched and marked with a word, not by colour
    alone. Each chart's description lists its figures."""
    legend = (
        _("Små kommuner (under {n} innbyggere)").format(n=_n(fig.small_limit)),
        _("Andre kommuner"),
    )
    mark = _("små")
    reached = [
        (
            _("{label}: {n} av {total}").format(
                label=class_label(c.label), n=c.took_part, total=c.municipalities
            ),
            c,
        )
        for c in fig.classes
    ]
    small_word, other_word = _("små kommuner"), _("andre kommuner")
    years = []
    for row in fig.by_year:
        small = sum(n for index, n in row.by_class.items() if index <= service.SMALL_CLASSES)
        years.append((f"{row.year}: {small_word}", small, True))
        years.append((f"{row.year}: {other_word}", row.total - small, False))
    small_role, other_role = fig.roles[0], fig.roles[1]
    roles = [
        (_("Små kommuner som søker"), small_role.lead, True),
        (_("Små kommuner som partner"), small_role.partner, True),
        (_("Andre kommuner som søker"), other_role.lead, False),
        (_("Andre kommuner som partner"), other_role.partner, False),
    ]
    grants = [g for g in fig.grants if g.index is not None]
    return {
        "reached": charts.bar_chart(
            "chart-reached",
            _("Andel av kommunene som deltok, etter innbyggertall (prosent)"),
            _listing([(label, percent(c.share)) for label, c in reached]),
            [charts.Bar(label, round((c.share or 0) * 100), c.small) for label, c in reached],
            mark=mark,
            legend=legend,
        ),
        "years": charts.bar_chart(
            "chart-years",
            _("Kommuner som deltok, per år"),
            _listing([(label, str(n)) for label, n, _small in years]),
            [charts.Bar(label, n, small) for label, n, small in years],
            mark=mark,
            legend=legend,
        ),
        "roles": charts.bar_chart(
            "chart-roles",
            _("Deltakelser som søker og som partner"),
            _listing([(label, str(n)) for label, n, _small in roles]),
            [charts.Bar(label, n, small) for label, n, small in roles],
            mark=mark,
            legend=legend,
        ),
        "grants": charts.bar_chart(
            "chart-grants",
            _("Innvilget per innbygger, kroner"),
            _listing([(class_label(g.label), kroner(g.per_inhabitant)) for g in grants]),
            [
                charts.Bar(class_label(g.label), round(g.per_inhabitant or 0), g.small)
                for g in grants
            ],
            mark=mark,
            legend=legend,
        ),
    }


def _query(f: service.FigureFilter) -> str:
    params: list[tuple[str, str | int]] = [("fra", f.from_year), ("til", f.to_year)]
    if f.scheme_id is not None:
        params.insert(0, ("virkemiddel", f.scheme_id))
    if not f.default_statuses:
        params += [("status", s) for s in f.statuses]
    return urlencode(params)


# --- the page and the spreadsheet ------------------------------------------------------------

SchemeParam = Annotated[str | None, Query(max_length=12)]
YearParam = Annotated[str | None, Query(max_length=6)]
StatusParam = Annotated[list[str] | None, Query(max_length=20)]


@router.get("/{workspace_slug}/virkemidler/deltakelse")
def figures_page(
    request: Request,
    session: DbSession,
    ctx: Reader,
    virkemiddel: SchemeParam = None,
    fra: YearParam = None,
    til: YearParam = None,
    status: StatusParam = None,
) -> Response:
    values = {"virkemiddel": virkemiddel or "", "fra": fra or "", "til": til or ""}
    context: dict[str, Any] = {
        "labels": LABELS,
        "values": values,
        "chosen_statuses": status or list(service.DEFAULT_STATUSES),
        "default_statuses": service.DEFAULT_STATUSES,
        "small_classes": service.SMALL_CLASSES,
        "percent": percent,
        "kroner": kroner,
        "class_label": class_label,
    }
    try:
        f = service.parse_filter(
            session,
            ctx.workspace,
            scheme=virkemiddel,
            from_year=fra,
            to_year=til,
            statuses=status,
        )
    except InvalidInput as exc:
        errors = {PAGE_FIELDS.get(k, k): v for k, v in exc.messages().items()}
        context.update(
            fig=None,
            errors=errors,
            schemes=service.scheme_choices(session, ctx.workspace),
        )
        # htmx swaps no 4xx answer: the filter's messages then come as an ordinary fragment.
        return render(
            request,
            "schemes/figures.html",
            context,
            status_code=200 if is_htmx(request) else 422,
            fragment="schemes/_figures.html",
        )
    fig = service.figures(session, ctx.workspace, f)
    values.update(virkemiddel=str(f.scheme_id or ""), fra=str(f.from_year), til=str(f.to_year))
    context.update(
        fig=fig,
        errors={},
        schemes=fig.schemes,
        chosen_statuses=list(f.statuses),
        charts=build_charts(fig),
        query=_query(f),
        status_text=", ".join(_(STATUS_LABELS[s]) for s in f.statuses),
        contact_areas=", ".join(_(AREA_LABELS[a]).lower() for a in fig.contact_areas),
    )
    return render(request, "schemes/figures.html", context, fragment="schemes/_figures.html")


@router.get("/{workspace_slug}/virkemidler/deltakelse.xlsx")
def figures_xlsx_download(
    session: DbSession,
    ctx: Reader,
    virkemiddel: SchemeParam = None,
    fra: YearParam = None,
    til: YearParam = None,
    status: StatusParam = None,
) -> Response:
    f = service.parse_filter(
        session, ctx.workspace, scheme=virkemiddel, from_year=fra, to_year=til, statuses=status
    )
    fig = service.figures(session, ctx.workspace, f)
    name = f"deltakelse-{ctx.workspace.slug}-{f.from_year}-{f.to_year}.xlsx"
    return Response(
        figures_xlsx.workbook(fig, ctx.workspace.name),
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


# --- the API -------------------------------------------------------------------------------


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class FilterRead(ReadModel):
    scheme_id: int | None = Field(description="The scheme counted; null: every scheme.")
    from_year: int
    to_year: int
    statuses: list[str] = Field(description="The statuses counted as taking part.")


class SizeClassRead(ReadModel):
    index: int
    label: str
    small: bool = Field(description="Under the small limit (the two smallest size classes).")
    municipalities: int = Field(description="Municipalities of the county in this class.")
    population: int
    took_part: int = Field(description="Municipalities of the class that took part.")
    share: float | None = Field(description="took_part / municipalities (0–1).")


class SchemeYearRead(ReadModel):
    scheme_id: int = Field(description="0 in by_year: the chosen schemes together.")
    scheme_name: str
    year: int | None = Field(description="null in by_scheme: the whole period.")
    by_class: dict[int, int] = Field(
        description="Size class index → distinct municipalities that took part."
    )
    total: int


class RoleSplitRead(ReadModel):
    group: str = Field(description="`small`, `other` or `all` municipalities.")
    municipalities: int
    lead: int = Field(description="Participations as lead applicant.")
    partner: int = Field(description="Participations as partner.")
    lead_share: float | None
    partner_share: float | None


class GrantRead(ReadModel):
    index: int | None = Field(description="Size class; null: the whole county.")
    label: str
    small: bool
    population: int
    granted: float = Field(
        description="Kroner granted; a record's amount is split equally among its members."
    )
    per_inhabitant: float | None


class ContactRead(ReadModel):
    name: str
    title: str
    email: str
    phone: str
    areas: list[str]


class AbsentRead(ReadModel):
    number: str
    name: str
    population: int
    size_class: int
    small: bool
    contacts: list[ContactRead]


class FiguresRead(ReadModel):
    filter: FilterRead
    small_limit: int = Field(description="A municipality with fewer inhabitants is small.")
    municipalities: int
    records: int = Field(description="Participation records counted.")
    took_part: int
    small_took_part: int
    classes: list[SizeClassRead]
    by_scheme_year: list[SchemeYearRead]
    by_scheme: list[SchemeYearRead]
    by_year: list[SchemeYearRead]
    roles: list[RoleSplitRead]
    grants: list[GrantRead]
    absent: list[AbsentRead] = Field(
        description="Municipalities of the county with no record counted in the period, "
        "smallest first, with their contact persons for contact_areas."
    )
    contact_areas: list[str]
    areas_from_scheme: bool = Field(
        description="true: the chosen scheme's areas; false: innovation and digitalisation."
    )


@api_router.get("/{workspace_slug}/participations/figures")
def read_figures(
    session: DbSession,
    ctx: ApiReader,
    scheme_id: Annotated[str | None, Query(max_length=12, description="A scheme's id.")] = None,
    from_year: Annotated[
        str | None, Query(max_length=6, description="Default: two years before this year.")
    ] = None,
    to_year: Annotated[str | None, Query(max_length=6, description="Default: this year.")] = None,
    status: Annotated[
        list[str] | None,
        Query(
            max_length=20,
            description="Statuses counted as taking part; default all but idea and withdrawn.",
        ),
    ] = None,
) -> FiguresRead:
    """Participation by municipality size in the period: per scheme and year, over the
    period, as lead applicant or partner, granted kroner per inhabitant, and the
    municipalities that took part in nothing counted."""
    f = service.parse_filter(
        session,
        ctx.workspace,
        scheme=scheme_id,
        from_year=from_year,
        to_year=to_year,
        statuses=status,
    )
    fig = service.figures(session, ctx.workspace, f)
    grants = [
        GrantRead.model_validate(g).model_copy(update={"label": g.label or _("Hele fylket")})
        for g in fig.grants
    ]
    return FiguresRead.model_validate(
        {
            **{name: getattr(fig, name) for name in FiguresRead.model_fields if name != "filter"},
            "filter": FilterRead(
                scheme_id=f.scheme_id,
                from_year=f.from_year,
                to_year=f.to_year,
                statuses=list(f.statuses),
            ),
            "grants": grants,
            "contact_areas": list(fig.contact_areas),
        }
    )
