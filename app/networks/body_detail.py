"""A body's page: the body a workspace sees, with its memberships now, ahead and past, the
bodies above and below it and, for its own body, the representatives — in three queries
(:func:`body_detail`, for the API); and the same with the members as the page prints them
(:func:`body_page`), read as plain rows and made into the page's rows once, in Python."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Integer, bindparam, or_, select
from sqlalchemy.orm import Session, joinedload

from app.clock import today
from app.counties.models import Municipality, Organisation, Workspace
from app.errors import found
from app.i18n import _
from app.networks.labels import ROLE_LABELS
from app.networks.models import Body, BodyMembership, Person, Representative
from app.networks.service import visible_bodies, visible_memberships
from app.tenancy import scoped, stand_in_workspace


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


@dataclass(frozen=True, slots=True)
class MemberLine:
    """A membership as the body's page shows it: the values of a row, ready to print."""

    id: int
    name: str  # the municipality's or the organisation's name
    href: str  # the municipality's page; "" for an organisation
    other_county: bool  # a municipality of another county than the workspace's
    role: str  # the role, translated
    start: str  # "dd.mm.yyyy", "" when open
    end: str  # "dd.mm.yyyy", "" when open
    start_date: date | None
    end_date: date | None


@dataclass
class BodyPage:
    """What the body's page shows: :class:`BodyDetail` with the members as printed rows."""

    body: Body
    owned: bool
    owner: str
    parent: Body | None
    current: list[MemberLine]
    upcoming: list[MemberLine]
    past: list[MemberLine]
    children: list[Body]
    representatives: list[Representative]


_M = TypeVar("_M", BodyMembership, MemberLine)


def _periods(memberships: list[_M], key: Callable[[_M], str]) -> tuple[list[_M], ...]:
    """Now (by ``key``), ahead (by ``key``) and past (the latest ended first)."""
    on = today()
    current = sorted(
        (
            m
            for m in memberships  # as networks.service.is_current
            if (m.start_date is None or m.start_date <= on)
            and (m.end_date is None or m.end_date >= on)
        ),
        key=key,
    )
    upcoming = sorted((m for m in memberships if m.start_date and m.start_date > on), key=key)
    past = sorted(
        (m for m in memberships if m.end_date and m.end_date < on),
        key=lambda m: m.end_date or date.min,
        reverse=True,
    )
    return current, upcoming, past


def _body_and_around(session: Session, ws: Workspace, body_id: int) -> tuple[Body, list[Body]]:
    """A body the workspace sees (else 404) and it with its parent and children, by name: one
    query."""
    around = list(session.scalars(_queries().around, _values(ws, body_id)))
    return found(next((b for b in around if b.id == body_id), None)), around


def _values(ws: Workspace, body_id: int, owner: int | None = None) -> dict[str, Any]:
    """The parameters of :func:`_queries`' statements."""
    return {"ws": ws.id, "county": ws.county_number, "body": body_id, "owner": owner}


@dataclass(frozen=True)
class _Queries:
    around: Any
    memberships: Any
    member_rows: Any  # the memberships as the page's plain rows
    representatives: Any


@functools.cache
def _queries() -> _Queries:
    """The statements of a body's page and of its detail, made once per process with their
    values as parameters (:func:`_values`: ``ws`` and ``county``, the workspace; ``body``;
    ``owner``, the body's workspace): making them anew cost more than running them (the
    neighbours and the members each carry the shared bodies' subquery)."""
    ws = stand_in_workspace()
    body_id: Any = bindparam("body", type_=Integer())
    # the body's parent, if the workspace sees it
    parent_id = (
        visible_bodies(ws).where(Body.id == body_id).with_only_columns(Body.parent_id)
    ).scalar_subquery()
    around = (
        visible_bodies(ws)
        .where(or_(Body.id == body_id, Body.parent_id == body_id, Body.id == parent_id))
        .order_by(Body.name)
    )
    # a body's memberships: its workspace's, visible where the body is
    memberships = visible_memberships(ws).where(
        BodyMembership.body_id == body_id,
        BodyMembership.workspace_id == bindparam("owner", type_=Integer()),
    )
    representatives = (
        scoped(Representative, ws.id)
        .where(Representative.body_id == body_id)
        .options(joinedload(Representative.person).joinedload(Person.municipality))
    )
    member_rows = (
        memberships.outerjoin(
            Municipality, Municipality.number == BodyMembership.municipality_number
        )
        .outerjoin(Organisation, Organisation.id == BodyMembership.organisation_id)
        .with_only_columns(
            BodyMembership.id,
            BodyMembership.role,
            BodyMembership.start_date,
            BodyMembership.end_date,
            Municipality.number,
            Municipality.name,
            Municipality.county_number,
            Organisation.name,
        )
    )
    return _Queries(around, memberships, member_rows, representatives)


def _rest(session: Session, ws: Workspace, body: Body, around: list[Body]) -> dict[str, Any]:
    """The owner, the bodies above and below, and for its own body the representatives (one
    query; one more for another workspace's name)."""
    owned = body.workspace_id == ws.id
    representatives = (
        list(session.scalars(_queries().representatives, _values(ws, body.id))) if owned else []
    )
    representatives.sort(key=lambda r: (r.person.municipality.name, r.person.name))
    owner = (
        ws.name
        if owned
        else session.scalar(select(Workspace.name).where(Workspace.id == body.workspace_id)) or ""
    )
    return {
        "owned": owned,
        "owner": owner,
        "parent": next((b for b in around if b.id == body.parent_id), None),
        "children": [b for b in around if b.parent_id == body.id],
        "representatives": representatives,
    }


def body_detail(session: Session, ws: Workspace, body_id: int) -> BodyDetail:
    """A body the workspace sees (else 404) with the bodies above and below it (one query),
    its memberships (one query), and for its own body the representatives (one query). The
    body's own row comes once, with its neighbours, not repeated on each membership's row
    (which parsed its time stamps again for every member)."""
    body, around = _body_and_around(session, ws, body_id)
    memberships = list(
        session.scalars(
            _queries().memberships.options(
                joinedload(BodyMembership.municipality),
                joinedload(BodyMembership.organisation),
            ),
            _values(ws, body.id, body.workspace_id),
        )
    )

    def key(m: BodyMembership) -> str:
        return (m.municipality.name if m.municipality else "") or (
            m.organisation.name if m.organisation else ""
        )

    current, upcoming, past = _periods(memberships, key)
    return BodyDetail(
        body=body,
        current=current,
        upcoming=upcoming,
        past=past,
        **_rest(session, ws, body, around),
    )


def body_page(session: Session, ws: Workspace, body_id: int) -> BodyPage:
    """:func:`body_detail` as the body's page shows it, in as many queries: the memberships
    read as plain rows and made into the page's rows here, once, rather than loaded as objects
    and printed through a macro per row, with a translation and two date formats each (that
    cost more than reading them)."""
    body, around = _body_and_around(session, ws, body_id)
    rows = session.execute(_queries().member_rows, _values(ws, body.id, body.workspace_id))
    roles: dict[str, str] = {}
    lines = []
    for id_, role, start, end, number, town, county, org in rows:
        label = roles.get(role)
        if label is None:
            label = roles[role] = _(ROLE_LABELS.get(role, role))
        lines.append(
            MemberLine(
                id=id_,
                name=(town or "") if number else (org or ""),
                href=f"/{ws.slug}/kommuner/{number}" if number else "",
                other_county=number is not None and county != ws.county_number,
                role=label,
                start=start.strftime("%d.%m.%Y") if start else "",
                end=end.strftime("%d.%m.%Y") if end else "",
                start_date=start,
                end_date=end,
            )
        )
    current, upcoming, past = _periods(lines, lambda m: m.name)
    return BodyPage(
        body=body,
        current=current,
        upcoming=upcoming,
        past=past,
        **_rest(session, ws, body, around),
    )
