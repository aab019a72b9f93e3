"""The hjelpekorps' numbers for the workspace's start page: what is open, unassigned and overdue
now, and the last twelve months in three key figures (two of them cached, see ``key_figures``).
The full figures are the dashboard's (``app.helpdesk.dashboard``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
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
class Year:
    median_first_response_minutes: float | None
    average_rating: float | None
    computed_at: datetime


# The twelve-month aggregates by (database, workspace), in this process. Their cost grows with
# the table (a median over a year of requests), so they are computed at most once every
# ``key_figures_cache_seconds`` per workspace; the figures say when ("oppdatert kl. 10:40").
_YEARS: dict[tuple[str, int], Year] = {}


def _year(session: Session, ws: Workspace, now: datetime | None) -> Year:
    base = scoped(HelpRequest, ws.id).where(HelpRequest.created_at >= period_start("12m", now))
    _count, first_median = median_minutes(session, base, HelpRequest.first_response_minutes)
    average = session.scalar(base.with_only_columns(func.avg(HelpRequest.rating)))
    return Year(first_median, float(average) if average is not None else None, now or utcnow())


def _key(session: Session, ws: Workspace) -> tuple[str, int]:
    return (str(session.get_bind().engine.url), ws.id)


def kept_year(session: Session, ws: Workspace) -> Year | None:
    """The twelve-month aggregates kept for ``ws`` while they are fresh, else None."""
    seconds = get_settings().key_figures_cache_seconds
    cached = _YEARS.get(_key(session, ws)) if seconds > 0 else None
    if cached is not None and utcnow() - cached.computed_at < timedelta(seconds=seconds):
        return cached
    return None


def keep_year(session: Session, ws: Workspace, median: float | None, average: float | None) -> Year:
    """Twelve-month aggregates just computed (by :func:`year_columns`), kept when the cache is
    on."""
    year = Year(
        float(median) if median is not None else None,
        float(average) if average is not None else None,
        utcnow(),
    )
    if get_settings().key_figures_cache_seconds > 0:
        _YEARS[_key(session, ws)] = year
    return year


def year_columns(ws: Workspace) -> list[Any]:
    """The twelve-month aggregates as two scalar subqueries (median minutes to a first response,
    average rating), for a statement that reads other figures too. The median is the middle
    value, or the mean of the two middle ones (as ``statistics.median`` and PostgreSQL's
    ``percentile_cont(0.5)``), on both databases."""
    base = scoped(HelpRequest, ws.id).where(HelpRequest.created_at >= period_start("12m"))
    column = HelpRequest.first_response_minutes
    filled = base.where(column.is_not(None))
    n = filled.with_only_columns(func.count()).scalar_subquery()
    middle = (
        filled.with_only_columns(column.label("minutes"))
        .order_by(column)
        .limit(2 - n % 2)
        .offset((n - 1) // 2)
        .subquery("middle")
    )
    return [
        select(func.avg(middle.c.minutes)).scalar_subquery(),
        base.with_only_columns(func.avg(HelpRequest.rating)).scalar_subquery(),
    ]


def overview_query(ws: Workspace, *, year: bool) -> Select[Any]:
    """One row: open, unassigned, overdue, open more than four weeks; then, with ``year``, the
    twelve-month aggregates of :func:`year_columns` (for when none are kept)."""
    now = utcnow()
    columns = [
        func.count(HelpRequest.id),
        func.count(HelpRequest.id).filter(~assigned_clause(ws).exists()),
        func.count(HelpRequest.id).filter(overdue_clause(now)),
        func.count(HelpRequest.id).filter(HelpRequest.created_at <= now - timedelta(days=28)),
    ]
    query = scoped(HelpRequest, ws.id).where(HelpRequest.state.in_(OPEN_STATES))
    if not year:
        return query.with_only_columns(*columns)  # type: ignore[return-value]
    counts = query.with_only_columns(*columns).subquery("open_now")
    return select(*counts.c, *(c.label(f"year_{i}") for i, c in enumerate(year_columns(ws))))


def key_figures(session: Session, ws: Workspace, *, now: datetime | None = None) -> KeyFigures:
    """The median working time to a first response and the average rating over the last twelve
    months (cached for ``key_figures_cache_seconds``; computed afresh when ``now`` is given),
    and how many open requests have waited more than four weeks (always current)."""
    seconds = get_settings().key_figures_cache_seconds
    if now is not None or seconds <= 0:
        year = _year(session, ws, now)
    else:
        year = kept_year(session, ws) or _year(session, ws, None)
        _YEARS[_key(session, ws)] = year
    old = sum(a.count for a in open_by_age(session, ws, now) if a.key in ("1m_3m", "over_3m"))
    return KeyFigures(
        year.median_first_response_minutes, year.average_rating, old, year.computed_at
    )


def freshness(figures: KeyFigures | Year) -> str | None:
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
