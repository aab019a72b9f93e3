"""Export: the workspace's own bodies, memberships or contacts as a table, with stable
Norwegian column headings and the codes of ``app.networks.models``."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy.orm import Session, selectinload

from app.counties.models import Workspace
from app.networks.models import Body, BodyMembership, Person
from app.networks.transfer.columns import (
    BODY_COLUMNS,
    CONTACT_COLUMNS,
    MEMBERSHIP_COLUMNS,
    body_values,
    name_key,
    person_values,
)
from app.networks.transfer.formats import Cell, to_csv, to_xlsx
from app.tenancy import scoped


def export_table(session: Session, ws: Workspace, dataset: str) -> tuple[tuple[str, ...], list]:
    """The headings and rows (text, and dates) of one dataset: this workspace's own rows only."""
    if dataset == "organer":
        return BODY_COLUMNS, _body_rows(session, ws)
    if dataset == "medlemskap":
        return MEMBERSHIP_COLUMNS, _membership_rows(session, ws)
    if dataset == "kontakter":
        return CONTACT_COLUMNS, _contact_rows(session, ws)
    raise ValueError(f"unknown dataset {dataset!r}")


def export_file(session: Session, ws: Workspace, dataset: str, fmt: str) -> bytes:
    headers, rows = export_table(session, ws, dataset)
    if fmt == "csv":
        return to_csv(headers, rows)
    if fmt == "xlsx":
        return to_xlsx(headers, rows, sheet=dataset)
    raise ValueError(f"unknown format {fmt!r}")


def _own_bodies_tree_order(session: Session, ws: Workspace) -> list[Body]:
    """Own bodies, each parent before its children, siblings by name."""
    bodies = list(session.scalars(scoped(Body, ws.id).order_by(Body.name, Body.id)))
    ids = {b.id for b in bodies}
    children: dict[int | None, list[Body]] = defaultdict(list)
    for body in bodies:
        children[body.parent_id if body.parent_id in ids else None].append(body)
    out: list[Body] = []
    stack = list(reversed(children[None]))
    while stack:
        body = stack.pop()
        out.append(body)
        stack.extend(reversed(children.get(body.id, [])))
    seen = {b.id for b in out}
    out += [b for b in bodies if b.id not in seen]  # only if the stored tree had a cycle
    return out


def _body_rows(session: Session, ws: Workspace) -> list[list[str]]:
    bodies = _own_bodies_tree_order(session, ws)
    names = {b.id: b.name for b in bodies}
    rows = (body_values(b, names) for b in bodies)
    return [[values[c] for c in BODY_COLUMNS] for values in rows]


def _membership_rows(session: Session, ws: Workspace) -> list[list[Cell]]:
    memberships = list(
        session.scalars(
            scoped(BodyMembership, ws.id).options(
                selectinload(BodyMembership.body), selectinload(BodyMembership.organisation)
            )
        )
    )
    memberships.sort(
        key=lambda m: (
            name_key(m.body.name),
            m.municipality_number or "",
            m.organisation.name if m.organisation else "",
            m.start_date or date.min,
        )
    )
    return [
        [
            m.body.name,
            m.municipality_number or "",
            m.organisation.name if m.organisation else "",
            m.role,
            m.start_date or "",
            m.end_date or "",
        ]
        for m in memberships
    ]


def _contact_rows(session: Session, ws: Workspace) -> list[list[str]]:
    persons = session.scalars(
        scoped(Person, ws.id)
        .order_by(Person.municipality_number, Person.name, Person.id)
        .options(selectinload(Person.responsibilities))
    )
    rows = (person_values(p) for p in persons)
    return [[values[c] for c in CONTACT_COLUMNS] for values in rows]
