"""A body's page: the body a workspace sees, with its memberships now, ahead and past, the
bodies above and below it and, for its own body, the representatives — in three queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, joinedload

from app.clock import today
from app.counties.models import Workspace
from app.errors import found
from app.networks.models import Body, BodyMembership, Person, Representative
from app.networks.service import is_current, visible_bodies
from app.tenancy import scoped


@dataclass
class BodyDetail:
    body: Body
    owned: bool
    owner: str
    parent: Body | None
    current: list[BodyMembership]
    upcoming: list[BodyMembership]
    past: list[BodyMembership]
    children: list[Body]
    representatives: list[Representative]


def body_detail(session: Session, ws: Workspace, body_id: int) -> BodyDetail:
    """A body the workspace sees (else 404) with its memberships (one query), the bodies
    above and below it (one query), and for its own body the representatives (one query)."""
    rows = session.execute(
        visible_bodies(ws)
        .where(Body.id == body_id)
        .outerjoin(
            BodyMembership,
            # a body's memberships are its workspace's (visible where the body is)
            and_(
                BodyMembership.body_id == Body.id,
                BodyMembership.workspace_id == Body.workspace_id,
            ),
        )
        .add_columns(BodyMembership)
        .options(
            joinedload(BodyMembership.municipality),
            joinedload(BodyMembership.organisation),
        )
    ).all()
    body = found(rows[0][0] if rows else None)
    memberships = [m for _body, m in rows if m is not None]
    on = today()

    def key(m: BodyMembership) -> str:
        return (m.municipality.name if m.municipality else "") or (
            m.organisation.name if m.organisation else ""
        )

    current = sorted((m for m in memberships if is_current(m, on)), key=key)
    upcoming = sorted((m for m in memberships if m.start_date and m.start_date > on), key=key)
    past = sorted(
        (m for m in memberships if m.end_date and m.end_date < on),
        key=lambda m: m.end_date or date.min,
        reverse=True,
    )
    near = visible_bodies(ws).where(Body.parent_id == body.id)
    if body.parent_id:
        near = visible_bodies(ws).where(or_(Body.parent_id == body.id, Body.id == body.parent_id))
    around = list(session.scalars(near.order_by(Body.name)))
    children = [b for b in around if b.parent_id == body.id]
    parent = next((b for b in around if b.id == body.parent_id), None)
    owned = body.workspace_id == ws.id
    representatives = (
        list(
            session.scalars(
                scoped(Representative, ws.id)
                .where(Representative.body_id == body.id)
                .options(joinedload(Representative.person).joinedload(Person.municipality))
            )
        )
        if owned
        else []
    )
    representatives.sort(key=lambda r: (r.person.municipality.name, r.person.name))
    owner = (
        ws.name
        if owned
        else session.scalar(select(Workspace.name).where(Workspace.id == body.workspace_id)) or ""
    )
    return BodyDetail(
        body=body,
        owned=owned,
        owner=owner,
        parent=parent,
        current=current,
        upcoming=upcoming,
        past=past,
        children=children,
        representatives=representatives,
    )
