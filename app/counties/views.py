"""The workspace start page (municipalities) and workspace settings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from app.accounts.deps import Context, DbSession, require
from app.counties import service
from app.errors import InvalidInput
from app.forms import form_data
from app.helpdesk import service as helpdesk_service
from app.i18n import _
from app.networks import service as networks_service
from app.web import redirect, render

router = APIRouter()

SORTS = ("name", "-name", "number", "-number", "population", "-population")


@router.get("/{workspace_slug}")
def start_page(
    request: Request,
    session: DbSession,
    ctx: Annotated[Context, Depends(require("municipalities.read"))],
    sort: Annotated[str, Query(max_length=20)] = "name",
    size_class: Annotated[str | None, Query(alias="klasse", max_length=2)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    if sort not in SORTS:
        sort = "name"
    chosen = int(size_class) if size_class and size_class.isdigit() else None
    listing = service.list_municipalities(session, ctx.workspace, sort=sort, size_class=chosen, q=q)
    figures = helpdesk = None
    if request.headers.get("HX-Request") != "true":
        if ctx.can("networks.read"):
            figures = networks_service.overview_figures(session, ctx.workspace)
        if ctx.can("helpdesk.see_all"):
            helpdesk = helpdesk_service.overview_figures(session, ctx.workspace)
    return render(
        request,
        "counties/start.html",
        {
            "listing": listing,
            "sort": sort,
            "size_class": chosen,
            "q": q or "",
            "figures": figures,
            "helpdesk": helpdesk,
        },
        fragment="counties/_municipality_table.html",
    )


@router.get("/{workspace_slug}/innstillinger")
def settings_page(
    request: Request,
    session: DbSession,
    ctx: Annotated[Context, Depends(require("workspace.settings"))],
) -> Response:
    current = service.settings_of(ctx.workspace)
    return render(
        request,
        "counties/settings.html",
        {"values": {"size_thresholds": current.size_thresholds}, "errors": {}},
    )


@router.post("/{workspace_slug}/innstillinger")
def save_settings(
    request: Request,
    session: DbSession,
    data: Annotated[dict[str, Any], Depends(form_data)],
    ctx: Annotated[Context, Depends(require("workspace.settings"))],
) -> Response:
    raw = [data.get(f"threshold_{i}", "") for i in range(4)]
    errors: dict[str, str] = {}
    numbers: list[int] = []
    for i, value in enumerate(raw):
        cleaned = str(value).replace(" ", "").replace("\u00a0", "")
        if not cleaned.isdigit() or len(cleaned) > 9:
            errors[f"threshold_{i}"] = _("Skriv et positivt heltall.")
        else:
            numbers.append(int(cleaned))
    if not errors:
        try:
            service.update_settings(session, ctx.workspace, {"size_thresholds": numbers})
        except InvalidInput:
            errors["form"] = _("Grensene må være stigende: hver grense større enn den før.")
    if errors:
        return render(
            request,
            "counties/settings.html",
            {"values": {"size_thresholds": raw}, "errors": errors},
            status_code=422,
        )
    return redirect(
        request, f"/{ctx.workspace.slug}/innstillinger", flash=_("Innstillingene er lagret.")
    )
