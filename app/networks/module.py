"""Councils, networks and contacts as the app sees them: menu entries, start-page figures,
demo."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from app.counties.models import Workspace
from app.i18n import lazy
from app.networks import api, demo, models, overview, views
from app.networks.transfer import views as transfer_views
from app.registry import Module, NavLink


def _demo(session: Session, workspaces: Mapping[str, Workspace]) -> None:
    demo.load(session, dict(workspaces))


MODULE = Module(
    name="networks",
    models=models,
    api=(api.router,),
    pages=(views.router, transfer_views.router),
    nav=(
        NavLink(lazy("Råd og nettverk"), "organer", "networks.read"),
        NavLink(lazy("Kontakter"), "kontakter", "contacts.read"),
        NavLink(lazy("Dekning"), "dekning", "networks.read"),
    ),
    overview=overview.contribution,
    demo=_demo,
)
