"""Webinar series: a series on a theme with a session every few days (of a body or of the
county), making its next sessions from the cadence, and its archive of sessions held with their
recordings and slides, searchable. The sessions are meetings of kind webinar (``series_id``), so
who sees and writes them is what ``service`` says of meetings. Flushes, never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, func, or_
from sqlalchemy.orm import Session

from app.accounts.principal import Principal
from app.clock import local, utcnow
from app.counties.models import Workspace
from app.errors import Forbidden, InvalidInput, found
from app.i18n import lazy
from app.meetings import service
from app.meetings.models import Meeting, WebinarSeries
from app.meetings.schemas import MeetingForm, SeriesForm, SessionsForm
from app.networks import service as networks_service
from app.reads import Key, keyset
from app.tenancy import scoped

ARCHIVE_KEY = Key.of(Meeting.starts_at, Meeting.id, desc=True)  # newest first


def visible_series(session: Session, ws: Workspace, p: Principal) -> Select[Any]:
    """The series the person may see: all for the county's staff; otherwise the county's own
    series and those of the bodies their municipality or organisation is in."""
    query = scoped(WebinarSeries, ws.id)
    if p.can("meetings.see_all"):
        return query
    bodies = list(service._member_bodies(session, ws, p))
    return query.where(or_(WebinarSeries.body_id.is_(None), WebinarSeries.body_id.in_(bodies)))


@dataclass
class SeriesRow:
    series: WebinarSeries
    body_name: str | None


def list_series(session: Session, ws: Workspace, p: Principal) -> list[SeriesRow]:
    """The series by title, with their bodies' names (two queries)."""
    rows = list(session.scalars(visible_series(session, ws, p).order_by(WebinarSeries.title)))
    names = service.body_names(session, ws)
    return [SeriesRow(s, names.get(s.body_id) if s.body_id else None) for s in rows]


def get_series(session: Session, ws: Workspace, p: Principal, series_id: int) -> WebinarSeries:
    """A series the person may see, else 404 (another county's is missing here)."""
    return found(
        session.scalar(visible_series(session, ws, p).where(WebinarSeries.id == series_id))
    )


def may_edit(session: Session, ws: Workspace, p: Principal, series: WebinarSeries) -> bool:
    return service.may_edit(session, ws, p, series.body_id)


def _check(session: Session, ws: Workspace, p: Principal, body_id: int | None) -> None:
    if body_id is not None:
        body = networks_service.get_body(session, ws, body_id)
        if body.workspace_id != ws.id:
            raise Forbidden(lazy("Organet eies av et annet fylke: møtene lages der."))
    if not service.may_edit(session, ws, p, body_id):
        raise Forbidden(
            lazy("Bare koordinatorer og organets sekretariat kan lage og endre webinarserier.")
        )


def check_edit(session: Session, ws: Workspace, p: Principal, series: WebinarSeries) -> None:
    _check(session, ws, p, series.body_id)


def create_series(session: Session, ws: Workspace, p: Principal, form: SeriesForm) -> WebinarSeries:
    """A new series (no sessions yet: see ``add_sessions``)."""
    _check(session, ws, p, form.body_id)
    series = WebinarSeries(
        workspace_id=ws.id,
        body_id=form.body_id,
        title=form.title,
        theme=form.theme,
        cadence_days=form.cadence_days,
        organiser=form.organiser or p.name,
    )
    session.add(series)
    session.flush()
    return series


def _sessions(session: Session, ws: Workspace, series_id: int) -> Select[Any]:
    return scoped(Meeting, ws.id).where(Meeting.series_id == series_id)


def add_sessions(
    session: Session, ws: Workspace, p: Principal, series_id: int, form: SessionsForm
) -> list[Meeting]:
    """The next ``form.count`` sessions, ``cadence_days`` apart: after the last session (at its
    times of day), or from ``form.day`` when there is none yet. Numbered on from the last."""
    series = get_series(session, ws, p, series_id)
    _check(session, ws, p, series.body_id)
    last = session.scalar(
        _sessions(session, ws, series.id).order_by(Meeting.starts_at.desc()).limit(1)
    )
    held = session.scalar(
        _sessions(session, ws, series.id).with_only_columns(func.count(Meeting.id))
    )
    step = timedelta(days=series.cadence_days)
    if last is not None:
        starts, ends = local(last.starts_at), local(last.ends_at)
        day, start, end = starts.date() + step, starts.time(), ends.time()
    elif form.day is not None:
        day, start, end = form.day, form.start, form.end
    else:
        raise InvalidInput({"day": lazy("Velg datoen for den første økten.")})
    made = []
    for n in range(form.count):
        meeting = service.create_meeting(
            session,
            ws,
            p,
            MeetingForm(
                title=f"{series.title} {(held or 0) + n + 1}"[:200],
                body_id=series.body_id,
                kind="webinar",
                day=day + step * n,
                start=start,
                end=end,
                video_url=last.video_url if last is not None else "",
                organiser=series.organiser,
                description=series.theme,
            ),
        )
        meeting.series_id = series.id
        made.append(meeting)
    session.flush()
    return made


def archive(
    session: Session,
    ws: Workspace,
    p: Principal,
    series: WebinarSeries,
    *,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 30,
) -> tuple[list[Meeting], bool]:
    """A page of the sessions held (ended), newest first, those whose title or description
    holds ``q``; one more fetched to know whether there is a next page. One query."""
    now = utcnow()
    query = (
        service.visible_to(session, ws, p)
        .where(Meeting.series_id == series.id)
        .where(Meeting.ends_at < now, Meeting.starts_at < now)
    )
    if q:
        pattern = f"%{q}%"
        query = query.where(or_(Meeting.title.ilike(pattern), Meeting.description.ilike(pattern)))
    rows = list(session.scalars(keyset(query, ARCHIVE_KEY, cursor, limit)))
    return rows[:limit], len(rows) > limit


def upcoming(
    session: Session, ws: Workspace, p: Principal, series: WebinarSeries, limit: int = 5
) -> list[Meeting]:
    """The next sessions not yet over, soonest first."""
    query = (
        service.visible_to(session, ws, p)
        .where(Meeting.series_id == series.id, Meeting.ends_at >= utcnow())
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(limit)
    )
    return list(session.scalars(query))
