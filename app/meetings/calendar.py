"""Meetings as iCalendar: one meeting, a body's meetings, or a person's meetings through a
secret feed address their calendar program subscribes to (the pattern of the visits' feed)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta

from icalendar import Calendar, Event
from sqlalchemy.orm import Session

from app.accounts import principal as principals
from app.accounts import service as accounts_service
from app.accounts.models import User
from app.accounts.permissions import allowed
from app.accounts.principal import Principal
from app.clock import utcnow
from app.counties.models import Workspace
from app.meetings import service
from app.meetings.models import Meeting, MeetingFeed
from app.tenancy import scoped, set_db_scope

LIMIT = 500  # a body's calendar: its meetings from a year back, at most this many
FEED_PREFIX = "mcal"
FEED_BACK = timedelta(days=92)  # a person's feed: from three months back


def to_ical(ws: Workspace, meetings: Sequence[Meeting], name: str, base_url: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Samspill//Møter//NO")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = utcnow()
    for m in meetings:
        event = Event()
        event.add("uid", f"meeting-{m.workspace_id}-{m.id}@samspill")
        event.add("dtstamp", stamp)
        event.add("dtstart", m.starts_at)
        event.add("dtend", m.ends_at)
        event.add("summary", m.title)
        if m.place or m.video_url:
            event.add("location", m.place or m.video_url)
        if m.organiser:
            event.add("x-samspill-organiser", m.organiser)
        link = f"{base_url.rstrip('/')}/{ws.slug}/moter/{m.id}"
        event.add("url", link)
        event.add("description", "\n".join(x for x in (m.description, m.video_url, link) if x))
        cal.add_component(event)
    return cal.to_ical()


def body_meetings(session: Session, ws: Workspace, p: Principal, body_id: int) -> list[Meeting]:
    """The body's meetings the person may read, from a year back, soonest first."""
    query = (
        service.visible_to(session, ws, p)
        .where(Meeting.body_id == body_id, Meeting.starts_at >= utcnow() - timedelta(days=366))
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(LIMIT)
    )
    return list(session.scalars(query))


def person_meetings(session: Session, ws: Workspace, p: Principal) -> list[Meeting]:
    """The meetings of the person's calendar from three months back, soonest first: for a
    municipal user or a partner those they are invited to or whose bodies their municipality or
    organisation is in; for the county's staff every meeting they may read."""
    query = (
        service.visible_to(session, ws, p)
        .where(Meeting.starts_at >= utcnow() - FEED_BACK)
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(LIMIT)
    )
    return list(session.scalars(query))


def new_feed(session: Session, ws: Workspace, user_id: int) -> str:
    """A fresh secret feed address for this person in this workspace; the old one stops
    working. Only its hash is kept."""
    for old in session.scalars(scoped(MeetingFeed, ws.id).where(MeetingFeed.user_id == user_id)):
        session.delete(old)
    session.flush()
    token = f"{FEED_PREFIX}_{ws.id}_{secrets.token_urlsafe(24)}"
    session.add(
        MeetingFeed(
            workspace_id=ws.id, user_id=user_id, token_hash=accounts_service.hash_token(token)
        )
    )
    session.flush()
    return token


def has_feed(session: Session, ws: Workspace, user_id: int) -> bool:
    return (
        session.scalar(
            scoped(MeetingFeed, ws.id)
            .where(MeetingFeed.user_id == user_id)
            .with_only_columns(MeetingFeed.id)
        )
        is not None
    )


def feed(session: Session, token: str) -> tuple[Workspace, list[Meeting], str] | None:
    """The workspace, meetings and owner's name of a feed address; None when the address is
    unknown or replaced, or its owner no longer reads meetings there."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != FEED_PREFIX or not parts[1].isdecimal():
        return None
    ws = session.get(Workspace, int(parts[1]))
    if ws is None:
        return None
    set_db_scope(session, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    row = session.scalar(
        scoped(MeetingFeed, ws.id).where(
            MeetingFeed.token_hash == accounts_service.hash_token(token)
        )
    )
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    m = accounts_service.get_membership(session, ws.id, user.id)
    if m is None or not allowed(m.roles, "meetings.read"):
        return None
    p = principals.for_member(
        user_id=user.id,
        name=user.name,
        email=user.email,
        role=m.role,
        municipality_number=m.municipality_number,
        organisation_id=m.organisation_id,
        extra_roles=m.extras,
    )
    return ws, person_meetings(session, ws, p), user.name
