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
from app.tenancy import scope_kept, set_db_scope


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

FOR_YOU_SHOWN = 4  # in each workspace


def for_you(session: Session, ctxs: Sequence[Context]) -> dict[int, list[NeedsYou]]:
    """A municipal user: innovations already in use among the municipalities their councils
    and networks bring them together with, and not yet taken up at home — spread is what the
    registry is for. One query for all their workspaces (see :func:`_neighbours_elsewhere` for
    the rare person who is a municipal user in another county too)."""
    wanted = [
        c for c in ctxs if c.can("innovations.read") and c.principal.municipality_number is not None
    ]
    if not wanted:
        return {}
    elsewhere = _neighbours_elsewhere(session, ctxs, wanted)
    found = service.in_use_near_in(
        session,
        [
            (
                c.workspace,
                own,
                elsewhere[c.workspace.id]
                if c.workspace.id in elsewhere
                else networks_service.fellow_members_query(c.workspace, own),
            )
            for c in wanted
            for own in [c.principal.municipality_number or ""]
        ],
        limit=FOR_YOU_SHOWN,
    )
    group = _("Innovasjoner i bruk i rådene og nettverkene dine")
    return {
        workspace_id: [
            NeedsYou(
                title=row.title,
                path=f"/innovasjoner/{row.innovation_id}",
                detail=ngettext(
                    "I bruk i {n} kommune du samarbeider med",
                    "I bruk i {n} kommuner du samarbeider med",
                    row.used,
                ).format(n=row.used),
                group=group,
            )
            for row in rows
        ]
        for workspace_id, rows in found.items()
    }


def _neighbours_elsewhere(
    session: Session, ctxs: Sequence[Context], wanted: Sequence[Context]
) -> dict[int, list[str]]:
    """On PostgreSQL, the neighbours of the person's municipality in those of ``wanted`` that
    are in another county than the current workspace (``ctxs[0]``), read under that
    workspace's own scope, by workspace id. A body another county shares is readable where it
    is shared only while ``app.county_number`` is that county, and on the start page it is the
    current workspace's: a municipal user of two counties (rare) costs two statements more per
    workspace in another county, and one to set the start page's scope back. Elsewhere:
    nothing (the neighbours are a subquery of the one query)."""
    here = ctxs[0]
    others = [c for c in wanted if c.workspace.county_number != here.workspace.county_number]
    if not others or session.get_bind().dialect.name != "postgresql":
        return {}
    found: dict[int, list[str]] = {}
    with scope_kept(session):  # the start page's scope again after
        for c in others:
            ws = c.workspace
            set_db_scope(
                session, workspace_id=ws.id, user_id=c.user.id, county_number=ws.county_number
            )
            own = c.principal.municipality_number or ""
            found[ws.id] = networks_service.fellow_members(session, ws, own)
    return found
