"""What funding schemes add to the workspace start page: the deadlines of the next 30 days."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from app.accounts.deps import Context
from app.clock import local, local_date, utcnow
from app.i18n import _
from app.networks import contacts as networks_contacts
from app.registry import Contribution, Figure, NeedsYou
from app.schemes import service
from app.schemes.models import Scheme, SchemeCall
from app.tenancy import require_scoped, scoped, scoped_in

SHOWN = 8


def contribution(session: Session, ctx: Context) -> Contribution | None:
    """How many calls close in the next 30 days, and the soonest of them as deadlines: one
    query (the first rows, each with the count of all)."""
    if not ctx.can("schemes.read"):
        return None
    rows = session.execute(
        scoped(SchemeCall, ctx.workspace.id)
        .join(Scheme, Scheme.id == SchemeCall.scheme_id)
        .where(SchemeCall.deadline >= utcnow(), SchemeCall.deadline < service.soon_end())
        .with_only_columns(
            SchemeCall.scheme_id,
            SchemeCall.title,
            SchemeCall.deadline,
            Scheme.name,
            func.count().over(),
        )
        .order_by(SchemeCall.deadline, SchemeCall.id)
        .limit(SHOWN)
    ).all()
    figures = [
        Figure(
            str(rows[0][4] if rows else 0),
            _("søknadsfrister de neste 30 dagene"),
            "/virkemidler/frister",
        )
    ]
    needs = [
        NeedsYou(
            title=_("Frist: {scheme} – {call}").format(scheme=name, call=title),
            path=f"/virkemidler/{scheme_id}",
            detail=_("kl. {time}").format(time=local(deadline).strftime("%H.%M")),
            due=local_date(deadline),
        )
        for scheme_id, title, deadline, name, _count in rows
    ]
    return Contribution(figures=figures, needs_you=needs)


# --- the person's start page ---------------------------------------------------------------

FOR_YOU_DAYS = 60
FOR_YOU_SHOWN = 5
LOOK_AHEAD = 50  # the calls read per workspace when the person's areas choose among them


def for_you(session: Session, ctxs: Sequence[Context]) -> dict[int, list[NeedsYou]]:
    """A municipal user, in each workspace where they are one: the county's next application
    deadlines (the next 60 days) in the areas the person answers for in their municipality's
    address book; all areas when the address book does not name them. Two statements whatever
    the number of workspaces: the areas, then the calls (a UNION ALL of one bounded part per
    workspace)."""
    out: dict[int, list[NeedsYou]] = {c.workspace.id: [] for c in ctxs}
    municipal = [
        (c.workspace, number)
        for c in ctxs
        if c.principal.can("schemes.read")
        and (number := c.principal.municipality_number) is not None
    ]
    if not municipal:
        return out
    areas = networks_contacts.areas_in(session, municipal, ctxs[0].principal.email or "")
    end = service.soon_end(FOR_YOU_DAYS)
    parts = {  # a bounded look ahead where the areas choose among them
        ws.id: service.deadlines_query(
            ws, end=end, limit=LOOK_AHEAD if areas.get(ws.id) else FOR_YOU_SHOWN
        )
        for ws, _number in municipal
    }
    chosen = union_all(
        *(
            select(require_scoped(part).with_only_columns(SchemeCall.id).subquery().c.id)
            for part in parts.values()
        )
    ).subquery()
    rows = session.execute(
        scoped_in(SchemeCall, sorted(parts))
        .join(Scheme, Scheme.id == SchemeCall.scheme_id)
        .where(SchemeCall.id.in_(select(chosen.c.id)))
        .with_only_columns(
            SchemeCall.workspace_id,
            SchemeCall.scheme_id,
            SchemeCall.title,
            SchemeCall.deadline,
            Scheme.name,
            Scheme.areas,
        )
        .order_by(SchemeCall.deadline, SchemeCall.id)
    ).all()
    for ws_id, scheme_id, title, deadline, name, scheme_areas in rows:
        wanted = areas.get(ws_id)
        if len(out[ws_id]) >= FOR_YOU_SHOWN or (wanted and not wanted & set(scheme_areas or [])):
            continue
        out[ws_id].append(
            NeedsYou(
                title=_("{scheme} – {call}").format(scheme=name, call=title),
                path=f"/virkemidler/{scheme_id}",
                detail=_("Søknadsfrist kl. {time}").format(time=local(deadline).strftime("%H.%M")),
                due=local_date(deadline),
                group=_("Søknadsfrister"),
            )
        )
    return out
