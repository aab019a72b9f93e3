"""The workspace's calendar of deadlines: the page (grouped by month, with filters), the same as
iCalendar to download, a secret feed address per person for a calendar program, and the API's
calendar. The opt-out page of the reminder mails is mounted here too (``reminder_views``).

The first half is the calendar's service (queries start from ``tenancy.scoped``); the routes
below it parse, call one function and render.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from icalendar import Calendar, Event
from sqlalchemy.orm import Session

from app import feeds
from app.accounts.deps import Context, DbSession, api_require, require
from app.accounts.models import User
from app.accounts.one_trip import Router
from app.clock import at, local_date, utcnow
from app.counties.models import Workspace
from app.errors import InvalidInput, NotFound
from app.i18n import _, lazy
from app.schemes import reminder_views, service
from app.schemes.labels import LABELS
from app.schemes.models import SCHEME_AREAS, DeadlineFeed, SchemeCall
from app.schemes.reminder_mail import apply_url
from app.schemes.reminder_text import (
    date_text,
    days_left_text,
    days_until,
    deadline_text,
    month_text,
)
from app.web import render

FEED_PREFIX = "frist"
PAST_DAYS = 31  # "the past month" on the page
CALENDAR_PAST_DAYS = 90  # how far back the download and the feed go
EVENT_LENGTH = timedelta(minutes=15)


# --- the calendar's service ----------------------------------------------------------------


@dataclass
class DeadlineRow:
    call: SchemeCall
    state: str
    days_left: int
    apply_url: str


@dataclass
class Month:
    first_day: date
    rows: list[DeadlineRow]


def check_area(area: str | None) -> str | None:
    if area and area not in SCHEME_AREAS:
        raise InvalidInput({"omrade": lazy("Ukjent område.")})
    return area or None


def deadline_months(
    session: Session,
    ws: Workspace,
    *,
    area: str | None = None,
    past: bool = False,
    now: datetime | None = None,
) -> list[Month]:
    """Deadlines from today on (from a month ago with ``past``), soonest first, by month."""
    now = now or utcnow()
    start = at(local_date(now) - timedelta(days=PAST_DAYS if past else 0))
    area = check_area(area)
    calls = service.deadlines(session, ws, start=start, areas=[area] if area else None)
    months: list[Month] = []
    for call in calls:
        day = local_date(call.deadline)
        first = day.replace(day=1)
        if not months or months[-1].first_day != first:
            months.append(Month(first, []))
        months[-1].rows.append(
            DeadlineRow(call, call.state(now), days_until(call.deadline, now), apply_url(call))
        )
    return months


def calendar_calls(session: Session, ws: Workspace, area: str | None = None) -> list[SchemeCall]:
    """What the download and the feed hold: the last few months' deadlines and all to come."""
    start = utcnow() - timedelta(days=CALENDAR_PAST_DAYS)
    area = check_area(area)
    return service.deadlines(session, ws, start=start, areas=[area] if area else None)


def to_ical(ws: Workspace, calls: list[SchemeCall], name: str, base_url: str) -> bytes:
    """The deadlines as iCalendar: one short event at each deadline, its UID stable per call
    (a calendar program updates the event when the deadline moves)."""
    cal = Calendar()
    cal.add("prodid", "-//Samspill//Virkemidler//NO")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-published-ttl", "PT6H")
    base = base_url.rstrip("/")
    stamp = utcnow()
    for call in calls:
        event = Event()
        event.add("uid", f"scheme-call-{call.id}@samspill")
        event.add("dtstamp", stamp)
        event.add("last-modified", call.updated_at or stamp)
        event.add("dtstart", call.deadline)
        event.add("duration", EVENT_LENGTH)
        event.add("transp", "TRANSPARENT")
        event.add(
            "summary",
            _("Frist: {scheme} – {call}").format(scheme=call.scheme.name, call=call.title),
        )
        scheme_page = f"{base}/{ws.slug}/virkemidler/{call.scheme_id}"
        lines = []
        link = apply_url(call)
        if link:
            lines.append(_("Søk her: {url}").format(url=link))
            event.add("url", link)
        lines.append(_("Om virkemiddelet: {url}").format(url=scheme_page))
        if call.opens_on:
            lines.append(_("Åpner: {day}").format(day=date_text(call.opens_on)))
        event.add("description", "\n".join(lines))
        cal.add_component(event)
    return bytes(cal.to_ical())


def new_feed(session: Session, ws: Workspace, user: User) -> str:
    """A fresh secret feed address for this user in this workspace; the old one stops working.
    Only its hash is kept."""
    return feeds.create(session, DeadlineFeed, FEED_PREFIX, ws, user.id)


def feed(session: Session, token: str) -> tuple[Workspace, list[SchemeCall]] | None:
    """The workspace and deadlines behind a feed address, while its owner is still an active
    member who may read the schemes; None for anything else."""
    found = feeds.owner(session, DeadlineFeed, FEED_PREFIX, token, "schemes.read")
    if found is None:
        return None
    return found.workspace, calendar_calls(session, found.workspace)


# --- pages ---------------------------------------------------------------------------------

router = Router()
router.include_router(reminder_views.router)
api_router = Router(tags=["schemes"])

Reader = Annotated[Context, Depends(require("schemes.read"))]
ApiReader = Annotated[Context, Depends(api_require("schemes.read"))]
ICS = "text/calendar; charset=utf-8"


def _calendar_name(ws: Workspace) -> str:
    return _("Søknadsfrister – {county}").format(county=ws.name)


def _page(
    request: Request,
    session: Session,
    ctx: Context,
    *,
    area: str | None,
    past: bool,
    feed_url: str | None = None,
    status_code: int = 200,
) -> Response:
    now = utcnow()
    months = deadline_months(session, ctx.workspace, area=area, past=past, now=now)
    return render(
        request,
        "schemes/calendar.html",
        {
            "months": months,
            "count": sum(len(m.rows) for m in months),
            "area": area or "",
            "past": past,
            "feed_url": feed_url,
            "labels": LABELS,
            "now": now,
            "deadline_text": deadline_text,
            "date_text": date_text,
            "month_text": month_text,
            "days_left_text": days_left_text,
        },
        status_code=status_code,
    )


@router.get("/{workspace_slug}/virkemidler/frister")
def deadlines_page(
    request: Request,
    session: DbSession,
    ctx: Reader,
    omrade: Annotated[str | None, Query(max_length=40)] = None,
    tidligere: Annotated[bool, Query()] = False,
) -> Response:
    return _page(request, session, ctx, area=check_area(omrade), past=tidligere)


@router.get("/{workspace_slug}/virkemidler/frister.ics")
def deadlines_ics(
    session: DbSession,
    ctx: Reader,
    request: Request,
    omrade: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    calls = calendar_calls(session, ctx.workspace, check_area(omrade))
    base = request.app.state.settings.base_url
    return Response(
        to_ical(ctx.workspace, calls, _calendar_name(ctx.workspace), base),
        media_type=ICS,
        headers={"Content-Disposition": 'attachment; filename="frister.ics"'},
    )


@router.post("/{workspace_slug}/virkemidler/frister/abonnement")
def new_feed_address(request: Request, session: DbSession, ctx: Reader) -> Response:
    token = new_feed(session, ctx.workspace, ctx.user)
    url = f"{request.app.state.settings.base_url.rstrip('/')}/frister/{token}.ics"
    # The address is shown this once; a new one replaces it.
    return _page(request, session, ctx, area=None, past=False, feed_url=url, status_code=201)


@router.get("/frister/{token}.ics")
def deadline_feed(request: Request, token: str, session: DbSession) -> Response:
    found = feed(session, token)
    if found is None:
        raise NotFound()
    workspace, calls = found
    body = to_ical(workspace, calls, _calendar_name(workspace), request.app.state.settings.base_url)
    return Response(body, media_type=ICS, headers={"Cache-Control": "private, no-store"})


# --- API -----------------------------------------------------------------------------------


@api_router.get(
    "/{workspace_slug}/calls/calendar.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def api_calendar(
    request: Request,
    session: DbSession,
    ctx: ApiReader,
    area: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """The workspace's deadlines (the last three months and all to come) as iCalendar, one
    event per call at its deadline; ``area`` keeps the schemes of one area."""
    calls = calendar_calls(session, ctx.workspace, check_area(area))
    base = request.app.state.settings.base_url
    return Response(
        to_ical(ctx.workspace, calls, _calendar_name(ctx.workspace), base),
        media_type=ICS,
        headers={"Cache-Control": "private, no-store"},
    )
