"""Meetings as iCalendar: one meeting, a body's meetings, or a person's meetings through a
secret feed address their calendar program subscribes to (the pattern of the visits' feed)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from icalendar import Calendar, Event
from sqlalchemy.orm import Session

from app import feeds
from app.accounts import principal as principals
from app.accounts.principal import Principal
from app.clock import utcnow
from app.counties.models import Workspace
from app.meetings import service
from app.meetings.models import Meeting, MeetingFeed

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


def invitation(ws: Workspace, meeting: Meeting, base_url: str, organiser_email: str) -> bytes:
    """The meeting as a calendar invitation (METHOD:REQUEST) to attach to the invitation mail:
    the event of ``to_ical`` (same UID, so a calendar updates it rather than adding another)
    with an organiser and a sequence that grows each time the meeting is changed."""
    cal = Calendar.from_ical(to_ical(ws, [meeting], meeting.title, base_url))
    cal.add("method", "REQUEST")
    for event in cal.walk("VEVENT"):
        event.add("organizer", f"mailto:{organiser_email}", parameters={"CN": ws.name})
        changed = meeting.updated_at - meeting.created_at
        event.add("sequence", max(0, int(changed.total_seconds())))
    return bytes(cal.to_ical())


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
    return feeds.create(session, MeetingFeed, FEED_PREFIX, ws, user_id)


def has_feed(session: Session, ws: Workspace, user_id: int) -> bool:
    return feeds.exists(session, MeetingFeed, ws, user_id)


def feed(session: Session, token: str) -> tuple[Workspace, list[Meeting], str] | None:
    """The workspace, meetings and owner's name of a feed address; None when the address is
    unknown or replaced, or its owner no longer reads meetings there."""
    found = feeds.owner(session, MeetingFeed, FEED_PREFIX, token, "meetings.read")
    if found is None:
        return None
    ws, user, m = found.workspace, found.user, found.membership
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
