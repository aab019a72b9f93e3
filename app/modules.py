"""The feature modules, in the order of the main menu and the start page.

Adding a module is one line here (and its own folder, permissions, migration and templates:
see "Adding a module" in the README)."""

from __future__ import annotations

from app.helpdesk.module import MODULE as helpdesk
from app.innovations.module import MODULE as innovations
from app.meetings.module import MODULE as meetings
from app.networks.module import MODULE as networks
from app.notifications import service as notifications_service
from app.registry import Module, PeriodicJob
from app.schemes.module import MODULE as schemes
from app.strategies.module import MODULE as strategies

MODULES: tuple[Module, ...] = (
    helpdesk,
    schemes,
    innovations,
    strategies,
    meetings,
    networks,
)

# The house's own periodic jobs, beside the modules' (the daily notification digest: hourly,
# it mails each person at most once a day).
HOUSE_JOBS: tuple[PeriodicJob, ...] = ((notifications_service.digest_job, 3600.0),)


def periodic_jobs(modules: tuple[Module, ...] | None = None) -> list[PeriodicJob]:
    """Every periodic job the worker runs: the house's and each module's."""
    return [
        *HOUSE_JOBS,
        *(job for m in (MODULES if modules is None else modules) for job in m.jobs),
    ]
