"""The hjelpekorps as the app sees it: menu entry, start-page figures, settings, demo."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from app.counties.models import Workspace
from app.helpdesk import demo, models, overview, settings
from app.i18n import lazy
from app.registry import Module, NavLink


def _demo(session: Session, workspaces: Mapping[str, Workspace]) -> None:
    demo.load(session, workspaces["trondelag"])


MODULE = Module(
    name="helpdesk",
    models=models,
    depends_on=("networks",),
    pages=(settings.router,),
    nav=(NavLink(lazy("Hjelpekorps"), "hjelp", "helpdesk.read"),),
    overview=overview.contribution,
    settings=settings.SECTION,
    demo=_demo,
)
