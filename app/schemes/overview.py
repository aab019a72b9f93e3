"""What funding schemes add to the workspace start page: the deadlines of the next 30 days."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts.deps import Context
from app.clock import local, local_date
from app.i18n import _
from app.registry import Contribution, Figure, NeedsYou
from app.schemes import service

SHOWN = 8


def contribution(session: Session, ctx: Context) -> Contribution | None:
    """How many calls close in the next 30 days, and the soonest of them as deadlines."""
    if not ctx.can("schemes.read"):
        return None
    calls = service.deadlines(session, ctx.workspace, end=service.soon_end())
    figures = [
        Figure(
            str(len(calls)),
            _("søknadsfrister de neste 30 dagene"),
            "/virkemidler/frister",
        )
    ]
    needs = [
        NeedsYou(
            title=_("Frist: {scheme} – {call}").format(scheme=c.scheme.name, call=c.title),
            path=f"/virkemidler/{c.scheme_id}",
            detail=_("kl. {time}").format(time=local(c.deadline).strftime("%H.%M")),
            due=local_date(c.deadline),
        )
        for c in calls[:SHOWN]
    ]
    return Contribution(figures=figures, needs_you=needs)
