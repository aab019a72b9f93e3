"""The hjelpekorps' numbers for the workspace's start page: what is open, unassigned and overdue
now, and the last twelve months in three key figures (two of them cached, see ``key_figures``).
The full figures are the dashboard's (``app.helpdesk.dashboard``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.orm import Session

from app.clock import local
from app.config import get_settings
from app.counties.models import Workspace
from app.db import utcnow
from app.helpdesk.dashboard.service import median_minutes, open_by_age, period_start
from app.helpdesk.due import overdue_clause
from app.helpdesk.models import OPEN_STATES, HelpRequest
from app.helpdesk.queue import assigned_clause
from app.i18n import _
from app.tenancy import scoped
from app.web import decimal


@dataclass
class HelpdeskFigures:
    open: int
    unassigned: int
    overdue: int


def overview_figures(session: Session, ws: Workspace) -> HelpdeskFigures:
    """Open requests, those with no one assigned, and those past a due time: one query."""
    row = session.execute(
        scoped(HelpRequest, ws.id)
        .where(HelpRequest.state.in_(OPEN_STATES))
        .with_only_columns(
            func.count(HelpRequest.id),
            func.count(HelpRequest.id).filter(~assigned_clause(ws).exists()),
            func.count(HelpRequest.id).filter(overdue_clause(utcnow())),
        )
    ).one()
    return HelpdeskFigures(open=row[0] or 0, unassigned=row[1] or 0, overdue=row[2] or 0)


@dataclass
class KeyFigures:
    """The last twelve months."""

    median_first_response_minutes: float | None
    average_rating: float | None
    open_over_four_weeks: int
    # When the two twelve-month aggregates were computed (they are cached, see key_figures).
    computed_at: datetime | None = None


@dataclass(frozen=True)
class _Year:
    median_first_response_minutes: float | None
    average_rating: float | None
    computed_at: datetime


# The twelve-month aggregates by (database, workspace), in this process. Their cost grows with
# the table (a median over a year of requests), so they are computed at most once every
# ``key_figures_cache_seconds`` per workspace; the figures say when ("oppdatert kl. 10:40").
_YEARS: dict[tuple[str, int], _Year] = {}


def _year(session: Session, ws: Workspace, now: datetime | None) -> _Year:
    base = scoped(HelpRequest, ws.id).where(HelpRequest.created_at >= period_start("12m", now))
    _count, first_median = median_minutes(session, base, HelpRequest.first_response_minutes)
    average = session.scalar(base.with_only_columns(func.avg(HelpRequest.rating)))
    return _Year(first_median, float(average) if average is not None else None, now or utcnow())


def key_figures(session: Session, ws: Workspace, *, now: datetime | None = None) -> KeyFigures:
    """The median working time to a first response and the average rating over the last twelve
    months (cached for ``key_figures_cache_seconds``; computed afresh when ``now`` is given),
    and how many open requests have waited more than four weeks (always current)."""
    seconds = get_settings().key_figures_cache_seconds
    if now is not None or seconds <= 0:
        year = _year(session, ws, now)
    else:
        key = (str(session.get_bind().engine.url), ws.id)
        cached = _YEARS.get(key)
        if cached is not None and utcnow() - cached.computed_at < timedelta(seconds=seconds):
            year = cached
        else:
            year = _year(session, ws, None)
            _YEARS[key] = year
    old = sum(a.count for a in open_by_age(session, ws, now) if a.key in ("1m_3m", "over_3m"))
    return KeyFigures(
        year.median_first_response_minutes, year.average_rating, old, year.computed_at
    )


def freshness(figures: KeyFigures) -> str | None:
    """When the twelve-month figures were computed, for a person: "oppdatert kl. 10:40"."""
    if figures.computed_at is None:
        return None
    return _("oppdatert kl. {time}").format(time=local(figures.computed_at).strftime("%H:%M"))


def duration(minutes: float | None) -> str | None:
    """Working time, short enough for a key figure on a phone: "45 min", "7,5 t"."""
    if minutes is None:
        return None
    if minutes < 59.5:
        return _("{m} min").format(m=round(minutes))
    return _("{h} t").format(h=decimal(minutes / 60))
