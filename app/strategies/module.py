"""Strategies as the app sees it: menu entry, start-page figures, demo, periodic jobs."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from app.counties.models import Workspace
from app.i18n import lazy
from app.registry import Module, NavLink
from app.strategies import api, demo, jobs, models, overview, views
from app.strategies.consultation import api as consultation_api
from app.strategies.consultation import response_views
from app.strategies.consultation import views as consultation_views
from app.strategies.exports import background as export_background
from app.strategies.exports import views as export_views


def _demo(session: Session, workspaces: Mapping[str, Workspace]) -> None:
    demo.load(session, workspaces["trondelag"])
    demo.load_elsewhere(session, workspaces["vestland"])


MODULE = Module(
    name="strategies",
    models=models,
    depends_on=("networks",),
    api=(api.router, consultation_api.router),
    pages=(
        views.router,
        consultation_views.router,
        response_views.router,
        export_views.router,
    ),
    nav=(NavLink(lazy("Strategier"), "strategier", "strategies.read", also=("hoeringer",)),),
    overview=overview.contribution,
    for_you=overview.for_you,
    demo=_demo,
    jobs=((jobs.run_all, 300.0), (export_background.run_pending, 2.0)),
)
