"""Networks: bodies and their tree, memberships over time and the shares that let other
counties read a body. Contacts and representatives are in ``contacts``, coverage and the key
figures in ``coverage``. Flushes, never commits."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, Integer, String, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.clock import today
from app.counties.models import Municipality, Organisation, Workspace
from app.db import utcnow
from app.errors import Forbidden, InvalidInput, found
from app.i18n import lazy
from app.networks.models import (
    Body,
    BodyMembership,
    BodyShare,
)
from app.networks.schemas import BodyForm, MembershipForm

# The share requests live in ``shares``; callers reach them through this module as before.
from app.networks.shares import (  # noqa: F401
    ShareRequest,
    ShareStatus,
    answer_share,
    share_requests,
    share_statuses,
)
from app.reads import Key, keyset
from app.tenancy import scoped, scoped_by_county, scoped_shared, stand_in_workspace


def is_current(m: BodyMembership, on: date | None = None) -> bool:
    on = on or today()
    return (m.start_date is None or m.start_date <= on) and (m.end_date is None or m.end_date >= on)


# --- bodies --------------------------------------------------------------------------------


def _shared_with(ws: Workspace) -> Any:
    """The ids of the bodies shared with this workspace's county and accepted there: a share
    another county asked for shows nothing until a coordinator here accepts it."""
    return (
        scoped_by_county(BodyShare, ws.county_number)
        .where(BodyShare.accepted_at.is_not(None), BodyShare.workspace_id != ws.id)
        .with_only_columns(BodyShare.body_id)
    )


def shared_body_ids(ws: Workspace) -> Any:
    """A subquery of the ids of the bodies other counties share with this workspace (accepted):
    for a module whose rows belong to a body and are readable where the body is shared
    (``tenancy.scoped_shared(Model, ws.id, Model.body_id, shared_body_ids(ws))``)."""
    return _shared_with(ws)


def visible_bodies(ws: Workspace) -> Any:
    """The bodies this workspace sees: its own and those shared with its county."""
    return scoped_shared(Body, ws.id, Body.id, _shared_with(ws))


def visible_memberships(ws: Workspace) -> Any:
    """The memberships of the bodies this workspace sees."""
    return scoped_shared(BodyMembership, ws.id, BodyMembership.body_id, _shared_with(ws))


def held_on(on: Any) -> ColumnElement[bool]:
    """The memberships that hold on ``on`` (a query's condition)."""
    return and_(
        or_(BodyMembership.start_date.is_(None), BodyMembership.start_date <= on),
        or_(BodyMembership.end_date.is_(None), BodyMembership.end_date >= on),
    )


@dataclass(frozen=True)
class CurrentMember:
    """A membership that holds today: who (a municipality or an organisation) is in which
    body, and what kind of body it is."""

    body_id: int
    body_kind: str
    municipality_number: str | None
    organisation_id: int | None
    role: str = "member"  # member, host, secretariat, observer


def current_members(
    session: Session,
    ws: Workspace,
    *,
    body_id: int | None = None,
    kind: str | None = None,
    municipality_number: str | None = None,
    organisation_id: int | None = None,
    on: date | None = None,
) -> list[CurrentMember]:
    """The memberships current on ``on`` (today in Norway by default) of the bodies this
    workspace sees — its own and those shared with its county — narrowed to one body, one kind
    of body, one municipality or one organisation. Other modules ask this instead of reading
    the membership tables. The statement is made once per process for each combination of
    narrowings (:func:`_current_query`), the values its parameters."""
    query = _current_query(
        body_id is not None,
        kind is not None,
        municipality_number is not None,
        organisation_id is not None,
    )
    values = {
        "ws": ws.id,
        "county": ws.county_number,
        "on": on or today(),
        "body": body_id,
        "kind": kind,
        "municipality": municipality_number,
        "organisation": organisation_id,
    }
    return [CurrentMember(*row) for row in session.execute(query, values).all()]


@functools.cache
def _current_query(body: bool, kind: bool, municipality: bool, organisation: bool) -> Any:
    """The statement of :func:`current_members`, narrowed by the parameters ``body``, ``kind``,
    ``municipality`` and ``organisation`` where asked, the day (``on``) and the workspace
    (:func:`stand_in_workspace`) parameters too: building it, with the shared bodies'
    subquery, cost more than running it."""
    query = _held(
        stand_in_workspace(),
        bindparam("on", type_=Date()),
        bindparam("municipality", type_=String()) if municipality else None,
        bindparam("organisation", type_=Integer()) if organisation else None,
    )
    query = query.join(Body, Body.id == BodyMembership.body_id).with_only_columns(
        BodyMembership.body_id,
        Body.kind,
        BodyMembership.municipality_number,
        BodyMembership.organisation_id,
        BodyMembership.role,
    )
    if body:
        query = query.where(BodyMembership.body_id == bindparam("body", type_=Integer()))
    if kind:
        query = query.where(Body.kind == bindparam("kind", type_=String()))
    return query


def member_body_ids(
    ws: Workspace,
    *,
    municipality_number: str | None = None,
    organisation_id: int | None = None,
    role: str | None = None,
    on: date | None = None,
) -> Any:
    """A subquery of the ids of the bodies this workspace sees (its own and those shared with
    its county) that ``municipality_number`` (or ``organisation_id``) is a member of on ``on``
    (today in Norway by default), in ``role`` if given — for another module's query that must
    not run one of its own first (each person's start page reads all their workspaces at once).
    """
    query = _held(ws, on, municipality_number, organisation_id)
    if role is not None:
        query = query.where(BodyMembership.role == role)
    return query.with_only_columns(BodyMembership.body_id)


def _held(ws: Any, on: Any, municipality_number: Any, organisation_id: Any) -> Any:
    """The memberships held on ``on`` (today in Norway by default) in the bodies ``ws`` sees,
    of one municipality or one organisation when given: values, or bind parameters for a
    statement made once (:func:`_current_query`)."""
    query = visible_memberships(ws).where(held_on(today() if on is None else on))
    if municipality_number is not None:
        query = query.where(BodyMembership.municipality_number == municipality_number)
    if organisation_id is not None:
        query = query.where(BodyMembership.organisation_id == organisation_id)
    return query


def fellow_members_query(ws: Workspace, municipality_number: str) -> Any:
    """A subquery of what :func:`fellow_members` lists (a number may come more than once), for
    another module's query that must not run one of its own first."""
    on = today()
    bodies = member_body_ids(ws, municipality_number=municipality_number, on=on)
    return (
        visible_memberships(ws)
        .where(
            held_on(on),
            BodyMembership.body_id.in_(bodies),
            BodyMembership.municipality_number.is_not(None),
            BodyMembership.municipality_number != municipality_number,
        )
        .with_only_columns(BodyMembership.municipality_number)
    )


def fellow_members(session: Session, ws: Workspace, municipality_number: str) -> list[str]:
    """The other municipalities in the bodies (councils, networks) ``municipality_number`` is a
    member of today — its neighbours in the county's arenas — in one query."""
    return sorted(set(session.scalars(fellow_members_query(ws, municipality_number))))


def get_body(session: Session, ws: Workspace, body_id: int) -> Body:
    """A body this workspace may see (its own, or shared with its county), else 404."""
    return found(session.scalar(visible_bodies(ws).where(Body.id == body_id)))


def get_own_body(session: Session, ws: Workspace, body_id: int) -> Body:
    """A body this workspace may change. A shared body is visible but read-only: 403."""
    body = get_body(session, ws, body_id)
    if body.workspace_id != ws.id:
        raise Forbidden(lazy("Dette organet eies av et annet fylke og kan bare endres der."))
    return body


@dataclass
class BodyNode:
    body: Body
    owned: bool
    owner: str
    current_members: int
    children: list[BodyNode] = field(default_factory=list)
    depth: int = 0


def body_tree(
    session: Session,
    ws: Workspace,
    *,
    kind: str | None = None,
    include_archived: bool = False,
) -> list[BodyNode]:
    """All visible bodies as a forest, roots sorted by name; three queries whatever the size."""
    query = visible_bodies(ws).order_by(Body.name)
    if not include_archived:
        query = query.where(Body.archived_at.is_(None))
    bodies = list(session.scalars(query))
    owners = {row[0]: row[1] for row in session.execute(select(Workspace.id, Workspace.name))}
    counts = member_counts(session, ws, [b.id for b in bodies])
    nodes = {
        b.id: BodyNode(
            body=b,
            owned=b.workspace_id == ws.id,
            owner=owners.get(b.workspace_id, ""),
            current_members=counts.get(b.id, 0),
        )
        for b in bodies
    }
    roots: list[BodyNode] = []
    for node in nodes.values():
        parent = nodes.get(node.body.parent_id) if node.body.parent_id else None
        if parent is not None:
            parent.children.append(node)
        else:
            roots.append(node)
    if kind:
        roots = [n for n in roots if n.body.kind == kind]

    def mark(node: BodyNode, depth: int) -> None:
        node.depth = depth
        for child in node.children:
            mark(child, depth + 1)

    for root in roots:
        mark(root, 0)
    return roots


def flatten(nodes: list[BodyNode]) -> list[BodyNode]:
    out: list[BodyNode] = []
    for node in nodes:
        out.append(node)
        out.extend(flatten(node.children))
    return out


def member_counts(session: Session, ws: Workspace, body_ids: list[int]) -> dict[int, int]:
    if not body_ids:
        return {}
    on = today()
    rows = session.execute(
        visible_memberships(ws)
        .with_only_columns(BodyMembership.body_id, func.count())
        .where(
            BodyMembership.body_id.in_(body_ids),
            held_on(on),
        )
        .group_by(BodyMembership.body_id)
    ).all()
    return {body_id: n for body_id, n in rows}


def _ancestors(session: Session, ws: Workspace, body_id: int | None) -> list[int]:
    seen: list[int] = []
    while body_id is not None:
        if body_id in seen:
            break
        seen.append(body_id)
        parent = session.scalar(
            scoped(Body, ws.id).where(Body.id == body_id).with_only_columns(Body.parent_id)
        )
        body_id = parent
    return seen


def _check_parent(
    session: Session, ws: Workspace, body: Body | None, parent_id: int | None
) -> None:
    if parent_id is None:
        return
    parent = session.scalar(scoped(Body, ws.id).where(Body.id == parent_id))
    if parent is None:
        raise InvalidInput({"parent_id": lazy("Overordnet organ finnes ikke i dette fylket.")})
    if body is not None and body.id in _ancestors(session, ws, parent_id):
        raise InvalidInput(
            {
                "parent_id": lazy(
                    "Et organ kan ikke ligge under seg selv eller sine egne underorganer."
                )
            }
        )


def _name_taken(session: Session, ws: Workspace, name: str, except_id: int | None) -> bool:
    # Compared in Python: SQLite's lower() folds only ASCII, and "Ørland" is "ørland".
    wanted = name.strip().casefold()
    rows = session.execute(scoped(Body, ws.id).with_only_columns(Body.id, Body.name)).all()
    return any(n.strip().casefold() == wanted and i != except_id for i, n in rows)


def _apply(body: Body, data: BodyForm) -> None:
    body.name = data.name.strip()
    body.kind = data.kind
    body.theme = data.theme
    body.parent_id = data.parent_id
    body.description = data.description
    body.purpose = data.purpose
    body.contact_name = data.contact_name
    body.contact_email = str(data.contact_email or "")
    body.contact_phone = data.contact_phone
    body.website = data.website


def create_body(session: Session, ws: Workspace, data: BodyForm) -> Body:
    _check_parent(session, ws, None, data.parent_id)
    if _name_taken(session, ws, data.name, None):
        raise InvalidInput({"name": lazy("Det finnes allerede et organ med dette navnet.")})
    body = Body(workspace_id=ws.id)
    _apply(body, data)
    session.add(body)
    session.flush()
    refresh_shares(session, ws, body)
    return body


def update_body(session: Session, ws: Workspace, body_id: int, data: BodyForm) -> Body:
    body = get_own_body(session, ws, body_id)
    _check_parent(session, ws, body, data.parent_id)
    if _name_taken(session, ws, data.name, body.id):
        raise InvalidInput({"name": lazy("Det finnes allerede et organ med dette navnet.")})
    old_root = _ancestors(session, ws, body.id)[-1]
    _apply(body, data)
    session.flush()
    refresh_shares(session, ws, body)
    if old_root != body.id:
        # The tree it left may no longer be shared with the counties this body brought in.
        root = session.scalar(scoped(Body, ws.id).where(Body.id == old_root))
        if root is not None:
            refresh_shares(session, ws, root)
    return body


def set_archived(session: Session, ws: Workspace, body_id: int, archived: bool) -> Body:
    body = get_own_body(session, ws, body_id)
    body.archived_at = utcnow() if archived else None
    session.flush()
    return body


# --- memberships ---------------------------------------------------------------------------


def _overlaps(
    a_start: date | None, a_end: date | None, b_start: date | None, b_end: date | None
) -> bool:
    lo = date.min
    hi = date.max
    return (a_start or lo) <= (b_end or hi) and (b_start or lo) <= (a_end or hi)


def _check_overlap(
    session: Session,
    ws: Workspace,
    body_id: int,
    municipality_number: str | None,
    organisation_id: int | None,
    start: date | None,
    end: date | None,
    except_id: int | None = None,
) -> None:
    query = scoped(BodyMembership, ws.id).where(BodyMembership.body_id == body_id)
    if municipality_number:
        query = query.where(BodyMembership.municipality_number == municipality_number)
    else:
        query = query.where(BodyMembership.organisation_id == organisation_id)
    for other in session.scalars(query):
        if other.id != except_id and _overlaps(start, end, other.start_date, other.end_date):
            raise InvalidInput(
                {
                    "start_date": lazy(
                        "Medlemmet er allerede med i organet i en periode som overlapper."
                    )
                }
            )


def add_membership(
    session: Session, ws: Workspace, body_id: int, data: MembershipForm
) -> BodyMembership:
    body = get_own_body(session, ws, body_id)
    if data.municipality_number and session.get(Municipality, data.municipality_number) is None:
        raise InvalidInput({"municipality_number": lazy("Kommunen finnes ikke.")})
    if data.organisation_id and session.get(Organisation, data.organisation_id) is None:
        raise InvalidInput({"organisation_id": lazy("Organisasjonen finnes ikke.")})
    _check_overlap(
        session,
        ws,
        body.id,
        data.municipality_number,
        data.organisation_id,
        data.start_date,
        data.end_date,
    )
    membership = BodyMembership(
        workspace_id=ws.id,
        body_id=body.id,
        municipality_number=data.municipality_number or None,
        organisation_id=data.organisation_id or None,
        role=data.role,
        start_date=data.start_date,
        end_date=data.end_date,
    )
    session.add(membership)
    session.flush()
    refresh_shares(session, ws, body)
    return membership


def _own_membership(
    session: Session, ws: Workspace, body_id: int, membership_id: int
) -> BodyMembership:
    get_own_body(session, ws, body_id)
    return found(
        session.scalar(
            scoped(BodyMembership, ws.id).where(
                BodyMembership.id == membership_id, BodyMembership.body_id == body_id
            )
        )
    )


def end_membership(
    session: Session, ws: Workspace, body_id: int, membership_id: int, end: date
) -> BodyMembership:
    membership = _own_membership(session, ws, body_id, membership_id)
    if membership.start_date and end < membership.start_date:
        raise InvalidInput({"end_date": lazy("Sluttdatoen kan ikke være før startdatoen.")})
    _check_overlap(
        session,
        ws,
        body_id,
        membership.municipality_number,
        membership.organisation_id,
        membership.start_date,
        end,
        except_id=membership.id,
    )
    membership.end_date = end
    session.flush()
    return membership


def delete_membership(session: Session, ws: Workspace, body_id: int, membership_id: int) -> None:
    """Remove a membership entered by mistake (a member who left gets an end date instead)."""
    membership = _own_membership(session, ws, body_id, membership_id)
    body = get_own_body(session, ws, body_id)
    session.delete(membership)
    session.flush()
    refresh_shares(session, ws, body)


def refresh_shares(session: Session, ws: Workspace, body: Body) -> None:
    """Let the workspaces of other counties read a body tree that has members from them."""
    root_id = _ancestors(session, ws, body.id)[-1]
    tree = [root_id]
    frontier = [root_id]
    while frontier:
        children = list(
            session.scalars(
                scoped(Body, ws.id).where(Body.parent_id.in_(frontier)).with_only_columns(Body.id)
            )
        )
        children = [c for c in children if c not in tree]
        tree += children
        frontier = children
    counties = set(
        session.scalars(
            scoped(BodyMembership, ws.id)
            .join(Municipality, Municipality.number == BodyMembership.municipality_number)
            .where(BodyMembership.body_id.in_(tree))
            .with_only_columns(Municipality.county_number)
            .distinct()
        )
    ) - {ws.county_number}
    existing = {
        (s.body_id, s.county_number): s
        for s in session.scalars(scoped(BodyShare, ws.id).where(BodyShare.body_id.in_(tree)))
    }
    wanted = {(b, c) for b in tree for c in counties}
    for key, share in existing.items():
        if key not in wanted:
            session.delete(share)
    # A county answers for a whole tree: a body new in a tree whose root it accepted (or
    # declined) is accepted (declined) with it; otherwise the new share waits for its answer.
    for body_id, county in wanted - set(existing):
        share = BodyShare(workspace_id=ws.id, body_id=body_id, county_number=county)
        root_share = existing.get((root_id, county))
        if root_share is not None:
            share.accepted_at = root_share.accepted_at
            share.declined_at = root_share.declined_at
        session.add(share)
    session.flush()


def list_memberships(
    session: Session,
    ws: Workspace,
    *,
    body_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
    keyed: bool = False,
    cursor: str | None = None,
) -> tuple[list[BodyMembership], int]:
    """Memberships by id; ``keyed`` (the API), from after ``cursor``, one row more than a
    page (see `app.reads.keyset`)."""
    query = visible_memberships(ws)
    if body_id is not None:
        get_body(session, ws, body_id)
        query = query.where(BodyMembership.body_id == body_id)
    total = session.scalar(query.with_only_columns(func.count())) or 0
    if keyed:
        query = keyset(query, Key.of(BodyMembership.id), cursor, limit)
    else:
        query = query.order_by(BodyMembership.id).limit(limit).offset(offset)
    rows = list(
        session.scalars(
            query.options(
                selectinload(BodyMembership.municipality),
                selectinload(BodyMembership.organisation),
            )
        )
    )
    return rows, total
