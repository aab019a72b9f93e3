"""What funding schemes add to the workspace start page: the deadlines of the next 30 days."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import Session

from app.accounts.deps import Context
from app.clock import local, local_date, utcnow
from app.i18n import _
from app.networks import contacts as networks_contacts
from app.registry import Contribution, Figure, NeedsYou
from app.schemes import service
from app.schemes.models import Scheme, SchemeCall
from app.tenancy import scoped

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


def for_you(session: Session, ctx: Context) -> list[NeedsYou]:
    """A municipal user: the county's next application deadlines (the next 60 days) in the
    areas the person answers for in their municipality's address book; all areas when the
    address book does not name them."""
    p = ctx.principal
    if not p.can("schemes.read") or p.municipality_number is None:
        return []
    areas = networks_contacts.areas_of(session, ctx.workspace, p.municipality_number, p.email or "")
    if areas:  # a bounded look ahead, then theirs among them
        calls = service.deadlines(
            session,
            ctx.workspace,
            end=service.soon_end(FOR_YOU_DAYS),
            areas=sorted(areas),
            limit=50,
        )[:FOR_YOU_SHOWN]
    else:
        calls = service.deadlines(
            session, ctx.workspace, end=service.soon_end(FOR_YOU_DAYS), limit=FOR_YOU_SHOWN
        )
    return [
        NeedsYou(
            title=_("{scheme} – {call}").format(scheme=c.scheme.name, call=c.title),
            path=f"/virkemidler/{c.scheme_id}",
            detail=_("Søknadsfrist kl. {time}").format(time=local(c.deadline).strftime("%H.%M")),
            due=local_date(c.deadline),
            group=_("Søknadsfrister"),
        )
        for c in calls
    ]
