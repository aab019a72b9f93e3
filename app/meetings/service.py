"""Meetings: who sees and writes which, the list per county and per body, a meeting with its
invitees, and creating and changing one. The agenda, minutes, attendance and decisions are in
``agenda``. Flushes, never commits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import Session

from app.accounts.principal import Principal
from app.clock import at, local, utcnow
from app.counties.models import Municipality, Organisation, Workspace
from app.errors import Forbidden, InvalidInput, found
from app.i18n import lazy
from app.meetings.models import Meeting, MeetingInvitee
from app.meetings.schemas import MeetingForm
from app.networks import service as networks_service
from app.reads import Key, keyset
from app.tenancy import scoped, scoped_shared

LONGEST = timedelta(days=14)  # the longest a meeting (a conference) may last

# --- who sees what -------------------------------------------------------------------------


def visible(session: Session, ws: Workspace) -> Select[Any]:
    """The meetings of this workspace and those of bodies other counties share with it. The
    shared bodies are looked up first (a few at most), so that the query of the meetings is a
    plain range on an index (a sub-select here made PostgreSQL scan every meeting)."""
    shared = list(session.scalars(networks_service.shared_body_ids(ws)))
    if not shared:
        return scoped(Meeting, ws.id)
    return scoped_shared(Meeting, ws.id, Meeting.body_id, shared)


def _member_bodies(session: Session, ws: Workspace, p: Principal) -> dict[int, str]:
    """The bodies the person's municipality or organisation is in today, with its role there."""
    if p.municipality_number:
        members = networks_service.current_members(
            session, ws, municipality_number=p.municipality_number
        )
    elif p.organisation_id:
        members = networks_service.current_members(session, ws, organisation_id=p.organisation_id)
    else:
        return {}
    roles: dict[int, str] = {}
    for m in members:
        if roles.get(m.body_id) != "secretariat":
            roles[m.body_id] = m.role
    return roles


def visible_to(session: Session, ws: Workspace, p: Principal) -> Select[Any]:
    """The meetings the person may read: all of them for the county's own staff; for a
    municipal user those of the bodies their municipality is in and those it is invited to;
    for a partner those their organisation is invited to (or whose secretariat it is)."""
    query = visible(session, ws)
    if p.can("meetings.see_all"):
        return query
    bodies = _member_bodies(session, ws, p)
    narrowed = narrowed_to(
        query, ws, p, lambda role: [b for b, r in bodies.items() if role is None or r == role]
    )
    return query.where(false()) if narrowed is None else narrowed


def narrowed_to(
    query: Select[Any], ws: Workspace, p: Principal, bodies: Callable[[str | None], Any]
) -> Select[Any] | None:
    """``query`` of meetings narrowed to those a municipal user or partner may read: those
    their municipality or organisation is invited to, and those of the bodies their
    municipality is in (``bodies(None)``) or whose secretariat their organisation is
    (``bodies("secretariat")``): a list of body ids or a subquery. ``None``: none at all."""
    invited = scoped(MeetingInvitee, ws.id).with_only_columns(MeetingInvitee.meeting_id)
    if p.municipality_number:
        invited = invited.where(MeetingInvitee.municipality_number == p.municipality_number)
        ids = bodies(None)
    elif p.organisation_id:
        invited = invited.where(MeetingInvitee.organisation_id == p.organisation_id)
        ids = bodies("secretariat")
    else:
        return None
    return query.where(or_(Meeting.id.in_(invited), Meeting.body_id.in_(ids)))


def may_edit(session: Session, ws: Workspace, p: Principal, body_id: int | None) -> bool:
    """Whether the person may create and write meetings of ``body_id`` (``None``: the county's
    own meetings): coordinators always, a body's secretariat for that body. A body another
    county shares is read-only here."""
    if body_id is not None:
        body = networks_service.get_body(session, ws, body_id)
        if body.workspace_id != ws.id:
            return False
    if p.can("meetings.edit"):
        return True
    if body_id is None or not p.can("meetings.edit_secretariat"):
        return False
    return _member_bodies(session, ws, p).get(body_id) == "secretariat"


def may_create(session: Session, ws: Workspace, p: Principal) -> bool:
    """Whether the person may make a meeting at all (of the county, or of a body)."""
    return p.can("meetings.edit") or bool(editable_bodies(session, ws, p))


def check_edit(session: Session, ws: Workspace, p: Principal, meeting: Meeting) -> None:
    if meeting.workspace_id != ws.id:
        raise Forbidden(
            lazy("Dette møtet hører til et organ et annet fylke eier, og kan bare endres der.")
        )
    if not may_edit(session, ws, p, meeting.body_id):
        raise Forbidden(lazy("Bare koordinatorer og organets sekretariat kan endre møtene."))


# --- lists ---------------------------------------------------------------------------------


@dataclass
class MeetingFilter:
    body_id: int | None = None
    past: bool = False
    q: str | None = None
    kind: str | None = None


@dataclass
class MeetingRow:
    meeting: Meeting
    body_name: str | None
    own: bool


def list_key(past: bool) -> Key:
    """Upcoming meetings soonest first; past ones latest first."""
    return Key.of(Meeting.starts_at, Meeting.id, desc=past)


def list_meetings(
    session: Session,
    ws: Workspace,
    p: Principal,
    f: MeetingFilter,
    *,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[MeetingRow], bool]:
    """A page of meetings (one more fetched to know whether there is a next page) with their
    bodies' names, in a fixed number of queries whatever the number of meetings."""
    query = visible_to(session, ws, p)
    now = utcnow()
    if f.past:  # ended; it started before now, which lets the index range stop there
        query = query.where(Meeting.ends_at < now, Meeting.starts_at < now)
    else:  # not ended; no meeting lasts longer than LONGEST, which bounds the index range
        query = query.where(Meeting.ends_at >= now, Meeting.starts_at >= now - LONGEST)
    if f.body_id is not None:
        query = query.where(Meeting.body_id == f.body_id)
    if f.kind:
        query = query.where(Meeting.kind == f.kind)
    if f.q:
        query = query.where(Meeting.title.ilike(f"%{f.q}%"))
    rows = list(session.scalars(keyset(query, list_key(f.past), cursor, limit)))
    names = body_names(session, ws)
    more = len(rows) > limit
    return [
        MeetingRow(m, names.get(m.body_id) if m.body_id else None, m.workspace_id == ws.id)
        for m in rows[:limit]
    ], more


UPCOMING_CAP = 20


def _upcoming(query: Select[Any]) -> Select[Any]:
    now = utcnow()
    return query.where(Meeting.ends_at >= now, Meeting.starts_at >= now - LONGEST)


def upcoming_count(session: Session, ws: Workspace, p: Principal, cap: int = UPCOMING_CAP) -> str:
    """How many meetings the person may read are still to come, for a key figure: "3", or
    "20+" past ``cap`` (counting stops there, so it costs the same at any size)."""
    query = _upcoming(visible_to(session, ws, p))
    found_ = len(session.scalars(query.with_only_columns(Meeting.id).limit(cap + 1)).all())
    return f"{cap}+" if found_ > cap else str(found_)


def upcoming_count_query(ws: Workspace) -> Select[Any]:
    """One row, for those who see all the meetings (``meetings.see_all``): how many are still to
    come, counted up to ``UPCOMING_CAP + 1`` — the workspace's and those of the bodies other
    counties share, with the shared bodies in a sub-select (for a statement that reads other
    figures too)."""
    shared = networks_service.shared_body_ids(ws)
    query = _upcoming(scoped_shared(Meeting, ws.id, Meeting.body_id, shared))
    ids = query.with_only_columns(Meeting.id).limit(UPCOMING_CAP + 1).subquery("upcoming")
    return select(func.count()).select_from(ids)


def body_names(session: Session, ws: Workspace) -> dict[int, str]:
    """The names of the bodies this workspace sees (one query)."""
    return {b.id: b.name for b in session.scalars(networks_service.visible_bodies(ws))}


# --- one meeting ---------------------------------------------------------------------------


def get_meeting(session: Session, ws: Workspace, p: Principal, meeting_id: int) -> Meeting:
    """A meeting the person may read, else 404 (another county's, or not theirs to see)."""
    return found(session.scalar(visible_to(session, ws, p).where(Meeting.id == meeting_id)))


@dataclass
class Invitee:
    municipality_number: str | None
    organisation_id: int | None
    name: str


def invitees_of(session: Session, meeting: Meeting) -> list[Invitee]:
    """Who is invited, municipalities first, by name (in the meeting's own workspace)."""
    rows = session.execute(
        scoped(MeetingInvitee, meeting.workspace_id)
        .where(MeetingInvitee.meeting_id == meeting.id)
        .outerjoin(Municipality, Municipality.number == MeetingInvitee.municipality_number)
        .outerjoin(Organisation, Organisation.id == MeetingInvitee.organisation_id)
        .with_only_columns(
            MeetingInvitee.municipality_number,
            MeetingInvitee.organisation_id,
            Municipality.name,
            Organisation.name,
        )
    ).all()
    found_ = [Invitee(mun, org, mname or oname or "") for mun, org, mname, oname in rows]
    return sorted(found_, key=lambda i: (i.municipality_number is None, i.name))


def _times(form: MeetingForm) -> tuple[datetime, datetime]:
    starts = at(form.day, form.start)
    ends = at(form.end_day or form.day, form.end)
    if ends <= starts:
        raise InvalidInput(
            {"end": lazy("Møtet må slutte etter at det begynner. Sjekk sluttid og sluttdato.")}
        )
    if ends - starts > LONGEST:
        raise InvalidInput({"end_day": lazy("Et møte kan vare i høyst 14 dager.")})
    return starts, ends


def _apply(meeting: Meeting, form: MeetingForm, starts: datetime, ends: datetime) -> None:
    meeting.title = form.title
    meeting.kind = form.kind
    meeting.starts_at = starts
    meeting.ends_at = ends
    meeting.place = form.place
    meeting.video_url = form.video_url
    meeting.organiser = form.organiser
    meeting.description = form.description
    meeting.recording_url = form.recording_url
    meeting.slides_url = form.slides_url


def _invite_members(session: Session, ws: Workspace, meeting: Meeting) -> None:
    """Invite the body's current members (municipalities and organisations)."""
    if meeting.body_id is None:
        return
    members = networks_service.current_members(session, ws, body_id=meeting.body_id)
    if not members:  # a committee without members of its own: its parent's members
        parent = networks_service.get_body(session, ws, meeting.body_id).parent_id
        if parent is not None:
            members = networks_service.current_members(session, ws, body_id=parent)
    seen: set[tuple[str | None, int | None]] = set()
    for m in members:
        key = (m.municipality_number, m.organisation_id)
        if key in seen:
            continue
        seen.add(key)
        session.add(
            MeetingInvitee(
                workspace_id=ws.id,
                meeting_id=meeting.id,
                municipality_number=m.municipality_number,
                organisation_id=m.organisation_id,
            )
        )


def create_meeting(session: Session, ws: Workspace, p: Principal, form: MeetingForm) -> Meeting:
    """A new meeting; the body's current members are invited."""
    if form.body_id is not None:
        body = networks_service.get_body(session, ws, form.body_id)
        if body.workspace_id != ws.id:
            raise Forbidden(lazy("Organet eies av et annet fylke: møtene lages der."))
    if not may_edit(session, ws, p, form.body_id):
        raise Forbidden(lazy("Bare koordinatorer og organets sekretariat kan lage møter."))
    starts, ends = _times(form)
    meeting = Meeting(workspace_id=ws.id, body_id=form.body_id)
    _apply(meeting, form, starts, ends)
    if not meeting.organiser:
        meeting.organiser = p.name
    session.add(meeting)
    session.flush()
    _invite_members(session, ws, meeting)
    session.flush()
    return meeting


def update_meeting(
    session: Session, ws: Workspace, p: Principal, meeting_id: int, form: MeetingForm
) -> Meeting:
    """Change a meeting; moving it to another body invites that body's members instead."""
    meeting = get_meeting(session, ws, p, meeting_id)
    check_edit(session, ws, p, meeting)
    if form.body_id != meeting.body_id:
        if form.body_id is not None and not may_edit(session, ws, p, form.body_id):
            raise Forbidden(lazy("Bare koordinatorer og organets sekretariat kan lage møter."))
        for invitee in session.scalars(
            scoped(MeetingInvitee, ws.id).where(MeetingInvitee.meeting_id == meeting.id)
        ):
            session.delete(invitee)
        meeting.body_id = form.body_id
        session.flush()
        _invite_members(session, ws, meeting)
    starts, ends = _times(form)
    _apply(meeting, form, starts, ends)
    session.flush()
    return meeting


def form_values(meeting: Meeting) -> dict[str, Any]:
    """A meeting as the form's fields (Norwegian time)."""
    starts, ends = local(meeting.starts_at), local(meeting.ends_at)
    return {
        "title": meeting.title,
        "body_id": meeting.body_id,
        "kind": meeting.kind,
        "day": starts.date().isoformat(),
        "start": starts.strftime("%H:%M"),
        "end": ends.strftime("%H:%M"),
        "end_day": ends.date().isoformat() if ends.date() != starts.date() else "",
        "place": meeting.place,
        "video_url": meeting.video_url,
        "organiser": meeting.organiser,
        "description": meeting.description,
        "recording_url": meeting.recording_url,
        "slides_url": meeting.slides_url,
    }


def editable_bodies(session: Session, ws: Workspace, p: Principal) -> list[Any]:
    """The bodies the person may make meetings for (own, not archived), by name."""
    bodies = [
        b
        for b in session.scalars(networks_service.visible_bodies(ws))
        if b.workspace_id == ws.id and b.archived_at is None
    ]
    if p.can("meetings.edit"):
        return sorted(bodies, key=lambda b: b.name)
    roles = _member_bodies(session, ws, p)
    return sorted((b for b in bodies if roles.get(b.id) == "secretariat"), key=lambda b: b.name)
