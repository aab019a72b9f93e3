"""The person's start page (what waits for them, in every workspace they are a member of), the
county overview (the municipalities, with every module's key figures) and the workspace settings
page (the size classes, with every module's settings section)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, field_validator
from sqlalchemy import select, true

from app.accounts.deps import Context, DbSession, require
from app.accounts.one_trip import Router
from app.counties import service as counties_service
from app.forms import FormData, submit
from app.i18n import _, lazy
from app.overview import personal
from app.registry import Contribution, FigureQuery, Module
from app.tenancy import SCOPE_OPTION, require_scoped
from app.web import redirect, render, render_fragment

router = Router()

SORTS = ("name", "-name", "number", "-number", "population", "-population")


def modules_of(request: Request) -> tuple[Module, ...]:
    """The feature modules the app was built with (see ``app.main.create_app``)."""
    return request.app.state.modules  # type: ignore[no-any-return]


def contributions(request: Request, session: DbSession, ctx: Context) -> list[Contribution]:
    """Each module's part of the county overview, in the order of the main menu. The modules
    that give their figures as a query (``FigureQuery``, one row each) are read in one
    statement: their one-row subqueries joined side by side."""
    parts: list[Contribution | FigureQuery] = []
    for module in modules_of(request):
        if module.overview is not None:
            part = module.overview(session, ctx)
            if part is not None:
                parts.append(part)
    pending = [p for p in parts if isinstance(p, FigureQuery)]
    if pending:
        rows = [require_scoped(p.query).subquery(f"figures_{i}") for i, p in enumerate(pending)]
        query = select(*(c for sub in rows for c in sub.c)).select_from(rows[0])
        for sub in rows[1:]:
            query = query.join(sub, true())
        # Each part is built from the scoped helpers (app.tenancy): say so, which spares the
        # session's check from looking through the subqueries again.
        scope = {SCOPE_OPTION: ("workspace", ctx.workspace.id)}
        row = session.execute(query.execution_options(**scope)).one()
        done: dict[int, Contribution | None] = {}
        start = 0
        for p, sub in zip(pending, rows, strict=True):
            width = len(sub.c)
            done[id(p)] = p.done(row[start : start + width])
            start += width
    out = []
    for part in parts:
        if isinstance(part, FigureQuery):
            made = done[id(part)]
            if made is not None:
                out.append(made)
        else:
            out.append(part)
    return out


@router.get("/{workspace_slug}")
def start_page(
    request: Request,
    session: DbSession,
    ctx: Annotated[Context, Depends(require("workspace.read"))],
    til: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The person's own start ("Til deg"): what waits for them here and in their other
    workspaces. The county's figures and municipalities are one click away (``/oversikt``)."""
    if til:
        # From the workspace switcher: the same section in this workspace, if the person may
        # see it here (their role may differ between counties); else the start page.
        if til in ("oversikt", "kommuner"):
            return redirect(request, f"/{ctx.workspace.slug}/oversikt")
        for link in request.app.state.nav:
            if til in (link.path, *link.also) and ctx.can(link.action):
                return redirect(request, f"/{ctx.workspace.slug}/{link.path}")
    places = personal.for_you(session, modules_of(request), ctx)
    return render(
        request,
        "overview/start.html",
        {"places": places, "total": sum(p.count for p in places)},
    )


@router.get("/{workspace_slug}/oversikt")
def county_page(
    request: Request,
    session: DbSession,
    ctx: Annotated[Context, Depends(require("municipalities.read"))],
    sort: Annotated[str, Query(max_length=20)] = "name",
    size_class: Annotated[str | None, Query(alias="klasse", max_length=2)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """The county: every module's key figures and the municipalities, sorted and filtered."""
    if sort not in SORTS:
        sort = "name"
    chosen = int(size_class) if size_class and size_class.isdecimal() else None
    listing = counties_service.list_municipalities(
        session, ctx.workspace, sort=sort, size_class=chosen, q=q
    )
    # An HTMX request only refreshes the table: no figures.
    parts = (
        [] if request.headers.get("HX-Request") == "true" else contributions(request, session, ctx)
    )
    return render(
        request,
        "overview/county.html",
        {
            "listing": listing,
            "sort": sort,
            "size_class": chosen,
            "q": q or "",
            "figures": [f for part in parts for f in part.figures],
            "needs_you": [item for part in parts for item in part.needs_you],
        },
        fragment="counties/_municipality_table.html",
    )


# --- settings ------------------------------------------------------------------------------


class ThresholdsForm(BaseModel):
    threshold_0: str
    threshold_1: str
    threshold_2: str
    threshold_3: str

    @field_validator("threshold_0", "threshold_1", "threshold_2", "threshold_3")
    @classmethod
    def _whole_number(cls, value: str) -> str:
        cleaned = value.replace(" ", "").replace("\u00a0", "")
        if not cleaned.isdecimal() or len(cleaned) > 9:
            raise ValueError(lazy("Skriv et positivt heltall."))
        return cleaned

    def numbers(self) -> list[int]:
        return [
            int(self.threshold_0),
            int(self.threshold_1),
            int(self.threshold_2),
            int(self.threshold_3),
        ]


def settings_page(
    request: Request,
    session: DbSession,
    ctx: Context,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    """The settings page: the size classes, then each module's section."""
    current = counties_service.settings_of(ctx.workspace)
    sections = [
        render_fragment(request, m.settings.template, m.settings.context(session, ctx))
        for m in modules_of(request)
        if m.settings is not None and ctx.can(m.settings.action)
    ]
    return render(
        request,
        "overview/settings.html",
        {
            "values": {"size_thresholds": current.size_thresholds, **(values or {})},
            "errors": errors or {},
            "sections": sections,
        },
    )


@router.get("/{workspace_slug}/innstillinger")
def settings(
    request: Request,
    session: DbSession,
    ctx: Annotated[Context, Depends(require("workspace.settings"))],
) -> Response:
    return settings_page(request, session, ctx)


@router.post("/{workspace_slug}/innstillinger")
def save_settings(
    request: Request,
    session: DbSession,
    data: FormData,
    ctx: Annotated[Context, Depends(require("workspace.settings"))],
) -> Response:
    def again(errors: dict[str, str]) -> Response:
        if "size_thresholds" in errors:  # the service's rule: ascending and positive
            errors = {"form": _("Grensene må være stigende: hver grense større enn den før.")}
        raw = [data.get(f"threshold_{i}", "") for i in range(4)]
        return settings_page(request, session, ctx, values={"size_thresholds": raw}, errors=errors)

    return submit(
        request,
        session,
        data,
        lambda form: counties_service.update_settings(
            session, ctx.workspace, {"size_thresholds": form.numbers()}
        ),
        schema=ThresholdsForm,
        done=f"/{ctx.workspace.slug}/innstillinger",
        flash=_("Innstillingene er lagret."),
        again=again,
    )
