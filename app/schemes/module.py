"""Funding schemes as the app sees them: menu entry, start-page deadlines, the national
catalogue (reference data), demo, the reminder job."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from app.counties.models import Workspace
from app.i18n import lazy
from app.registry import Module, NavLink
from app.schemes import (
    api,
    calendar,
    demo,
    figures,
    models,
    overview,
    reference,
    reminders,
    transfer,
    views,
)


def _demo(session: Session, workspaces: Mapping[str, Workspace]) -> None:
    demo.load(session, workspaces)


MODULE = Module(
    name="schemes",
    models=models,
    depends_on=("networks", "helpdesk"),
    api=(api.router, calendar.api_router, figures.api_router, transfer.api_router),
    pages=(
        calendar.router,  # before /virkemidler/{id}
        figures.router,
        transfer.router,
        views.router,
    ),
    nav=(NavLink(lazy("Virkemidler"), "virkemidler", "schemes.read"),),
    overview=overview.contribution,
    for_you=overview.for_you,
    demo=_demo,
    reference=reference.load_reference,
    jobs=((reminders.job, 3600.0),),
)
