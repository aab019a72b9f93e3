"""Reading the hjelpekorps: which requests a person sees, the queue with its views and filters,
and one request with its conversation, history and the moves open to the person looking."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Integer, Select, String, bindparam, func, or_, select
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
from app.tenancy import scoped, stand_in_workspace, workspace_param


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
    municipality = only_municipality(p)
    values = {"ws": ws.id, "number": number, "municipality": municipality}
    req = (
        session.execute(_request_query(municipality is not None), values)
        .unique()
        .scalar_one_or_none()
    )
    if req is None:
        raise NotFound()
    if may is not None and not p.can(may):
        raise Forbidden()
    return req


@functools.cache
def _request_query(one_municipality: bool) -> Any:
    """The statement of :func:`get_request`, made once per process for those who see every
    request and for those who see one municipality's, with the workspace (``ws``), the number
    and the municipality as parameters: one statement, the assignees (a few) joined in too, so
    the caller folds their rows with ``unique()``."""
    return (
        visible_in(
            workspace_param(),
            bindparam("municipality", type_=String()) if one_municipality else None,
        )
        .where(HelpRequest.number == bindparam("number", type_=Integer()))
        .options(
            joinedload(HelpRequest.municipality),
            joinedload(HelpRequest.requester),
            joinedload(HelpRequest.assignees).joinedload(RequestAssignee.user),
        )
    )


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
    now: datetime | None = None  # the time the rows were read at (their overdue tags)


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
    municipality in one statement, their assignees' names in another. Both statements are made
    once per process (:func:`_page_query`, :func:`_helper_names_query`) with this request's
    values as parameters — the filter's values too, so a search makes no statement of its
    own; a size-class filter (whose bounds are the workspace's settings) or ``updated_since``
    makes the page's statement anew."""
    municipality = only_municipality(p)
    now, today = clock.utcnow(), clock.today()
    values: dict[str, Any] = {
        "ws": ws.id,
        "county": ws.county_number,
        "user": p.user_id,
        "municipality": municipality,
        "now": now,
        "today": today,
        "before": f.before_id,
    }
    if f.size_class is None and f.updated_since is None:
        chosen = {  # the fields that narrow (as queue_query reads them), else None
            "state": f.state or None,
            "category": f.category or None,
            "priority": f.priority or None,
            "municipality_number": f.municipality_number or None,
            "helper_id": f.helper_id or None,
            "q": search_term(f.q),
        }
        values.update({f"f_{k}": v for k, v in chosen.items()})
        given = tuple(k for k, v in chosen.items() if v is not None)
        shape = (f.view, f.open_only, given, municipality is not None, f.before_id is not None)
        query = _page_query(*shape, limit)
    else:
        query = _page_rows(queue_query(ws, p, f, now=now, today=today), f.before_id, limit)
    rows = [
        QueueRow(*row)  # type: ignore[call-arg]  # the columns of _page_rows, in order
        for row in session.execute(query, values)
    ]
    next_before = rows[limit - 1].id if len(rows) > limit else None
    rows = rows[:limit]
    if rows:
        names: dict[int, list[str]] = {}
        ids = {"ws": ws.id, "ids": [r.id for r in rows]}
        for request_id, name in session.execute(_helper_names_query(), ids):
            names.setdefault(request_id, []).append(name)
        for r in rows:
            if r.id in names:
                r.helpers = ", ".join(names[r.id])
    return QueuePage(rows=rows, next_before=next_before, now=now)


def search_term(q: str | None) -> str | None:
    """The ``LIKE`` pattern of a search in the queue (its title and description, lower case),
    or None when there is nothing to search for."""
    if q is None or not q.strip():
        return None
    return f"%{q.strip().lower()}%"


def _page_rows(query: Any, before_id: Any, limit: int) -> Any:
    """The queue's rows of ``query`` (:func:`queue_query`): the columns of :class:`QueueRow`,
    the municipality's name joined in, newest first, ``limit + 1`` of them (so the page knows
    whether there is a next), below ``before_id`` if given."""
    if before_id is not None:
        query = query.where(HelpRequest.id < before_id)
    return (
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


def stand_in_principal(user: Any, municipality: Any, one_municipality: bool) -> Principal:
    """A principal for a statement made once: ``user`` and ``municipality`` bind parameters,
    seeing one municipality's requests (``one_municipality``) or all of them. Only what
    :func:`queue_query` reads of a principal is there."""
    return Principal(
        user_id=user,
        name="",
        email=None,
        actions=frozenset() if one_municipality else frozenset({"helpdesk.see_all"}),
        municipality_number=municipality if one_municipality else None,
    )


# The types of the filter's values in :func:`_page_query`'s statement.
_FILTER_TYPES = {"helper_id": Integer()}


@functools.lru_cache(maxsize=1024)
def _page_query(
    view: str,
    open_only: bool,
    given: tuple[str, ...],
    one_municipality: bool,
    before: bool,
    limit: int,
) -> Any:
    """The statement of :func:`queue` for a view, with the filter's fields named in ``given``
    (each the parameter ``f_<field>``; ``f_q``, the search's pattern), the workspace
    (``ws``), the person (``user``, ``municipality``), the clock (``now``, ``today``) and,
    with ``before``, the page's start (``before``) as parameters: at most about 700 shapes
    (views × filters in use × first or later page × one municipality or all), whatever is
    searched for."""
    ws = stand_in_workspace()
    p = stand_in_principal(
        bindparam("user", type_=Integer()),
        bindparam("municipality", type_=String()),
        one_municipality,
    )
    fields: dict[str, Any] = {
        k: bindparam(f"f_{k}", type_=_FILTER_TYPES.get(k, String())) for k in given
    }
    now, today = clock_params()
    f = QueueFilter(view=view, open_only=open_only, **fields)
    query = queue_query(ws, p, f, now=now, today=today)
    return _page_rows(query, bindparam("before", type_=Integer()) if before else None, limit)


def clock_params() -> tuple[Any, Any]:
    """The time (``now``) and the day in Norway (``today``) as bind parameters, typed as the
    columns they are compared with: for the statements made once that date the overdue and
    follow-up views."""
    return (
        bindparam("now", type_=HelpRequest.resolution_due_at.type),
        bindparam("today", type_=HelpRequest.follow_up_on.type),
    )


@functools.cache
def _helper_names_query() -> Any:
    """The assignees' names of the requests ``ids`` (expanding) of the workspace ``ws``."""
    return (
        scoped(RequestAssignee, workspace_param())
        .join(User, User.id == RequestAssignee.user_id)
        .where(RequestAssignee.request_id.in_(bindparam("ids", expanding=True)))
        .order_by(RequestAssignee.id)
        .with_only_columns(RequestAssignee.request_id, User.name)
    )


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
    if _given(f.helper_id):
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
    if _given(f.state):
        query = query.where(HelpRequest.state == f.state)
    if _given(f.category):
        query = query.where(HelpRequest.category == f.category)
    if _given(f.priority):
        query = query.where(HelpRequest.priority == f.priority)
    if _given(f.municipality_number):
        query = query.where(HelpRequest.municipality_number == f.municipality_number)
    # the search's pattern: the text searched for, or a parameter (``_page_query``)
    term = f.q if isinstance(f.q, BindParameter) else search_term(f.q)
    if term is not None:
        query = query.where(
            or_(
                func.lower(HelpRequest.title).like(term),
                func.lower(HelpRequest.description).like(term),
            )
        )
    if f.updated_since is not None:
        query = query.where(HelpRequest.updated_at >= f.updated_since)
    return query


def _given(value: Any) -> bool:
    """Whether a filter's field narrows: a bind parameter (``_page_query``) always does, a value
    when it is not empty."""
    return isinstance(value, BindParameter) or bool(value)


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
