"""What the innovation registry adds to the workspace start page."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import Session

from app.accounts.deps import Context
from app.i18n import _
from app.innovations import service
from app.innovations.models import Innovation
from app.registry import Contribution, Figure


def contribution(session: Session, ctx: Context) -> Contribution | None:
    """How many innovations the county has, how many other counties share, and how many
    places the county's own are in use beyond where they were made."""
    if not ctx.can("innovations.read"):
        return None
    ws = ctx.workspace
    query, spread = service.with_spread(
        ws, service.visible_innovations(ws).where(Innovation.archived_at.is_(None))
    )
    own, others, in_use = session.execute(
        query.with_only_columns(
            func.count(Innovation.id).filter(Innovation.workspace_id == ws.id),
            func.count(Innovation.id).filter(Innovation.workspace_id != ws.id),
            func.coalesce(func.sum(spread).filter(Innovation.workspace_id == ws.id), 0),
        )
    ).one()
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
