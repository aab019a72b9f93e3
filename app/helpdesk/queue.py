"""Reading the hjelpekorps: which requests a person sees, the queue with its views and filters,
and one request with its conversation, history and the moves open to the person looking."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app import clock
from app.accounts.models import User
from app.accounts.principal import Principal
from app.counties import service as counties_service
from app.counties.models import Municipality, Workspace
from app.db import utcnow
from app.errors import Forbidden, NotFound
from app.helpdesk.due import overdue_clause
from app.helpdesk.models import (
    OPEN_STATES,
    TRANSITIONS,
    HelpRequest,
    RequestAssignee,
    RequestEvent,
    RequestMessage,
)
from app.i18n import lazy
from app.tenancy import scoped


def acting_user(p: Principal) -> int:
    """The account of whoever acts. Only members reach the hjelpekorps; anyone else is refused."""
    if p.user_id is None:
        raise Forbidden()
    return p.user_id


def only_municipality(p: Principal) -> str | None:
    """The municipality whose requests alone ``p`` may see; ``None`` for one who sees them all.
    Forbidden for anyone else: no one else reads the hjelpekorps."""
    if p.can("helpdesk.see_all"):
        return None
    if p.municipality_number is None:
        raise Forbidden()
    return p.municipality_number


def visible_in(ws_id: Any, municipality: Any = None) -> Any:
    """The requests of a workspace, or of one ``municipality`` of it (see
    :func:`only_municipality`). The values may be bind parameters, for a statement made once."""
    query = scoped(HelpRequest, ws_id)
    if municipality is not None:
        query = query.where(HelpRequest.municipality_number == municipality)
    return query


def visible(ws: Workspace, p: Principal) -> Any:
    """The requests ``p`` may see: all of them, or a municipal user's own municipality's."""
    return visible_in(ws.id, only_municipality(p))


def get_request(
    session: Session, ws: Workspace, p: Principal, number: int, *, may: str | None = None
) -> HelpRequest:
    """A request ``p`` may see, with municipality, requester and assignees loaded, else 404;
    with ``may``, one on which ``p`` may do that action too, else 403 (after the 404, so that
    another's request is a 404 whatever the role)."""
    # One statement: the assignees (a few) join in too; unique() folds their rows.
    req = (
        session.execute(
            visible(ws, p)
            .where(HelpRequest.number == number)
            .options(
                joinedload(HelpRequest.municipality),
                joinedload(HelpRequest.requester),
                joinedload(HelpRequest.assignees).joinedload(RequestAssignee.user),
            )
        )
        .unique()
        .scalar_one_or_none()
    )
    if req is None:
        raise NotFound()
    if may is not None and not p.can(may):
        raise Forbidden()
    return req


def get_workable(session: Session, ws: Workspace, p: Principal, number: int) -> HelpRequest:
    """A request ``p`` may see (else 404) and work (else 403, see :func:`require_can_work`)."""
    req = get_request(session, ws, p, number)
    require_can_work(p, req)
    return req


def can_work(p: Principal, req: HelpRequest) -> bool:
    """Whether ``p`` may work the request (reply to the municipality, plan, links, time, visits,
    status, files): coordinators and county admins on every request, a helper on those assigned
    to them. ``req.assignees`` must be loaded (:func:`get_request` does)."""
    if p.can("helpdesk.triage"):
        return True
    return p.can("helpdesk.work") and any(a.user_id == p.user_id for a in req.assignees)


def require_can_work(p: Principal, req: HelpRequest) -> None:
    """The assignment rule, for every service that acts on a request as the help corps: 403
    with what to do instead when ``p`` may not work it."""
    if can_work(p, req):
        return
    if not p.can("helpdesk.work"):
        raise Forbidden()
    if req.assignees:
        raise Forbidden(
            lazy("Saken er tildelt en annen hjelper. Be koordinatoren om å tildele den til deg.")
        )
    raise Forbidden(
        lazy("Saken er ikke tildelt deg. Ta saken først, eller be koordinatoren om å tildele den.")
    )


def assigned_clause(ws: Workspace) -> Any:
    """Correlated: the assignees of the outer query's request."""
    return (
        scoped(RequestAssignee, ws.id)
        .where(RequestAssignee.request_id == HelpRequest.id)
        .with_only_columns(RequestAssignee.id)
    )


@dataclass
class QueueFilter:
    view: str = "all"  # all, unassigned, mine, overdue, follow_up
    state: str | None = None
    category: str | None = None
    priority: str | None = None
    municipality_number: str | None = None
    size_class: int | None = None
    helper_id: int | None = None
    q: str | None = None
    before_id: int | None = None
    open_only: bool = False
    updated_since: datetime | None = None


@dataclass(slots=True)
class QueueRow:
    """A request as a row of the queue shows it: plain values, no ORM object (read only)."""

    id: int
    number: int
    title: str
    state: str
    category: str
    priority: str
    on_site: bool
    created_at: datetime
    first_response_at: datetime | None
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    municipality_name: str
    helpers: str = ""  # the assignees' names, "Kari, Ola"


@dataclass
class QueuePage:
    rows: list[QueueRow]
    next_before: int | None
    counts: dict[str, int] = field(default_factory=dict)


def _assigned_to(ws: Workspace, user_id: int | None) -> Any:
    return (
        scoped(RequestAssignee, ws.id)
        .where(RequestAssignee.user_id == user_id)
        .with_only_columns(RequestAssignee.request_id)
    )


def queue(
    session: Session, ws: Workspace, p: Principal, f: QueueFilter, limit: int = 50
) -> QueuePage:
    """A page of requests, newest first, with keyset pagination on id: the rows with their
    municipality in one statement, their assignees' names in another."""
    query = queue_query(ws, p, f)
    if f.before_id:
        query = query.where(HelpRequest.id < f.before_id)
    rows = [
        QueueRow(*row)  # type: ignore[call-arg]  # the columns below, in order
        for row in session.execute(
            query.join(Municipality, Municipality.number == HelpRequest.municipality_number)
            .with_only_columns(
                HelpRequest.id,
                HelpRequest.number,
                HelpRequest.title,
                HelpRequest.state,
                HelpRequest.category,
                HelpRequest.priority,
                HelpRequest.on_site,
                HelpRequest.created_at,
                HelpRequest.first_response_at,
                HelpRequest.first_response_due_at,
                HelpRequest.resolution_due_at,
                Municipality.name,
            )
            .order_by(HelpRequest.id.desc())
            .limit(limit + 1)
        )
    ]
    next_before = rows[limit - 1].id if len(rows) > limit else None
    rows = rows[:limit]
    if rows:
        names: dict[int, list[str]] = {}
        for request_id, name in session.execute(
            scoped(RequestAssignee, ws.id)
            .join(User, User.id == RequestAssignee.user_id)
            .where(RequestAssignee.request_id.in_([r.id for r in rows]))
            .order_by(RequestAssignee.id)
            .with_only_columns(RequestAssignee.request_id, User.name)
        ):
            names.setdefault(request_id, []).append(name)
        for r in rows:
            if r.id in names:
                r.helpers = ", ".join(names[r.id])
    return QueuePage(rows=rows, next_before=next_before)


# What a row of the queue shows, loaded with it (the JSON list of requests).
QUEUE_LOADS = (
    joinedload(HelpRequest.municipality),
    selectinload(HelpRequest.assignees).joinedload(RequestAssignee.user),
)


def queue_query(
    ws: Workspace, p: Principal, f: QueueFilter, *, now: Any = None, today: Any = None
) -> Select[HelpRequest]:
    """The requests ``p`` may see that match ``f``, unordered (`before_id` aside). ``now`` and
    ``today`` (the clock's, unless given: bind parameters for a statement made once) date the
    overdue and follow-up views."""
    query = visible(ws, p)
    if f.view == "follow_up":
        query = query.where(
            HelpRequest.follow_up_on.is_not(None),
            HelpRequest.follow_up_on <= (clock.today() if today is None else today),
        )
    elif f.view == "unassigned":
        # NOT EXISTS, not NOT IN: PostgreSQL runs it as an anti-join however many rows there are.
        query = query.where(HelpRequest.state.in_(OPEN_STATES), ~assigned_clause(ws).exists())
    elif f.view == "mine":
        query = query.where(HelpRequest.id.in_(_assigned_to(ws, p.user_id)))
    elif f.view == "overdue":
        query = query.where(overdue_clause(utcnow() if now is None else now))
    if f.helper_id:
        query = query.where(HelpRequest.id.in_(_assigned_to(ws, f.helper_id)))
    if f.size_class:
        settings = counties_service.settings_of(ws)
        classes = counties_service.size_classes(settings)
        cls = next((c for c in classes if c.index == f.size_class), None)
        if cls is not None:
            in_class = select(Municipality.number).where(
                Municipality.county_number == ws.county_number
            )
            if cls.lower is not None:
                in_class = in_class.where(Municipality.population >= cls.lower)
            if cls.upper is not None:
                in_class = in_class.where(Municipality.population < cls.upper)
            query = query.where(HelpRequest.municipality_number.in_(in_class))
    if f.open_only:
        query = query.where(HelpRequest.state.in_(OPEN_STATES))
    if f.state:
        query = query.where(HelpRequest.state == f.state)
    if f.category:
        query = query.where(HelpRequest.category == f.category)
    if f.priority:
        query = query.where(HelpRequest.priority == f.priority)
    if f.municipality_number:
        query = query.where(HelpRequest.municipality_number == f.municipality_number)
    if f.q and f.q.strip():
        term = f"%{f.q.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(HelpRequest.title).like(term),
                func.lower(HelpRequest.description).like(term),
            )
        )
    if f.updated_since is not None:
        query = query.where(HelpRequest.updated_at >= f.updated_since)
    return query


@dataclass
class RequestDetail:
    request: HelpRequest
    messages: list[RequestMessage]
    events: list[RequestEvent]
    allowed: tuple[str, ...]


def allowed_moves(p: Principal, req: HelpRequest) -> tuple[str, ...]:
    """The states ``p`` may move the request to now: triage and assignment are the
    coordinators', and assignment needs someone assigned."""
    allowed = TRANSITIONS.get(req.state, ()) if can_work(p, req) else ()
    if not p.can("helpdesk.triage"):
        return tuple(s for s in allowed if s not in ("triaged", "assigned"))
    if not req.assignees:
        return tuple(s for s in allowed if s != "assigned")
    return allowed


def detail(session: Session, ws: Workspace, p: Principal, number: int) -> RequestDetail:
    """One request with its messages (internal notes for those who may write them), its
    history and the moves open to ``p``."""
    req = get_request(session, ws, p, number)
    messages_q = (
        scoped(RequestMessage, ws.id)
        .where(RequestMessage.request_id == req.id)
        .order_by(RequestMessage.id)
        .options(joinedload(RequestMessage.author))
    )
    if not p.can("helpdesk.note"):
        messages_q = messages_q.where(RequestMessage.internal.is_(False))
    events = list(
        session.scalars(
            scoped(RequestEvent, ws.id)
            .where(RequestEvent.request_id == req.id)
            .order_by(RequestEvent.id)
            .options(joinedload(RequestEvent.actor))
        )
    )
    return RequestDetail(req, list(session.scalars(messages_q)), events, allowed_moves(p, req))


def open_requests_from(
    session: Session, ws: Workspace, municipality_numbers: list[str], limit: int = 20
) -> list[HelpRequest]:
    """The open requests of these municipalities, oldest first (for another module: the
    standing item "requests to the hjelpekorps" of a council's meeting)."""
    if not municipality_numbers:
        return []
    return list(
        session.scalars(
            scoped(HelpRequest, ws.id)
            .where(
                HelpRequest.state.in_(OPEN_STATES),
                HelpRequest.municipality_number.in_(municipality_numbers),
            )
            .order_by(HelpRequest.number)
            .limit(limit)
        )
    )
