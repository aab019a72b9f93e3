"""What a request's page reads besides the request itself, in as few statements as it can
(issue 16): its history, conversation, plan, time and links in one ``UNION ALL`` of plain rows
(no ORM objects: the page only shows them), and its visits with the visits that clash with
them in another. The permission rules are those of ``queue.detail``, ``work`` and ``visits``:
internal notes only for those who may write them, time only for those who work requests,
links only to requests the person may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Integer,
    String,
    Text,
    and_,
    cast,
    literal_column,
    null,
    or_,
)
from sqlalchemy.orm import Session, joinedload

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
from app.helpdesk.queue import visible
from app.helpdesk.visits.service import Clash
from app.tenancy import scoped, scoped_union


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


def record_of(
    session: Session, ws: Workspace, p: Principal, req: HelpRequest, *, with_time: bool
) -> Record:
    """The request's history, conversation (internal notes for those who may write them),
    plan, time (``with_time``) and links to requests ``p`` may see: one statement."""
    rid = req.id
    parts = [
        scoped(RequestEvent, ws.id)
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
        scoped(RequestMessage, ws.id)
        .outerjoin(User, User.id == RequestMessage.author_id)
        .where(RequestMessage.request_id == rid)
    )
    if not p.can("helpdesk.note"):
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
        scoped(RequestStep, ws.id)
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
            scoped(TimeEntry, ws.id)
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
    # Links: the request at the other end, if ``p`` may see it (``visible``).
    parts.append(
        visible(ws, p)
        .join(
            RequestLink,
            and_(
                RequestLink.workspace_id == ws.id,
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
    query = scoped_union(*parts)
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
    ) in session.execute(query):
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


def visits_and_clashes(
    session: Session, ws: Workspace, request_id: int, *, with_clashes: bool
) -> tuple[list[Visit], dict[int, list[Clash]]]:
    """The request's visits (helpers loaded), and with ``with_clashes``, for each upcoming one,
    the other visits (of any request) that overlap it for one of its helpers, by time, as
    ``visits.clashes`` names them when a visit is planned: one statement."""
    query = scoped(Visit, ws.id)
    now = utcnow()
    if with_clashes:
        # Visits that share a helper with an upcoming visit of this request and overlap it.
        upcoming = (
            scoped(VisitHelper, ws.id)
            .join(Visit, Visit.id == VisitHelper.visit_id)
            .where(Visit.request_id == request_id, Visit.ends_at > now)
            .with_only_columns(VisitHelper.user_id, Visit.starts_at, Visit.ends_at)
            .subquery("upcoming")
        )
        overlapping = (
            scoped(VisitHelper, ws.id)
            .join(upcoming, upcoming.c.user_id == VisitHelper.user_id)
            .join(Visit, and_(Visit.id == VisitHelper.visit_id, Visit.workspace_id == ws.id))
            .where(Visit.starts_at < upcoming.c.ends_at, Visit.ends_at > upcoming.c.starts_at)
            .with_only_columns(VisitHelper.visit_id)
        )
        query = query.where(or_(Visit.request_id == request_id, Visit.id.in_(overlapping)))
    else:
        query = query.where(Visit.request_id == request_id)
    found = list(
        session.scalars(
            query.order_by(Visit.starts_at, Visit.id).options(
                joinedload(Visit.request),
                joinedload(Visit.helpers).joinedload(VisitHelper.user),
            )
        ).unique()
    )
    own = [v for v in found if v.request_id == request_id]
    clashes: dict[int, list[Clash]] = {}
    if with_clashes:
        for v in own:
            if v.ends_at <= now:
                continue
            mine = {h.user_id for h in v.helpers}
            for other in found:
                if other.id == v.id or not (
                    other.starts_at < v.ends_at and other.ends_at > v.starts_at
                ):
                    continue
                for h in other.helpers:
                    if h.user_id in mine:
                        clashes.setdefault(v.id, []).append(Clash(visit=other, helper=h.user))
    return own, clashes
