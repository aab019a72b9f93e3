"""On-site visits: planning, reports, a helper's agenda, and the agenda as iCalendar — for
download, and as a feed a calendar program subscribes to with a secret address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event
from sqlalchemy import Select
from sqlalchemy.orm import Session, joinedload, selectinload

from app import feeds
from app.accounts.models import User
from app.accounts.principal import Principal
from app.clock import OSLO
from app.config import get_settings
from app.counties.models import Workspace
from app.db import utcnow
from app.errors import InvalidInput, NotFound
from app.helpdesk import notifications
from app.helpdesk.lifecycle import record_event
from app.helpdesk.models import CalendarFeed, HelpRequest, Visit, VisitHelper
from app.helpdesk.queue import acting_user, get_request, get_workable, require_can_work
from app.helpdesk.triage import eligible_helpers
from app.helpdesk.visits.schemas import VisitForm, VisitReportForm
from app.i18n import _, lazy
from app.notifications import kinds
from app.tenancy import scoped

FEED_PREFIX = "cal"


def plan_visit(
    session: Session, ws: Workspace, p: Principal, number: int, data: VisitForm
) -> Visit:
    """An on-site visit by the help corps; the requester and the helpers get mail."""
    req = get_workable(session, ws, p, number)
    user_id = acting_user(p)
    if req.state in ("resolved", "closed"):
        raise InvalidInput(
            {"day": lazy("Forespørselen er løst. Åpne den igjen for å planlegge besøk.")}
        )
    # Stored in UTC: SQLite keeps no offset, so a local time would read back an hour or two off.
    starts = datetime.combine(data.day, data.start, OSLO).astimezone(UTC)
    ends = datetime.combine(data.day, data.end, OSLO).astimezone(UTC)
    if starts <= utcnow():
        raise InvalidInput({"day": lazy("Besøket må ligge fram i tid.")})
    eligible = {m.user_id for m in eligible_helpers(session, ws)}
    helper_ids = data.helpers or [user_id]
    if any(uid not in eligible for uid in helper_ids):
        raise InvalidInput({"helpers": lazy("Ukjent hjelper.")})
    if not data.despite_clash:
        found = clashes(session, ws, set(helper_ids), starts, ends)
        if found:
            raise VisitClash(found)
    visit = Visit(
        workspace_id=ws.id,
        request_id=req.id,
        starts_at=starts,
        ends_at=ends,
        place=data.place.strip(),
        report="",
        helpers=[VisitHelper(workspace_id=ws.id, user_id=uid) for uid in sorted(set(helper_ids))],
    )
    session.add(visit)
    session.flush()
    record_event(session, ws, req, user_id, "visit", starts_at=starts.isoformat())
    when = starts.astimezone(OSLO).strftime("%d.%m.%Y %H:%M")
    end, place = ends.astimezone(OSLO).strftime("%H:%M"), visit.place
    notifications.notify(
        session,
        ws,
        req,
        user_id,
        kinds.STATUS,
        lambda: (
            _("Besøk {when}").format(when=when),
            _("Besøk {when}–{end} i {place}.").format(when=when, end=end, place=place),
        ),
        extra_user_ids=set(helper_ids),
    )
    return visit


@dataclass
class Clash:
    """Another visit at the same time for one of the helpers."""

    visit: Visit
    helper: User

    def text(self) -> str:
        v = self.visit
        return _("{name} har besøk {when}–{end} i {place} (HK-{number}: {title}).").format(
            name=self.helper.name,
            when=v.starts_at.astimezone(OSLO).strftime("%d.%m.%Y %H:%M"),
            end=v.ends_at.astimezone(OSLO).strftime("%H:%M"),
            place=v.place,
            number=v.request.number,
            title=v.request.title,
        )


class VisitClash(InvalidInput):
    """A visit that would overlap another visit of one of its helpers: the form comes back
    with the other visits named, and the choice to plan it anyway."""

    def __init__(self, found: list[Clash]) -> None:
        super().__init__(
            {
                "clash": lazy(
                    "En hjelper har et annet besøk på samme tid. Velg et annet tidspunkt, "
                    "eller planlegg likevel."
                )
            }
        )
        self.clashes = found


def clashes(
    session: Session,
    ws: Workspace,
    helper_ids: set[int],
    starts: datetime,
    ends: datetime,
    *,
    except_visit_id: int | None = None,
) -> list[Clash]:
    """The visits, on any request of the workspace, that overlap ``starts``–``ends`` for one
    of ``helper_ids``: one line per helper and visit, by time. A visit that ends when the
    other begins is no clash."""
    if not helper_ids:
        return []
    theirs = (
        scoped(VisitHelper, ws.id)
        .where(VisitHelper.user_id.in_(sorted(helper_ids)))
        .with_only_columns(VisitHelper.visit_id)
    )
    query = scoped(Visit, ws.id).where(
        Visit.id.in_(theirs), Visit.starts_at < ends, Visit.ends_at > starts
    )
    if except_visit_id is not None:
        query = query.where(Visit.id != except_visit_id)
    # The helpers join into the same statement (one query; unique() folds the rows).
    found = session.scalars(
        query.order_by(Visit.starts_at, Visit.id).options(
            joinedload(Visit.request),
            joinedload(Visit.helpers).joinedload(VisitHelper.user),
        )
    ).unique()
    return [
        Clash(visit=v, helper=h.user) for v in found for h in v.helpers if h.user_id in helper_ids
    ]


def report_visit(
    session: Session, ws: Workspace, p: Principal, number: int, visit_id: int, form: VisitReportForm
) -> Visit:
    """Write or replace the short report after a visit: whoever works the request, or a helper
    who was on the visit."""
    req = get_request(session, ws, p, number, may="helpdesk.work")
    visit = session.scalar(
        scoped(Visit, ws.id)
        .where(Visit.id == visit_id, Visit.request_id == req.id)
        .options(selectinload(Visit.helpers))
    )
    if visit is None:
        raise NotFound()
    if not any(h.user_id == p.user_id for h in visit.helpers):
        require_can_work(p, req)
    visit.report = form.report.strip()
    session.flush()
    return visit


def visits_of(session: Session, ws: Workspace, request_id: int) -> list[Visit]:
    return list(
        session.scalars(
            scoped(Visit, ws.id)
            .where(Visit.request_id == request_id)
            .order_by(Visit.starts_at)
            .options(joinedload(Visit.helpers).joinedload(VisitHelper.user))
        ).unique()
    )


def agenda(
    session: Session, ws: Workspace, user_id: int | None, *, past_days: int = 30
) -> list[Visit]:
    """Visits from a month ago on, for one helper (or all, with user_id None)."""
    query = scoped(Visit, ws.id).where(Visit.starts_at >= utcnow() - timedelta(days=past_days))
    if user_id is not None:
        mine = (
            scoped(VisitHelper, ws.id)
            .where(VisitHelper.user_id == user_id)
            .with_only_columns(VisitHelper.visit_id)
        )
        query = query.where(Visit.id.in_(mine))
    return list(
        session.scalars(
            query.order_by(Visit.starts_at).options(
                joinedload(Visit.request).joinedload(HelpRequest.municipality),
                selectinload(Visit.helpers).joinedload(VisitHelper.user),
            )
        )
    )


def visits_between_query(
    ws: Workspace, user_id: int, start: datetime, end: datetime, *, limit: int
) -> Select[Any]:
    """The first ``limit`` visits of one helper starting from ``start`` until ``end``, soonest
    first, as a select, for a query that reads several workspaces' at once (each person's start
    page)."""
    mine = (
        scoped(VisitHelper, ws.id)
        .where(VisitHelper.user_id == user_id)
        .with_only_columns(VisitHelper.visit_id)
    )
    return (
        scoped(Visit, ws.id)
        .where(Visit.id.in_(mine), Visit.starts_at >= start, Visit.starts_at < end)
        .order_by(Visit.starts_at, Visit.id)
        .limit(limit)
    )


def to_ical(ws: Workspace, visits: list[Visit], name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Samspill//Hjelpekorps//NO")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    base = get_settings().base_url.rstrip("/")
    for v in visits:
        event = Event()
        event.add("uid", f"visit-{ws.slug}-{v.id}@samspill")
        event.add("dtstamp", utcnow())
        event.add("dtstart", v.starts_at)
        event.add("dtend", v.ends_at)
        req = v.request
        event.add("summary", f"HK-{req.number}: {req.title} ({req.municipality.name})")
        event.add("location", v.place)
        event.add("description", f"{base}/{ws.slug}/hjelp/{req.number}")
        cal.add_component(event)
    return bytes(cal.to_ical())


def new_feed(session: Session, ws: Workspace, user: User) -> str:
    """A fresh secret feed address for this user in this workspace; the old one stops working."""
    return feeds.create(session, CalendarFeed, FEED_PREFIX, ws, user.id)


def feed(session: Session, token: str) -> tuple[Workspace, list[Visit], str] | None:
    # The address works only while its owner may still work requests in this workspace.
    found = feeds.owner(session, CalendarFeed, FEED_PREFIX, token, "helpdesk.work")
    if found is None:
        return None
    workspace, user = found.workspace, found.user
    return workspace, agenda(session, workspace, user.id), user.name
