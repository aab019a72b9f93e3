"""A meeting's agenda (numbered items with papers), the minutes per item, the decisions with
whom follows them up, attendance per member municipality, and the minutes approved. Flushes,
never commits."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, select, union_all
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import User
from app.accounts.principal import Principal
from app.clock import today, utcnow
from app.counties.models import Municipality, Workspace
from app.errors import Conflict, InvalidInput, found
from app.i18n import lazy
from app.meetings import service
from app.meetings.models import AgendaItem, Attendance, Decision, Meeting
from app.meetings.schemas import AgendaItemForm, AttendanceForm, DecisionForm, MinutesForm
from app.networks import service as networks_service
from app.tenancy import scoped, scoped_in, workspace_param

# --- the agenda ----------------------------------------------------------------------------


def items_of(session: Session, meeting: Meeting) -> list[AgendaItem]:
    """The agenda in its order (rows of the meeting's own workspace)."""
    return list(
        session.scalars(
            scoped(AgendaItem, meeting.workspace_id)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )


def _editable(session: Session, ws: Workspace, p: Principal, meeting_id: int) -> Meeting:
    meeting = service.get_meeting(session, ws, p, meeting_id)
    service.check_edit(session, ws, p, meeting)
    return meeting


def _item(session: Session, ws: Workspace, meeting: Meeting, item_id: int) -> AgendaItem:
    return found(
        session.scalar(
            scoped(AgendaItem, ws.id).where(
                AgendaItem.meeting_id == meeting.id, AgendaItem.id == item_id
            )
        )
    )


def _not_approved(meeting: Meeting) -> None:
    if meeting.minutes_approved_at is not None:
        raise Conflict(lazy("Referatet er godkjent og kan ikke endres lenger."))


def add_item(
    session: Session, ws: Workspace, p: Principal, meeting_id: int, form: AgendaItemForm
) -> AgendaItem:
    """A new item last on the agenda."""
    meeting = _editable(session, ws, p, meeting_id)
    _not_approved(meeting)
    last = session.scalar(
        scoped(AgendaItem, ws.id)
        .where(AgendaItem.meeting_id == meeting.id)
        .with_only_columns(func.max(AgendaItem.position))
    )
    item = AgendaItem(
        workspace_id=ws.id,
        meeting_id=meeting.id,
        position=(last or 0) + 1,
        title=form.title,
        responsible=form.responsible,
        minutes_allotted=form.minutes_allotted,
        papers=[link.model_dump() for link in form.papers],
        minutes="",
    )
    session.add(item)
    session.flush()
    return item


def update_item(
    session: Session,
    ws: Workspace,
    p: Principal,
    meeting_id: int,
    item_id: int,
    form: AgendaItemForm,
) -> AgendaItem:
    meeting = _editable(session, ws, p, meeting_id)
    _not_approved(meeting)
    item = _item(session, ws, meeting, item_id)
    item.title = form.title
    item.responsible = form.responsible
    item.minutes_allotted = form.minutes_allotted
    item.papers = [link.model_dump() for link in form.papers]
    session.flush()
    return item


def move_item(
    session: Session, ws: Workspace, p: Principal, meeting_id: int, item_id: int, up: bool
) -> AgendaItem:
    """Move an item one place up or down; the items are numbered 1, 2, 3 … again."""
    meeting = _editable(session, ws, p, meeting_id)
    _not_approved(meeting)
    items = items_of(session, meeting)
    item = found(next((i for i in items if i.id == item_id), None))
    at = items.index(item)
    to = at - 1 if up else at + 1
    if 0 <= to < len(items):
        items[at], items[to] = items[to], items[at]
    for number, i in enumerate(items, start=1):
        if i.position != number:
            i.position = number
    session.flush()
    return item


def delete_item(
    session: Session, ws: Workspace, p: Principal, meeting_id: int, item_id: int
) -> None:
    meeting = _editable(session, ws, p, meeting_id)
    _not_approved(meeting)
    item = _item(session, ws, meeting, item_id)
    session.delete(item)
    session.flush()
    for number, i in enumerate(items_of(session, meeting), start=1):
        if i.position != number:
            i.position = number
    session.flush()


def set_minutes(
    session: Session,
    ws: Workspace,
    p: Principal,
    meeting_id: int,
    item_id: int,
    form: MinutesForm,
) -> AgendaItem:
    """The minutes of one item (Markdown, sanitised when shown)."""
    meeting = _editable(session, ws, p, meeting_id)
    _not_approved(meeting)
    item = _item(session, ws, meeting, item_id)
    item.minutes = form.minutes
    session.flush()
    return item


def approve_minutes(session: Session, ws: Workspace, p: Principal, meeting_id: int) -> Meeting:
    """The minutes approved (at the next meeting): from then on they are not changed."""
    meeting = _editable(session, ws, p, meeting_id)
    _not_approved(meeting)
    if meeting.starts_at > utcnow():
        raise Conflict(lazy("Et referat kan godkjennes først når møtet er holdt."))
    meeting.minutes_approved_at = utcnow()
    session.flush()
    return meeting


# --- decisions -----------------------------------------------------------------------------


def add_decision(
    session: Session,
    ws: Workspace,
    p: Principal,
    meeting_id: int,
    item_id: int,
    form: DecisionForm,
) -> Decision:
    """A decision under an item, with the person who follows it up (a member of the county's
    workspace) and a due date."""
    meeting = _editable(session, ws, p, meeting_id)
    _not_approved(meeting)
    item = _item(session, ws, meeting, item_id)
    if accounts_service.get_membership(session, ws.id, form.responsible_id) is None:
        raise InvalidInput({"responsible_id": lazy("Velg en ansvarlig blant brukerne i fylket.")})
    decision = Decision(
        workspace_id=ws.id,
        meeting_id=meeting.id,
        agenda_item_id=item.id,
        text=form.text,
        responsible_id=form.responsible_id,
        due_on=form.due_on,
    )
    session.add(decision)
    session.flush()
    return decision


def set_done(
    session: Session, ws: Workspace, p: Principal, meeting_id: int, decision_id: int, done: bool
) -> Decision:
    """Mark a decision followed up (or open again): the meeting's writers and the person
    responsible for it may."""
    meeting = service.get_meeting(session, ws, p, meeting_id)
    decision = found(
        session.scalar(
            scoped(Decision, ws.id).where(
                Decision.meeting_id == meeting.id, Decision.id == decision_id
            )
        )
    )
    if decision.responsible_id is None or decision.responsible_id != p.user_id:
        service.check_edit(session, ws, p, meeting)
    decision.done_at = utcnow() if done else None
    session.flush()
    return decision


@dataclass
class DecisionRow:
    decision: Decision
    responsible_name: str
    meeting_id: int
    meeting_title: str
    body_id: int | None

    @property
    def overdue(self) -> bool:
        d = self.decision
        return d.done_at is None and d.due_on is not None and d.due_on < today()


def _names(session: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())


def decisions(
    session: Session,
    ws: Workspace,
    p: Principal,
    *,
    meeting: Meeting | None = None,
    body_id: int | None = None,
    responsible_id: int | None = None,
    open_only: bool = False,
    limit: int = 200,
) -> list[DecisionRow]:
    """Decisions of one meeting, of one body's meetings, or one person's — open first by due
    date — among the meetings the person may read (two queries)."""
    meetings = service.visible_to(session, ws, p)
    if meeting is not None:
        meetings = meetings.where(Meeting.id == meeting.id)
        owner = meeting.workspace_id
    else:
        owner = ws.id
    if body_id is not None:
        meetings = meetings.where(Meeting.body_id == body_id)
        body = networks_service.get_body(session, ws, body_id)
        owner = body.workspace_id
    query = _decisions_query(
        owner,
        meetings,
        responsible_id=responsible_id,
        open_only=open_only,
        limit=limit,
    )
    rows = session.execute(query).all()
    names = _names(session, {d.responsible_id for d, *_ in rows if d.responsible_id})
    return [
        DecisionRow(d, names.get(d.responsible_id or 0, ""), d.meeting_id, title, body)
        for d, title, body in rows
    ]


def _decisions_query(
    owner: int,
    meetings: Select[Any],
    *,
    responsible_id: int | None = None,
    open_only: bool = False,
    limit: int = 200,
) -> Select[Any]:
    """The decisions of ``owner``'s workspace in ``meetings`` (a select of meetings), with
    their meeting's title and body, open first by due date: the query of :func:`decisions`."""
    query = (
        scoped(Decision, owner)
        .join(Meeting, Meeting.id == Decision.meeting_id)
        .where(Decision.meeting_id.in_(meetings.with_only_columns(Meeting.id)))
        .add_columns(Meeting.title, Meeting.body_id)
    )
    if responsible_id is not None:
        query = query.where(Decision.responsible_id == responsible_id)
    if open_only:
        query = query.where(Decision.done_at.is_(None))
    return query.order_by(
        Decision.done_at.is_not(None),
        Decision.due_on.is_(None),
        Decision.due_on,
        Decision.id,
    ).limit(limit)


def _decision_order(d: Decision) -> Any:
    """:func:`_decisions_query`'s order, in Python."""
    return (d.done_at is not None, d.due_on is None, d.due_on or date.min, d.id)


def decisions_by_item(rows: list[DecisionRow]) -> dict[int, list[DecisionRow]]:
    out: dict[int, list[DecisionRow]] = {}
    for r in rows:
        out.setdefault(r.decision.agenda_item_id, []).append(r)
    return out


def responsible_choices(session: Session, ws: Workspace) -> list[tuple[int, str]]:
    """Whom a decision may be given to: the people of the county's workspace."""
    return [(m.user_id, m.user.name) for m in accounts_service.list_members(session, ws.id)]


# --- attendance ----------------------------------------------------------------------------


@dataclass
class AttendanceRow:
    municipality_number: str
    name: str
    status: str | None
    represented_by: str


def attendance_of(session: Session, meeting: Meeting) -> list[AttendanceRow]:
    """Each invited municipality with what was recorded for it (``None``: nothing yet)."""
    recorded = {
        a.municipality_number: a
        for a in session.scalars(
            scoped(Attendance, meeting.workspace_id).where(Attendance.meeting_id == meeting.id)
        )
    }
    rows = []
    for i in service.invitees_of(session, meeting):
        if i.municipality_number is None:
            continue
        a = recorded.get(i.municipality_number)
        rows.append(
            AttendanceRow(
                i.municipality_number,
                i.name,
                a.status if a else None,
                a.represented_by if a else "",
            )
        )
    return rows


def record_attendance(
    session: Session, ws: Workspace, p: Principal, meeting_id: int, form: AttendanceForm
) -> Meeting:
    """Who was there, per invited municipality; "represented" needs the name of who came."""
    meeting = _editable(session, ws, p, meeting_id)
    invited = {
        i.municipality_number
        for i in service.invitees_of(session, meeting)
        if i.municipality_number
    }
    errors: dict[str, Any] = {}
    for e in form.entries:
        if e.municipality_number not in invited:
            errors[f"status_{e.municipality_number}"] = lazy("Kommunen er ikke invitert til møtet.")
        elif e.status == "represented" and not e.represented_by:
            errors[f"by_{e.municipality_number}"] = lazy("Skriv hvem som representerte kommunen.")
    if errors:
        raise InvalidInput(errors)
    recorded = {
        a.municipality_number: a
        for a in session.scalars(
            scoped(Attendance, ws.id).where(Attendance.meeting_id == meeting.id)
        )
    }
    for e in form.entries:
        row = recorded.get(e.municipality_number)
        if row is None:
            row = Attendance(
                workspace_id=ws.id,
                meeting_id=meeting.id,
                municipality_number=e.municipality_number,
            )
            session.add(row)
        row.status = e.status
        row.represented_by = e.represented_by if e.status == "represented" else ""
    session.flush()
    return meeting


@dataclass
class Presence:
    municipality_number: str
    name: str
    small: bool
    meetings: int  # meetings with attendance recorded for it
    present: int  # present or represented

    @property
    def share(self) -> float:
        return self.present / self.meetings if self.meetings else 0.0


SELDOM = 0.5  # present at fewer than half the meetings


def presence(session: Session, ws: Workspace, body_id: int, small_below: int) -> list[Presence]:
    """Per municipality, at how many of the body's past meetings it was there (present or
    represented) — the seldom present first; ``small`` for those under ``small_below``
    inhabitants. One query."""
    body = networks_service.get_body(session, ws, body_id)
    rows = session.execute(
        scoped(Attendance, body.workspace_id)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .join(Municipality, Municipality.number == Attendance.municipality_number)
        .where(Meeting.body_id == body.id)
        .group_by(Attendance.municipality_number, Municipality.name, Municipality.population)
        .with_only_columns(
            Attendance.municipality_number,
            Municipality.name,
            Municipality.population,
            func.count(Attendance.id),
            func.count(Attendance.id).filter(Attendance.status != "absent"),
        )
    ).all()
    out = [
        Presence(number, name, (pop or 0) < small_below, total, present)
        for number, name, pop, total, present in rows
    ]
    return sorted(out, key=lambda r: (r.share, r.name))


MY_OPEN_SHOWN = 20  # of each workspace


def _own_meetings_visible_to(ws: Workspace, p: Principal) -> Select[Any] | None:
    """The meetings of the workspace itself that ``p`` may read (as
    ``service.visible_to``), built without a query of its own first; ``None``: none. A decision
    belongs to its meeting's workspace, and a workspace's meetings to its own bodies (a shared
    body's meetings are its owner's), so the meetings of bodies other counties share, which
    ``visible_to`` adds, hold no decision of this workspace."""
    query = scoped(Meeting, ws.id)
    if p.can("meetings.see_all"):
        return query
    return service.narrowed_to(
        query,
        ws,
        p,
        lambda role: networks_service.member_body_ids(
            ws,
            municipality_number=p.municipality_number or None,
            organisation_id=None if p.municipality_number else p.organisation_id,
            role=role,
        ),
    )


def my_open_decisions_in(
    session: Session, wanted: Sequence[tuple[Workspace, Principal]]
) -> dict[int, list[DecisionRow]]:
    """The decisions the person is responsible for that are not done yet, in each of several
    workspaces (by workspace id), the first
    ``MY_OPEN_SHOWN`` of each, in one query whatever their number: a UNION ALL of one limited
    part per workspace, joined to the decisions (each person's start page reads all their
    workspaces at once). Where the person sees every meeting in each workspace (a coordinator)
    the statement is made once per process for that number of workspaces
    (:func:`_all_meetings_decisions_query`), with the workspaces and the person as parameters."""
    chosen: list[tuple[Workspace, Principal, Select[Any]]] = []
    for ws, p in wanted:
        meetings = _own_meetings_visible_to(ws, p)
        if p.user_id is None or meetings is None:
            continue
        chosen.append((ws, p, meetings))
    if not chosen:
        return {}
    people = {ws.id: p for ws, p, _meetings in chosen}
    if all(p.can("meetings.see_all") for _ws, p, _meetings in chosen):
        query = _all_meetings_decisions_query(len(chosen))
        values: dict[str, Any] = {"workspaces": list(people)}
        for k, (ws, p, _meetings) in enumerate(chosen):
            values[f"ws{k}"], values[f"user{k}"] = ws.id, p.user_id
    else:
        query = _open_decisions_query(
            [(ws.id, meetings, p.user_id) for ws, p, meetings in chosen], list(people)
        )
        values = {}
    rows = session.execute(query, values).all()
    out: dict[int, list[DecisionRow]] = {}
    for d, title, body in sorted(rows, key=lambda row: _decision_order(row[0])):
        # the person is the one responsible: their name needs no query
        name = people[d.workspace_id].name
        out.setdefault(d.workspace_id, []).append(DecisionRow(d, name, d.meeting_id, title, body))
    return out


def _open_decisions_query(parts: Sequence[tuple[Any, Select[Any], Any]], workspaces: Any) -> Any:
    """The statement of :func:`my_open_decisions_in` for ``parts`` (each a workspace id, its
    meetings the person may read, the person's id) in ``workspaces``: values or bind
    parameters."""
    chosen = union_all(
        *(
            select(ids.c.id)
            for owner, meetings, user_id in parts
            for ids in [
                _decisions_query(
                    owner, meetings, responsible_id=user_id, open_only=True, limit=MY_OPEN_SHOWN
                )
                .with_only_columns(Decision.id)
                .subquery()
            ]
        )
    ).subquery()
    return (
        scoped_in(Decision, workspaces)
        .join(chosen, chosen.c.id == Decision.id)
        .join(Meeting, Meeting.id == Decision.meeting_id)
        .add_columns(Meeting.title, Meeting.body_id)
    )


@functools.lru_cache(maxsize=64)
def _all_meetings_decisions_query(count: int) -> Any:
    """:func:`_open_decisions_query` for ``count`` workspaces where the person sees every
    meeting, made once per process: parameters ``ws{k}`` and ``user{k}`` for each, and
    ``workspaces`` (expanding)."""
    parts = []
    for k in range(count):
        owner = workspace_param(f"ws{k}")
        parts.append((owner, scoped(Meeting, owner), bindparam(f"user{k}", type_=Integer())))
    return _open_decisions_query(parts, bindparam("workspaces", expanding=True))


def due_soon(rows: list[DecisionRow], within_days: int = 14) -> list[DecisionRow]:
    limit = date.fromordinal(today().toordinal() + within_days)
    return [r for r in rows if r.decision.due_on is not None and r.decision.due_on <= limit]
