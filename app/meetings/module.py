"""Meetings as the app sees them: menu entry, start-page figures and decisions to follow up."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from app.counties.models import Workspace
from app.i18n import lazy
from app.meetings import api, demo, models, overview, papers_views, series_views, views
from app.registry import Module, NavLink


def _demo(session: Session, workspaces: Mapping[str, Workspace]) -> None:
    demo.load(session, workspaces)


MODULE = Module(
    name="meetings",
    models=models,
    depends_on=("networks",),
    api=(api.router,),
    pages=(series_views.router, papers_views.router, views.router),
    nav=(NavLink(lazy("Møter"), "moter", "meetings.read"),),
    overview=overview.contribution,
    for_you=overview.for_you,
    demo=_demo,
)
