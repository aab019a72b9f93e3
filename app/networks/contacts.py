"""Networks: contact persons and their areas of responsibility, the representatives a body
has among them, and the municipality page (its bodies and its contacts). Flushes, never
commits."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, or_
from sqlalchemy.orm import Session, contains_eager, selectinload

from app.clock import today
from app.counties.models import Municipality, Workspace
from app.errors import Conflict, InvalidInput, found
from app.i18n import lazy
from app.networks.models import AREAS, Body, BodyMembership, Person, Representative, Responsibility
from app.networks.schemas import PersonForm
from app.networks.service import get_own_body, is_current, visible_memberships
from app.reads import Key, keyset
from app.tenancy import scoped, scoped_union, workspace_param

# --- contacts ------------------------------------------------------------------------------


def areas_query(ws: Workspace, municipality_number: str, email: str) -> Select[int, str]:
    """The select of :func:`areas_of` (``email`` not empty): one row per area, with its
    workspace id first — for a start page that unites one per workspace."""
    return (
        scoped(Responsibility, ws.id)
        .where(
            Responsibility.person_id.in_(
                scoped(Person, ws.id)
                .where(
                    Person.municipality_number == municipality_number,
                    func.lower(Person.email) == email.strip().lower(),
                )
                .with_only_columns(Person.id)
            )
        )
        .with_only_columns(Responsibility.workspace_id, Responsibility.area)
    )


def areas_of(session: Session, ws: Workspace, municipality_number: str, email: str) -> set[str]:
    """The areas a person answers for in their municipality, as the address book has them
    (a contact of that municipality with their e-mail address) — for other modules: which
    deadlines concern a municipal user. Empty when they are not in the address book."""
    if not email:
        return set()
    return {area for _ws, area in session.execute(areas_query(ws, municipality_number, email))}


def areas_in(
    session: Session, wanted: Sequence[tuple[Workspace, str]], email: str
) -> dict[int, set[str]]:
    """:func:`areas_of` in several workspaces (each with the person's municipality there), by
    workspace id, in one statement; a workspace where they answer for none is left out. On
    PostgreSQL the other workspaces must be readable (``set_db_scope(read_also=...)``)."""
    if not email or not wanted:
        return {}
    out: dict[int, set[str]] = {}
    rows = session.execute(scoped_union(*(areas_query(ws, n, email) for ws, n in wanted)))
    for ws_id, area in rows:
        out.setdefault(ws_id, set()).add(area)
    return out


def may_edit_contacts(
    can: Callable[[str], bool], own_municipality: str | None, municipality_number: str
) -> bool:
    """Coordinators edit every contact; a municipal user only their own municipality's."""
    if can("contacts.manage"):
        return True
    return (
        can("contacts.manage_own")
        and own_municipality is not None
        and own_municipality == municipality_number
    )


def get_person(session: Session, ws: Workspace, person_id: int) -> Person:
    return found(
        session.scalar(
            scoped(Person, ws.id)
            .where(Person.id == person_id)
            .options(selectinload(Person.municipality), selectinload(Person.responsibilities))
        )
    )


def search_persons(
    session: Session,
    ws: Workspace,
    *,
    q: str | None = None,
    municipality_number: str | None = None,
    area: str | None = None,
    limit: int = 50,
    offset: int = 0,
    updated_since: datetime | None = None,
    key: Key | None = None,
    cursor: str | None = None,
) -> tuple[list[Person], int]:
    """Persons by municipality and name; with ``key`` (the API), in that order from after
    ``cursor``, one row more than a page (see `app.reads.keyset`)."""
    query = scoped(Person, ws.id).join(
        Municipality, Municipality.number == Person.municipality_number
    )
    if updated_since is not None:
        query = query.where(Person.updated_at >= updated_since)
    if municipality_number:
        query = query.where(Person.municipality_number == municipality_number)
    if area:
        if area not in AREAS:
            raise InvalidInput({"omrade": lazy("Ukjent ansvarsområde.")})
        query = query.where(
            Person.id.in_(
                scoped(Responsibility, ws.id)
                .where(Responsibility.area == area)
                .with_only_columns(Responsibility.person_id)
            )
        )
    if q and q.strip():
        term = f"%{q.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Person.name).like(term),
                func.lower(Municipality.name).like(term),
                func.lower(Person.title).like(term),
            )
        )
    total = session.scalar(query.with_only_columns(func.count())) or 0
    if key is not None:
        query = keyset(query, key, cursor, limit)
    else:
        query = query.order_by(Municipality.name, Person.name).limit(limit).offset(offset)
    # The municipality is joined already (for the order and the search): no query of its own.
    loads = (contains_eager(Person.municipality), selectinload(Person.responsibilities))
    rows = list(session.scalars(query.options(*loads)))
    return rows, total


@functools.cache
def _choices_query() -> Any:
    ws = workspace_param()
    return (
        scoped(Person, ws)
        .join(Municipality, Municipality.number == Person.municipality_number)
        .with_only_columns(Person.id, Person.name, Municipality.name.label("municipality_name"))
        .order_by(Municipality.name, Person.name)
        .limit(bindparam("limit", type_=Integer()))
    )


def persons_to_choose(session: Session, ws: Workspace, limit: int = 500) -> list[Any]:
    """The contact persons to choose from in a form (a body's representative), by municipality
    and name: plain rows of ``id``, ``name`` and ``municipality_name`` (no ORM objects, no
    count, no areas), from a statement made once per process."""
    return list(session.execute(_choices_query(), {"ws": ws.id, "limit": limit}).all())


def _apply_person(session: Session, ws: Workspace, person: Person, data: PersonForm) -> None:
    if session.get(Municipality, data.municipality_number) is None:
        raise InvalidInput({"municipality_number": lazy("Kommunen finnes ikke.")})
    person.name = data.name.strip()
    municipality = session.get(Municipality, data.municipality_number)
    if municipality is not None and person.municipality_number != data.municipality_number:
        person.municipality = municipality
    person.municipality_number = data.municipality_number
    person.title = data.title
    person.email = str(data.email or "")
    person.phone = data.phone
    have = {r.area: r for r in person.responsibilities}
    for area, row in have.items():
        if area not in data.areas:
            person.responsibilities.remove(row)
    for area in data.areas:
        if area not in have:
            person.responsibilities.append(Responsibility(workspace_id=ws.id, area=area))


def create_person(session: Session, ws: Workspace, data: PersonForm) -> Person:
    person = Person(workspace_id=ws.id, responsibilities=[])
    _apply_person(session, ws, person, data)
    session.add(person)
    session.flush()
    return person


def update_person(session: Session, ws: Workspace, person_id: int, data: PersonForm) -> Person:
    person = get_person(session, ws, person_id)
    _apply_person(session, ws, person, data)
    session.flush()
    return person


def delete_person(session: Session, ws: Workspace, person_id: int) -> None:
    person = get_person(session, ws, person_id)
    session.delete(person)
    session.flush()


# --- representatives -----------------------------------------------------------------------


def add_representative(
    session: Session, ws: Workspace, body_id: int, person_id: int
) -> Representative:
    body = get_own_body(session, ws, body_id)
    person = get_person(session, ws, person_id)
    exists = session.scalar(
        scoped(Representative, ws.id).where(
            Representative.body_id == body.id, Representative.person_id == person.id
        )
    )
    if exists:
        raise Conflict(lazy("Personen er allerede representant i dette organet."))
    rep = Representative(workspace_id=ws.id, body_id=body.id, person_id=person.id)
    session.add(rep)
    session.flush()
    return rep


def remove_representative(session: Session, ws: Workspace, body_id: int, rep_id: int) -> None:
    get_own_body(session, ws, body_id)
    rep = found(
        session.scalar(
            scoped(Representative, ws.id).where(
                Representative.id == rep_id, Representative.body_id == body_id
            )
        )
    )
    session.delete(rep)
    session.flush()


# --- municipality page ---------------------------------------------------------------------


@dataclass
class MunicipalityDetail:
    municipality: Municipality
    current: list[BodyMembership]
    past: list[BodyMembership]
    contacts_by_area: dict[str, list[Person]]
    contacts: list[Person]
    represents: dict[int, list[Body]]


def municipality_detail(session: Session, ws: Workspace, number: str) -> MunicipalityDetail:
    municipality = found(session.get(Municipality, number))
    memberships = list(
        session.scalars(
            visible_memberships(ws)
            .where(BodyMembership.municipality_number == number)
            .options(selectinload(BodyMembership.body))
        )
    )
    on = today()
    current = sorted(
        (m for m in memberships if is_current(m, on) or (m.start_date and m.start_date > on)),
        key=lambda m: m.body.name,
    )
    past = sorted(
        (m for m in memberships if m.end_date and m.end_date < on),
        key=lambda m: m.end_date or date.min,
        reverse=True,
    )
    contacts, _total = search_persons(session, ws, municipality_number=number, limit=500)
    by_area: dict[str, list[Person]] = defaultdict(list)
    for person in contacts:
        for r in person.responsibilities:
            by_area[r.area].append(person)
    ordered = {area: by_area[area] for area in AREAS if by_area.get(area)}
    represents: dict[int, list[Body]] = defaultdict(list)
    if contacts:
        for rep in session.scalars(
            scoped(Representative, ws.id)
            .where(Representative.person_id.in_([p.id for p in contacts]))
            .options(selectinload(Representative.body))
        ):
            represents[rep.person_id].append(rep.body)
    return MunicipalityDetail(municipality, current, past, ordered, contacts, dict(represents))
