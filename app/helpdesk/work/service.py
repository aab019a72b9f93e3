"""Help that runs for weeks: a plan of steps, links between related requests, and the time
helpers spend. Flushes, never commits."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import case, or_
from sqlalchemy.orm import Session, joinedload

from app import clock
from app.accounts.models import User
from app.accounts.principal import Principal
from app.counties.models import Workspace
from app.db import utcnow
from app.errors import Forbidden, InvalidInput, NotFound
from app.helpdesk.lifecycle import record_event
from app.helpdesk.models import HelpRequest, RequestLink, RequestStep, TimeEntry
from app.helpdesk.queue import acting_user, get_workable, visible
from app.helpdesk.work.schemas import LinkForm, StepForm, TimeForm
from app.i18n import lazy
from app.tenancy import scoped

MAX_STEPS = 30


# --- the plan ------------------------------------------------------------------------------


def steps_of(session: Session, ws: Workspace, request_id: int) -> list[RequestStep]:
    return list(
        session.scalars(
            scoped(RequestStep, ws.id)
            .where(RequestStep.request_id == request_id)
            .order_by(RequestStep.position, RequestStep.id)
        )
    )


def add_step(
    session: Session, ws: Workspace, p: Principal, number: int, data: StepForm
) -> RequestStep:
    req = get_workable(session, ws, p, number)
    if req.state == "closed":
        raise InvalidInput({"step_title": lazy("Forespørselen er lukket. Åpne den igjen først.")})
    existing = steps_of(session, ws, req.id)
    if len(existing) >= MAX_STEPS:
        raise InvalidInput({"step_title": lazy("En plan kan ha høyst 30 steg.")})
    step = RequestStep(
        workspace_id=ws.id,
        request_id=req.id,
        position=(existing[-1].position + 1) if existing else 1,
        title=data.step_title.strip(),
        due_on=data.due_on,
        created_at=utcnow(),
    )
    session.add(step)
    session.flush()
    record_event(session, ws, req, acting_user(p), "step", title=step.title, action="added")
    return step


def _step(session: Session, ws: Workspace, req: HelpRequest, step_id: int) -> RequestStep:
    if req.state == "closed":
        raise InvalidInput({"step_title": lazy("Forespørselen er lukket. Åpne den igjen først.")})
    step = session.scalar(
        scoped(RequestStep, ws.id).where(
            RequestStep.id == step_id, RequestStep.request_id == req.id
        )
    )
    if step is None:
        raise NotFound()
    return step


def set_step_done(
    session: Session, ws: Workspace, p: Principal, number: int, step_id: int, done: bool
) -> RequestStep:
    req = get_workable(session, ws, p, number)
    step = _step(session, ws, req, step_id)
    if done and step.done_at is None:
        step.done_at = utcnow()
        step.done_by_id = acting_user(p)
    elif not done:
        step.done_at = None
        step.done_by_id = None
    session.flush()
    record_event(
        session,
        ws,
        req,
        acting_user(p),
        "step",
        title=step.title,
        action="done" if done else "undone",
    )
    return step


def remove_step(session: Session, ws: Workspace, p: Principal, number: int, step_id: int) -> None:
    req = get_workable(session, ws, p, number)
    step = _step(session, ws, req, step_id)
    session.delete(step)
    session.flush()
    record_event(session, ws, req, acting_user(p), "step", title=step.title, action="removed")


# --- links between requests ----------------------------------------------------------------


@dataclass
class Linked:
    link_id: int
    request: HelpRequest


def links_of(session: Session, ws: Workspace, p: Principal, req: HelpRequest) -> list[Linked]:
    """Related requests ``p`` may see (a municipality sees links to its own only): one query,
    the links joined to the requests at their other end."""
    links = (
        scoped(RequestLink, ws.id)
        .where(or_(RequestLink.first_id == req.id, RequestLink.second_id == req.id))
        .with_only_columns(
            RequestLink.id,
            case(
                (RequestLink.first_id == req.id, RequestLink.second_id),
                else_=RequestLink.first_id,
            ).label("other_id"),
        )
        .subquery()
    )
    rows = session.execute(
        visible(ws, p)
        .join(links, links.c.other_id == HelpRequest.id)
        .add_columns(links.c.id)
        .options(joinedload(HelpRequest.municipality))
        .order_by(HelpRequest.number)
    ).all()
    return [Linked(link_id=link_id, request=r) for r, link_id in rows]


def parse_number(raw: str) -> int | None:
    cleaned = raw.strip().upper().removeprefix("HK-").removeprefix("HK").strip()
    return int(cleaned) if cleaned.isdecimal() and len(cleaned) <= 9 else None


def link(session: Session, ws: Workspace, p: Principal, number: int, data: LinkForm) -> RequestLink:
    req = get_workable(session, ws, p, number)
    other_number = parse_number(data.other)
    if other_number is None:
        raise InvalidInput({"other": lazy("Skriv nummeret på forespørselen, for eksempel HK-12.")})
    if other_number == req.number:
        raise InvalidInput({"other": lazy("En forespørsel kan ikke lenkes til seg selv.")})
    other = session.scalar(visible(ws, p).where(HelpRequest.number == other_number))
    if other is None:
        raise InvalidInput({"other": lazy("Fant ingen forespørsel med det nummeret.")})
    first, second = sorted((req.id, other.id))
    exists = session.scalar(
        scoped(RequestLink, ws.id).where(
            RequestLink.first_id == first, RequestLink.second_id == second
        )
    )
    if exists is not None:
        raise InvalidInput({"other": lazy("Forespørslene er allerede lenket.")})
    row = RequestLink(
        workspace_id=ws.id,
        first_id=first,
        second_id=second,
        created_by_id=acting_user(p),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    record_event(session, ws, req, acting_user(p), "link", other=other.number)
    return row


def unlink(session: Session, ws: Workspace, p: Principal, number: int, link_id: int) -> None:
    req = get_workable(session, ws, p, number)
    row = session.scalar(
        scoped(RequestLink, ws.id).where(
            RequestLink.id == link_id,
            or_(RequestLink.first_id == req.id, RequestLink.second_id == req.id),
        )
    )
    if row is None:
        raise NotFound()
    session.delete(row)
    session.flush()
    record_event(session, ws, req, acting_user(p), "unlink")


# --- time spent ----------------------------------------------------------------------------


@dataclass
class TimeSummary:
    entries: list[TimeEntry]
    total_minutes: int
    by_helper: list[tuple[User, int]]


def time_of(session: Session, ws: Workspace, request_id: int) -> TimeSummary:
    entries = list(
        session.scalars(
            scoped(TimeEntry, ws.id)
            .where(TimeEntry.request_id == request_id)
            .order_by(TimeEntry.worked_on.desc(), TimeEntry.id.desc())
            .options(joinedload(TimeEntry.user))
        )
    )
    per: dict[int, int] = defaultdict(int)
    users: dict[int, User] = {}
    for e in entries:
        per[e.user_id] += e.minutes
        users[e.user_id] = e.user
    by_helper = sorted(((users[u], m) for u, m in per.items()), key=lambda p: (-p[1], p[0].name))
    return TimeSummary(entries, sum(per.values()), by_helper)


def log_time(
    session: Session, ws: Workspace, p: Principal, number: int, data: TimeForm
) -> TimeEntry:
    req = get_workable(session, ws, p, number)
    if data.worked_on > clock.today():
        raise InvalidInput({"worked_on": lazy("Dagen kan ikke ligge fram i tid.")})
    if data.worked_on < req.created_at.astimezone(clock.OSLO).date():
        raise InvalidInput({"worked_on": lazy("Dagen kan ikke være før forespørselen kom inn.")})
    entry = TimeEntry(
        workspace_id=ws.id,
        request_id=req.id,
        user_id=acting_user(p),
        worked_on=data.worked_on,
        minutes=data.minutes,
        note=data.note.strip(),
        created_at=utcnow(),
    )
    session.add(entry)
    session.flush()
    return entry


def remove_time(session: Session, ws: Workspace, p: Principal, number: int, entry_id: int) -> None:
    req = get_workable(session, ws, p, number)
    entry = session.scalar(
        scoped(TimeEntry, ws.id).where(TimeEntry.id == entry_id, TimeEntry.request_id == req.id)
    )
    if entry is None:
        raise NotFound()
    if entry.user_id != p.user_id and not p.can("helpdesk.triage"):
        raise Forbidden(lazy("Du kan bare fjerne din egen tid."))
    session.delete(entry)
    session.flush()
