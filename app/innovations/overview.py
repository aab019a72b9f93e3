"""What the innovation registry adds to the workspace start page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import Session

from app.accounts.deps import Context
from app.i18n import _, ngettext
from app.innovations import service
from app.innovations.models import Innovation
from app.networks import service as networks_service
from app.registry import Contribution, Figure, FigureQuery, NeedsYou


def contribution(session: Session, ctx: Context) -> FigureQuery | None:
    """How many innovations the county has, how many other counties share, and how many
    places the county's own are in use beyond where they were made (one row, read with the
    other modules' figures)."""
    if not ctx.can("innovations.read"):
        return None
    ws = ctx.workspace
    query, spread = service.with_spread(
        ws, service.visible_innovations(ws).where(Innovation.archived_at.is_(None))
    )
    return FigureQuery(
        query.with_only_columns(  # type: ignore[arg-type]
            func.count(Innovation.id).filter(Innovation.workspace_id == ws.id),
            func.count(Innovation.id).filter(Innovation.workspace_id != ws.id),
            func.coalesce(func.sum(spread).filter(Innovation.workspace_id == ws.id), 0),
        ),
        _figures,
    )


def _figures(row: Sequence[Any]) -> Contribution:
    own, others, in_use = row
    return Contribution(
        figures=[
            Figure(str(own), _("innovasjoner i fylket"), "/innovasjoner"),
            Figure(
                str(in_use),
                _("steder de er tatt i bruk utenom opphavet"),
                "/innovasjoner/spredning",
            ),
            Figure(str(others), _("delt av andre fylker"), "/innovasjoner?fra=andre"),
        ]
    )


# --- the person's start page ---------------------------------------------------------------

FOR_YOU_SHOWN = 4


def for_you(session: Session, ctx: Context) -> list[NeedsYou]:
    """A municipal user: innovations already in use among the municipalities their councils
    and networks bring them together with, and not yet taken up at home — spread is what the
    registry is for."""
    p = ctx.principal
    if not p.can("innovations.read") or p.municipality_number is None:
        return []
    neighbours = networks_service.fellow_members(session, ctx.workspace, p.municipality_number)
    group = _("Innovasjoner i bruk i rådene og nettverkene dine")
    return [
        NeedsYou(
            title=innovation.title,
            path=f"/innovasjoner/{innovation.id}",
            detail=ngettext(
                "I bruk i {n} kommune du samarbeider med",
                "I bruk i {n} kommuner du samarbeider med",
                used,
            ).format(n=used),
            group=group,
        )
        for innovation, used in service.in_use_near(
            session, ctx.workspace, p.municipality_number, neighbours, limit=FOR_YOU_SHOWN
        )
    ]
