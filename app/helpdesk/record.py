"""What a request's page reads besides the request itself, in as few statements as it can
(issue 16): its history, conversation, plan, time and links in one ``UNION ALL`` of plain rows
(no ORM objects: the page only shows them), and its visits with the visits that clash with
them in another. The permission rules are those of ``queue.detail``, ``work`` and ``visits``:
internal notes only for those who may write them, time only for those who work requests,
links only to requests the person may see."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from typing import cast as cast_to

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Integer,
    String,
    Text,
    and_,
    bindparam,
    cast,
    literal_column,
    null,
    or_,
)
from sqlalchemy.orm import Session, aliased

from app.accounts.models import User
from app.accounts.principal import Principal
from app.counties.models import Municipality, Workspace
from app.db import AwareDateTime, utcnow
from app.helpdesk.models import (
    HelpRequest,
    RequestEvent,
    RequestLink,
    RequestMessage,
    RequestStep,
    TimeEntry,
    Visit,
    VisitHelper,
)
from app.helpdesk.queue import only_municipality, visible_in
from app.helpdesk.visits.service import Clash
from app.tenancy import SCOPE_OPTION, scoped, scoped_union, workspace_param


@dataclass(slots=True)
class Person:
    id: int
    name: str


@dataclass(slots=True)
class Event:
    """A line of the history (``RequestEvent`` as the page shows it)."""

    id: int
    request_id: int
    at: datetime
    actor: Person | None
    kind: str
    from_state: str | None
    to_state: str | None
    detail: dict[str, Any]


@dataclass(slots=True)
class Message:
    id: int
    created_at: datetime
    author: Person | None
    body: str
    internal: bool


@dataclass(slots=True)
class Step:
    id: int
    position: int
    title: str
    due_on: date | None
    done_at: datetime | None

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(slots=True)
class Entry:
    """Time spent (``TimeEntry`` as the page shows it)."""

    id: int
    user_id: int
    user: Person
    worked_on: date
    minutes: int
    note: str


@dataclass(slots=True)
class Time:
    entries: list[Entry]
    total_minutes: int
    by_helper: list[tuple[Person, int]]


@dataclass(slots=True)
class LinkedMunicipality:
    name: str


@dataclass(slots=True)
class LinkedRequest:
    number: int
    title: str
    state: str
    municipality: LinkedMunicipality


@dataclass(slots=True)
class Link:
    link_id: int
    request: LinkedRequest


@dataclass
class Record:
    events: list[Event] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    time: Time | None = None
    links: list[Link] = field(default_factory=list)


EVENT, MESSAGE, STEP, TIME, LINK = range(5)
# The columns every part's rows share, with their types (the first part's types are the
# union's, so a part without a column says NULL of the column's type).
COLUMNS: tuple[tuple[str, Any], ...] = (
    ("at", AwareDateTime()),
    ("user_id", Integer()),
    ("user_name", String()),
    ("n", Integer()),
    ("text1", Text()),
    ("text2", String()),
    ("text3", String()),
    ("day", Date()),
    ("flag", Boolean()),
    ("detail", JSON()),
)


# Built once: a part's NULL columns are the same clause every time.
_NULLS = {name: cast(null(), type_).label(name) for name, type_ in COLUMNS}
_PARTS: list[Any] = [literal_column(str(part)).label("part") for part in range(5)]


def _row(part: int, row_id: Any, **values: Any) -> list[Any]:
    out = [_PARTS[part], row_id.label("id")]
    for name, _type in COLUMNS:
        value = values.get(name)
        out.append(_NULLS[name] if value is None else value.label(name))
    return out


@functools.cache
def _record_query(notes: bool, with_time: bool, see_all: bool) -> Any:
    """The statement of :func:`record_of`, made once per process for each kind of reader, with
    its values as parameters (``ws``, ``rid``, and ``municipality`` for a reader who sees only
    one municipality's requests): building the union cost more than running it."""
    ws = workspace_param()
    rid: Any = bindparam("rid", type_=Integer())
    parts = [
        scoped(RequestEvent, ws)
        .outerjoin(User, User.id == RequestEvent.actor_id)
        .where(RequestEvent.request_id == rid)
        .with_only_columns(
            *_row(
                EVENT,
                RequestEvent.id,
                at=RequestEvent.at,
                user_id=RequestEvent.actor_id,
                user_name=User.name,
                text1=RequestEvent.kind,
                text2=RequestEvent.from_state,
                text3=RequestEvent.to_state,
                detail=RequestEvent.detail,
            )
        )
    ]
    messages = (
        scoped(RequestMessage, ws)
        .outerjoin(User, User.id == RequestMessage.author_id)
        .where(RequestMessage.request_id == rid)
    )
    if not notes:
        messages = messages.where(RequestMessage.internal.is_(False))
    parts.append(
        messages.with_only_columns(
            *_row(
                MESSAGE,
                RequestMessage.id,
                at=RequestMessage.created_at,
                user_id=RequestMessage.author_id,
                user_name=User.name,
                text1=RequestMessage.body,
                flag=RequestMessage.internal,
            )
        )
    )
    parts.append(
        scoped(RequestStep, ws)
        .where(RequestStep.request_id == rid)
        .with_only_columns(
            *_row(
                STEP,
                RequestStep.id,
                at=RequestStep.done_at,
                n=RequestStep.position,
                text1=RequestStep.title,
                day=RequestStep.due_on,
            )
        )
    )
    if with_time:
        parts.append(
            scoped(TimeEntry, ws)
            .join(User, User.id == TimeEntry.user_id)
            .where(TimeEntry.request_id == rid)
            .with_only_columns(
                *_row(
                    TIME,
                    TimeEntry.id,
                    user_id=TimeEntry.user_id,
                    user_name=User.name,
                    n=TimeEntry.minutes,
                    text1=TimeEntry.note,
                    day=TimeEntry.worked_on,
                )
            )
        )
    # Links: the request at the other end, if the reader may see it (``queue.visible``: every
    # request, or only those of the reader's municipality).
    linked = visible_in(ws, None if see_all else bindparam("municipality", type_=String()))
    parts.append(
        linked.join(
            RequestLink,
            and_(
                RequestLink.workspace_id == ws,
                or_(
                    and_(RequestLink.first_id == rid, RequestLink.second_id == HelpRequest.id),
                    and_(RequestLink.second_id == rid, RequestLink.first_id == HelpRequest.id),
                ),
            ),
        )
        .join(Municipality, Municipality.number == HelpRequest.municipality_number)
        .with_only_columns(
            *_row(
                LINK,
                RequestLink.id,
                n=HelpRequest.number,
                text1=HelpRequest.title,
                text2=Municipality.name,
                text3=HelpRequest.state,
            )
        )
    )
    # Every part is scoped to the workspace; the union runs under the same scope.
    return scoped_union(*parts)


def record_of(
    session: Session, ws: Workspace, p: Principal, req: HelpRequest, *, with_time: bool
) -> Record:
    """The request's history, conversation (internal notes for those who may write them),
    plan, time (``with_time``) and links to requests ``p`` may see: one statement."""
    rid = req.id
    municipality = only_municipality(p)  # None: every request
    see_all = municipality is None
    params: dict[str, Any] = {"ws": ws.id, "rid": rid}
    if not see_all:
        params["municipality"] = municipality
    rows = session.execute(
        _record_query(p.can("helpdesk.note"), with_time, see_all),
        params,
        # the statement's scope, with this workspace's id (it was made with a parameter)
        execution_options={SCOPE_OPTION: ("workspace", ws.id)},
    )
    out = Record()
    entries: list[Entry] = []
    people: dict[int, Person] = {}

    def person(user_id: int | None, name: str | None) -> Person | None:
        if user_id is None or name is None:
            return None
        found = people.get(user_id)
        if found is None:
            found = people[user_id] = Person(user_id, name)
        return found

    for (
        part,
        row_id,
        at,
        user_id,
        user_name,
        n,
        text1,
        text2,
        text3,
        day,
        flag,
        detail,
    ) in rows:
        if part == EVENT:
            out.events.append(
                Event(
                    row_id, rid, at, person(user_id, user_name), text1, text2, text3, detail or {}
                )
            )
        elif part == MESSAGE:
            out.messages.append(Message(row_id, at, person(user_id, user_name), text1, bool(flag)))
        elif part == STEP:
            out.steps.append(Step(row_id, n, text1, day, at))
        elif part == TIME:
            user = person(user_id, user_name)
            assert user is not None  # time is always someone's
            entries.append(Entry(row_id, user_id, user, day, n, text1))
        else:
            out.links.append(
                Link(row_id, LinkedRequest(n, text1, text3, LinkedMunicipality(text2)))
            )
    out.events.sort(key=lambda e: e.id)
    out.messages.sort(key=lambda m: m.id)
    out.steps.sort(key=lambda s: (s.position, s.id))
    out.links.sort(key=lambda link: link.request.number)
    if with_time:
        entries.sort(key=lambda e: (e.worked_on, e.id), reverse=True)
        per: dict[int, int] = {}
        for e in entries:
            per[e.user_id] = per.get(e.user_id, 0) + e.minutes
        by_helper = sorted(
            ((people[u], m) for u, m in per.items()), key=lambda pm: (-pm[1], pm[0].name)
        )
        out.time = Time(entries, sum(per.values()), by_helper)
    return out


@dataclass(frozen=True, slots=True)
class HelperName:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class OnVisit:
    """A helper on a visit (``VisitHelper``'s shape: ``user_id``, ``user.name``)."""

    user_id: int
    user: HelperName


@dataclass(frozen=True, slots=True)
class RequestName:
    number: int
    title: str


@dataclass(frozen=True, slots=True)
class PlannedVisit:
    """A visit as the request's page shows it (``Visit``'s shape, read as plain rows)."""

    id: int
    request_id: int
    request: RequestName
    starts_at: datetime
    ends_at: datetime
    place: str
    report: str
    helpers: list[OnVisit]


@functools.cache
def _visits_query(with_clashes: bool) -> Any:
    """The statement of :func:`visits_and_clashes`, made once per process with its values as
    parameters (``ws``, ``request_id``, ``now``): building it cost more than running it."""
    ws = workspace_param()
    request_id: Any = bindparam("request_id", type_=Integer())
    query = (
        scoped(Visit, ws)
        .join(HelpRequest, HelpRequest.id == Visit.request_id)
        .outerjoin(
            VisitHelper,
            and_(VisitHelper.visit_id == Visit.id, VisitHelper.workspace_id == ws),
        )
        .outerjoin(User, User.id == VisitHelper.user_id)
        .with_only_columns(
            Visit.id,
            Visit.request_id,
            HelpRequest.number,
            HelpRequest.title,
            Visit.starts_at,
            Visit.ends_at,
            Visit.place,
            Visit.report,
            VisitHelper.user_id,
            User.name,
        )
    )
    if with_clashes:
        # Visits that share a helper with an upcoming visit of this request and overlap it.
        mine, other = aliased(VisitHelper, name="mine"), aliased(Visit, name="other")
        upcoming = (
            scoped(VisitHelper, ws)
            .join(Visit, Visit.id == VisitHelper.visit_id)
            .where(Visit.request_id == request_id, Visit.ends_at > bindparam("now"))
            .with_only_columns(VisitHelper.user_id, Visit.starts_at, Visit.ends_at)
            .subquery("upcoming")
        )
        overlapping = (
            scoped(mine, ws)
            .join(upcoming, upcoming.c.user_id == mine.user_id)
            .join(other, and_(other.id == mine.visit_id, other.workspace_id == ws))
            .where(other.starts_at < upcoming.c.ends_at, other.ends_at > upcoming.c.starts_at)
            .with_only_columns(mine.visit_id)
        )
        query = query.where(or_(Visit.request_id == request_id, Visit.id.in_(overlapping)))
    else:
        query = query.where(Visit.request_id == request_id)
    return query.order_by(Visit.starts_at, Visit.id, VisitHelper.id)


def visits_and_clashes(
    session: Session, ws: Workspace, request_id: int, *, with_clashes: bool
) -> tuple[list[PlannedVisit], dict[int, list[Clash]]]:
    """The request's visits with their helpers, and with ``with_clashes``, for each upcoming
    one, the other visits (of any request) that overlap it for one of its helpers, by time, as
    ``visits.clashes`` names them when a visit is planned: one statement, of plain rows (a row
    per visit and helper), which costs a fraction of loading the visits, their requests, helpers
    and users as objects."""
    now = utcnow()
    rows = session.execute(
        _visits_query(with_clashes),
        {"ws": ws.id, "request_id": request_id, "now": now},
        # the statement's scope, with this workspace's id (it was made with a parameter)
        execution_options={SCOPE_OPTION: ("workspace", ws.id)},
    )
    found: dict[int, PlannedVisit] = {}
    for row in rows:
        v = found.get(row[0])
        if v is None:
            v = found[row[0]] = PlannedVisit(
                id=row[0],
                request_id=row[1],
                request=RequestName(row[2], row[3]),
                starts_at=row[4],
                ends_at=row[5],
                place=row[6],
                report=row[7],
                helpers=[],
            )
        if row[8] is not None:
            v.helpers.append(OnVisit(row[8], HelperName(row[8], row[9])))
    own = [v for v in found.values() if v.request_id == request_id]
    clashes: dict[int, list[Clash]] = {}
    if with_clashes:
        for v in own:
            if v.ends_at <= now:
                continue
            ours = {h.user_id for h in v.helpers}
            for o in found.values():
                if o.id == v.id or not (o.starts_at < v.ends_at and o.ends_at > v.starts_at):
                    continue
                for h in o.helpers:
                    if h.user_id in ours:
                        # Clash reads what these carry: the visit's times, place and request's
                        # number and title, and the helper's name.
                        clashes.setdefault(v.id, []).append(
                            Clash(visit=cast_to(Visit, o), helper=cast_to(User, h.user))
                        )
    return own, clashes
