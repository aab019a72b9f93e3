"""The hjelpekorps' numbers for the workspace's start page: what is open, unassigned and overdue
now, and the last twelve months in three key figures. The full figures are the dashboard's
(``app.helpdesk.dashboard``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.orm import Session

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


def key_figures(session: Session, ws: Workspace, *, now: datetime | None = None) -> KeyFigures:
    """Three queries: the median working time to a first response, the average rating, and how
    many open requests have waited more than four weeks."""
    base = scoped(HelpRequest, ws.id).where(HelpRequest.created_at >= period_start("12m", now))
    _count, first_median = median_minutes(session, base, HelpRequest.first_response_minutes)
    average = session.scalar(base.with_only_columns(func.avg(HelpRequest.rating)))
    old = sum(a.count for a in open_by_age(session, ws, now) if a.key in ("1m_3m", "over_3m"))
    return KeyFigures(first_median, float(average) if average is not None else None, old)


def duration(minutes: float | None) -> str | None:
    """Working time, short enough for a key figure on a phone: "45 min", "7,5 t"."""
    if minutes is None:
        return None
    if minutes < 59.5:
        return _("{m} min").format(m=round(minutes))
    return _("{h} t").format(h=decimal(minutes / 60))
