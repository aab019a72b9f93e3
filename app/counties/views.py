"""The workspace start page (municipalities) and workspace settings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from app.accounts.deps import Context, DbSession, require
from app.counties import service
from app.errors import InvalidInput
from app.forms import form_data
from app.helpdesk import dashboard as helpdesk_dashboard
from app.helpdesk import service as helpdesk_service
from app.helpdesk.dashboard_views import duration as helpdesk_duration
from app.i18n import _
from app.networks import service as networks_service
from app.strategies import consultation as strategies_consultation
from app.strategies import measures as strategies_measures
from app.web import redirect, render

router = APIRouter()

SLA_PRIORITIES = ("urgent", "high", "normal", "low")
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
    chosen = int(size_class) if size_class and size_class.isdecimal() else None
    listing = service.list_municipalities(session, ctx.workspace, sort=sort, size_class=chosen, q=q)
    figures = helpdesk = helpdesk_year = strategies = None
    if request.headers.get("HX-Request") != "true":
        if ctx.can("networks.read"):
            figures = networks_service.overview_figures(session, ctx.workspace)
        if ctx.can("helpdesk.see_all"):
            helpdesk = helpdesk_service.overview_figures(session, ctx.workspace)
            helpdesk_year = helpdesk_dashboard.key_figures(session, ctx.workspace)
        if ctx.can("strategies.read_drafts"):
            strategies = {
                "measures": strategies_measures.figures(session, ctx.workspace),
                "open_rounds": strategies_consultation.open_rounds(session, ctx.workspace),
            }
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
            "helpdesk_year": helpdesk_year,
            "strategies": strategies,
            "duration": helpdesk_duration,
        },
        fragment="counties/_municipality_table.html",
    )


@router.get("/{workspace_slug}/innstillinger")
def settings_page(
    request: Request,
    session: DbSession,
    ctx: Annotated[Context, Depends(require("workspace.settings"))],
) -> Response:
    return _settings_page(request, ctx, {}, {})


def _settings_page(
    request: Request,
    ctx: Context,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    *,
    sla_form: bool = False,
) -> Response:
    current = service.settings_of(ctx.workspace)
    sla_values: dict[str, Any] = {
        "day_start": current.helpdesk.day_start,
        "day_end": current.helpdesk.day_end,
    }
    for p in SLA_PRIORITIES:
        sla_values[f"first_{p}"] = current.helpdesk.first_response_hours[p]
        sla_values[f"resolve_{p}"] = current.helpdesk.resolution_hours[p]
    return render(
        request,
        "counties/settings.html",
        {
            "values": {"size_thresholds": current.size_thresholds, **sla_values, **values},
            "errors": errors,
            "priorities": [(p, helpdesk_service.PRIORITY_LABELS[p]) for p in SLA_PRIORITIES],
            "sla_form": sla_form,
        },
        status_code=status_code,
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
        if not cleaned.isdecimal() or len(cleaned) > 9:
            errors[f"threshold_{i}"] = _("Skriv et positivt heltall.")
        else:
            numbers.append(int(cleaned))
    if not errors:
        try:
            service.update_settings(session, ctx.workspace, {"size_thresholds": numbers})
        except InvalidInput:
            errors["form"] = _("Grensene må være stigende: hver grense større enn den før.")
    if errors:
        return _settings_page(request, ctx, {"size_thresholds": raw}, errors, 422)
    return redirect(
        request, f"/{ctx.workspace.slug}/innstillinger", flash=_("Innstillingene er lagret.")
    )


@router.post("/{workspace_slug}/innstillinger/hjelpekorps")
def save_service_levels(
    request: Request,
    session: DbSession,
    data: Annotated[dict[str, Any], Depends(form_data)],
    ctx: Annotated[Context, Depends(require("workspace.settings"))],
) -> Response:
    """The hjelpekorps working day and service levels; open requests get new due times."""
    errors: dict[str, str] = {}
    hours: dict[str, dict[str, int]] = {"first_response_hours": {}, "resolution_hours": {}}
    for p in SLA_PRIORITIES:
        for prefix, key in (("first", "first_response_hours"), ("resolve", "resolution_hours")):
            raw = str(data.get(f"{prefix}_{p}", "")).strip()
            if not raw.isdecimal() or not 1 <= int(raw) <= 2000:
                errors[f"{prefix}_{p}"] = _("Skriv et helt antall timer fra 1 til 2000.")
            else:
                hours[key][p] = int(raw)
    if not errors:
        try:
            service.update_settings(
                session,
                ctx.workspace,
                {
                    "helpdesk": {
                        "day_start": str(data.get("day_start", "")),
                        "day_end": str(data.get("day_end", "")),
                        **hours,
                    }
                },
            )
        except InvalidInput as exc:
            for loc, message in exc.errors.items():
                field = loc.rsplit(".", 1)[-1]
                errors[field if field in ("day_start", "day_end") else "sla"] = _(message)
        else:
            count = helpdesk_service.refresh_all_due(session, ctx.workspace)
            return redirect(
                request,
                f"/{ctx.workspace.slug}/innstillinger",
                flash=_(
                    "Tjenestenivåene er lagret. {n} åpne forespørsler har fått nye frister."
                ).format(n=count),
            )
    return _settings_page(request, ctx, data, errors, 422, sla_form=True)
