"""The hjelpekorps as the app sees it: menu entry, start-page figures, settings, demo."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from app.counties.models import Workspace
from app.helpdesk import api, demo, models, overview, settings, views
from app.helpdesk.dashboard import api as dashboard_api
from app.helpdesk.dashboard import views as dashboard_views
from app.helpdesk.helpers import api as helpers_api
from app.helpdesk.helpers import views as helpers_views
from app.helpdesk.visits import api as visits_api
from app.helpdesk.visits import views as visits_views
from app.helpdesk.work import api as work_api
from app.helpdesk.work import views as work_views
from app.i18n import lazy
from app.registry import Module, NavLink


def _demo(session: Session, workspaces: Mapping[str, Workspace]) -> None:
    demo.load(session, workspaces["trondelag"])


MODULE = Module(
    name="helpdesk",
    models=models,
    depends_on=("networks",),
    api=(api.router, visits_api.router, work_api.router, dashboard_api.router, helpers_api.router),
    pages=(
        helpers_views.router,
        dashboard_views.router,  # before /hjelp/{number}
        views.router,
        work_views.router,
        visits_views.router,
        settings.router,
    ),
    nav=(NavLink(lazy("Hjelpekorps"), "hjelp", "helpdesk.read"),),
    overview=overview.contribution,
    for_you=overview.for_you,
    settings=settings.SECTION,
    demo=_demo,
)
