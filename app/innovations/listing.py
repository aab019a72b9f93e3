"""Lists of the innovation registry: the registry page (filtered, the API's keyset pages),
the adoptions, and what other parts show of it — innovations in use near a municipality,
and those still to spread among a council's members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Text, and_, cast, func, literal_column, or_
from sqlalchemy.orm import Session, selectinload

from app.accounts.principal import Principal
from app.counties import service as counties_service
from app.counties.models import Municipality, Workspace
from app.innovations.models import ADOPTION_STATES, Adoption, Innovation
from app.innovations.visibility import (
    IN_USE,
    visible_adoptions,
    visible_innovations,
    with_spread,
    workspace_names,
)
from app.reads import Key, keyset


@dataclass
class RegistryFilter:
    q: str | None = None
    area: str | None = None
    phase: str | None = None
    size_class: int | None = None  # of the origin municipality
    near: bool = False  # in use (or made) in a council or network the viewer's municipality is in
    scope: str = "all"  # all | own | others
    include_archived: bool = False
    updated_since: datetime | None = None


@dataclass
class InnovationRow:
    innovation: Innovation
    spread: int
    own: bool
    owner: str
    origin_name: str | None


def _search(session: Session, query: Select[Any], q: str) -> Select[Any]:
    if session.get_bind().dialect.name == "postgresql":
        vector: Any = literal_column("innovation.search_vector")
        return query.where(vector.op("@@")(func.websearch_to_tsquery("norwegian", q)))
    conditions = []
    for word in q.lower().split()[:8]:
        like = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(
                func.lower(Innovation.title).like(like, escape="\\"),
                func.lower(Innovation.problem).like(like, escape="\\"),
                func.lower(Innovation.solution).like(like, escape="\\"),
            )
        )
    return query.where(and_(*conditions))


def neighbours(session: Session, ws: Workspace, municipality_number: str) -> set[str]:
    """The municipalities that sit in a council or network with this one today (itself too)."""
    from app.networks import service as networks_service

    bodies = {
        m.body_id
        for m in networks_service.current_members(
            session, ws, municipality_number=municipality_number
        )
    }
    found_numbers = {municipality_number}
    for body_id in bodies:
        for m in networks_service.current_members(session, ws, body_id=body_id):
            if m.municipality_number:
                found_numbers.add(m.municipality_number)
    return found_numbers


def registry(
    session: Session,
    ws: Workspace,
    p: Principal,
    f: RegistryFilter | None = None,
    *,
    limit: int = 50,
    offset: int = 0,
    key: Key | None = None,
    cursor: str | None = None,
) -> tuple[list[InnovationRow], int]:
    """A page of the registry with each innovation's spread, and how many there are. For a
    municipal user, examples from municipalities of a size like their own come first; with
    ``key`` (the API), in that order instead, from after ``cursor``, one row more than a
    page (see `app.reads.keyset`)."""
    f = f or RegistryFilter()
    query = visible_innovations(ws)
    if f.updated_since is not None:
        query = query.where(Innovation.updated_at >= f.updated_since)
    if f.scope == "own":
        query = query.where(Innovation.workspace_id == ws.id)
    elif f.scope == "others":
        query = query.where(Innovation.workspace_id != ws.id)
    if not f.include_archived:
        query = query.where(Innovation.archived_at.is_(None))
    if f.phase:
        query = query.where(Innovation.phase == f.phase)
    if f.q:
        query = _search(session, query, f.q)
    if f.area:
        # JSON lists differ between the databases; a LIKE on the stored text works in both.
        query = query.where(cast(Innovation.areas, Text).like(f'%"{f.area}"%'))
    origin = Municipality
    query = query.outerjoin(origin, origin.number == Innovation.origin_municipality_number)
    if f.size_class:
        classes = counties_service.size_classes(counties_service.settings_of(ws))
        chosen = next((c for c in classes if c.index == f.size_class), None)
        if chosen is not None:
            if chosen.lower is not None:
                query = query.where(origin.population >= chosen.lower)
            if chosen.upper is not None:
                query = query.where(origin.population < chosen.upper)
    if f.near and p.municipality_number:
        near = neighbours(session, ws, p.municipality_number)
        in_use_near = (
            visible_adoptions(ws)
            .with_only_columns(Adoption.innovation_id)
            .where(Adoption.status == IN_USE, Adoption.municipality_number.in_(near))
        )
        query = query.where(
            or_(Innovation.origin_municipality_number.in_(near), Innovation.id.in_(in_use_near))
        )
    total = session.scalar(query.with_only_columns(func.count(Innovation.id))) or 0
    query, spread_column = with_spread(ws, query)
    spread = spread_column.label("spread")
    query = query.add_columns(spread, origin.name)
    if key is not None:
        query = keyset(query, key, cursor, limit)
    else:
        order: list[Any] = []
        if p.municipality_number:
            mine = session.get(Municipality, p.municipality_number)
            if mine is not None:
                order.append(func.abs(func.coalesce(origin.population, 10**7) - mine.population))
        order += [spread.desc(), Innovation.updated_at.desc(), Innovation.id.desc()]
        query = query.order_by(*order).limit(limit).offset(offset)
    rows = session.execute(query).all()
    owners = workspace_names(session, {r[0].workspace_id for r in rows})
    return [
        InnovationRow(
            innovation=inn,
            spread=count or 0,
            own=inn.workspace_id == ws.id,
            owner=owners.get(inn.workspace_id, ""),
            origin_name=origin_name,
        )
        for inn, count, origin_name in rows
    ], total


def list_adoptions(
    session: Session,
    ws: Workspace,
    *,
    municipality_number: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
    updated_since: datetime | None = None,
    key: Key | None = None,
    cursor: str | None = None,
) -> tuple[list[Adoption], int]:
    """Adoptions, newest change first; with ``key`` (the API), in that order from after
    ``cursor``, one row more than a page (see `app.reads.keyset`)."""
    query = visible_adoptions(ws)
    if updated_since is not None:
        query = query.where(Adoption.updated_at >= updated_since)
    if municipality_number:
        query = query.where(Adoption.municipality_number == municipality_number)
    if status in ADOPTION_STATES:
        query = query.where(Adoption.status == status)
    total = session.scalar(query.with_only_columns(func.count(Adoption.id))) or 0
    if key is not None:
        query = keyset(query, key, cursor, limit)
    else:
        query = query.order_by(Adoption.updated_at.desc(), Adoption.id.desc())
        query = query.limit(limit).offset(offset)
    loads = (selectinload(Adoption.municipality), selectinload(Adoption.innovation))
    rows = list(session.scalars(query.options(*loads)))
    return rows, total


def to_spread_among(
    session: Session, ws: Workspace, municipality_numbers: list[str], limit: int = 20
) -> list[tuple[Innovation, int]]:
    """Shared innovations (of any county, not archived) that are not yet in use in all of
    these municipalities, with how many of them use each — for another module: the standing
    item "innovations to spread" of a council's meeting. Most used among them first; one
    query, at most ``limit`` rows, whatever the size of the registry."""
    if not municipality_numbers:
        return []
    in_use = (
        visible_adoptions(ws)
        .where(
            Adoption.status == "in_use",
            Adoption.municipality_number.in_(municipality_numbers),
        )
        .group_by(Adoption.innovation_id)
        .with_only_columns(
            Adoption.innovation_id.label("innovation_id"),
            func.count(func.distinct(Adoption.municipality_number)).label("used"),
        )
        .subquery()
    )
    used = func.coalesce(in_use.c.used, 0)
    rows = session.execute(
        visible_innovations(ws)
        .where(Innovation.shared.is_(True), Innovation.archived_at.is_(None))
        .outerjoin(in_use, in_use.c.innovation_id == Innovation.id)
        .where(used < len(set(municipality_numbers)))
        .add_columns(used)
        .order_by(used.desc(), Innovation.title, Innovation.id)
        .limit(limit)
    ).all()
    return [(inn, int(n)) for inn, n in rows]
