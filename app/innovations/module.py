"""Innovations as the app sees them: menu entry, start-page figures, demo, the measurement
reminder job."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from app.counties.models import Workspace
from app.i18n import lazy
from app.innovations import (
    api,
    benefits_api,
    benefits_reminders,
    benefits_views,
    demo,
    files,
    models,
    overview,
    spread,
    tally,
    views,
)
from app.registry import Module, NavLink


def _demo(session: Session, workspaces: Mapping[str, Workspace]) -> None:
    demo.load(session, workspaces)


MODULE = Module(
    name="innovations",
    models=models,
    depends_on=("networks", "helpdesk"),
    api=(api.router, spread.api_router, benefits_api.router, benefits_api.api_router),
    pages=(
        spread.router,  # before /innovasjoner/{id}
        benefits_views.router,
        files.router,
        views.router,
    ),
    nav=(NavLink(lazy("Innovasjoner"), "innovasjoner", "innovations.read"),),
    overview=overview.contribution,
    for_you=overview.for_you,
    demo=_demo,
    # the tallies follow every change here; once a night they also catch another county
    # unsharing or moving the origin of an innovation this county recorded
    jobs=((benefits_reminders.job, 3600.0), (tally.job, 86400.0)),
)
