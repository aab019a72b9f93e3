"""The innovation registry: innovations and the municipalities' parts in them, adoptions
(where an innovation is taken into use — spread means in use somewhere other than where it
came from), the spread plan, sharing with every other county, and "we want this".

What a workspace sees: its own innovations and those other counties share. It changes only
its own; it records adoptions in its own rows, also of another county's shared innovation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Select,
    Text,
    and_,
    case,
    cast,
    distinct,
    func,
    literal_column,
    null,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased, selectinload

from app.accounts.principal import Principal
from app.clock import today, utcnow
from app.counties import service as counties_service
from app.counties.models import Municipality, Workspace
from app.errors import Forbidden, InvalidInput, NotFound, found
from app.i18n import lazy
from app.innovations import tally
from app.innovations.models import (
    ADOPTION_STATES,
    ROLES,
    Adoption,
    AdoptionSpread,
    Innovation,
    InnovationRole,
    SpreadTarget,
)
from app.innovations.schemas import AdoptionForm, InnovationForm, RoleForm, SpreadTargetForm
from app.reads import Key, keyset
from app.tenancy import scoped, scoped_or_shared

IN_USE = "in_use"


# --- what a workspace sees -----------------------------------------------------------------


def visible_innovations(ws: Workspace) -> Select[Any]:
    """Innovations of this workspace and those shared by other counties."""
    return scoped_or_shared(Innovation, ws.id, Innovation.shared.is_(True))


def shared_ids() -> Select[Any]:
    # Read through the scoped helper's rules: shared innovations are readable everywhere.
    return scoped_or_shared(Innovation, 0, Innovation.shared.is_(True)).with_only_columns(
        Innovation.id
    )


def visible_adoptions(ws: Workspace) -> Select[Any]:
    """Adoptions this workspace recorded, and every county's adoptions of shared innovations
    (so that they count across counties)."""
    return scoped_or_shared(Adoption, ws.id, Adoption.innovation_id.in_(shared_ids()))


def visible_tallies(ws: Workspace) -> Select[Any]:
    """The adoption tallies this workspace reads: its own, and every county's of a shared
    innovation (as with the adoptions themselves)."""
    return scoped_or_shared(AdoptionSpread, ws.id, AdoptionSpread.innovation_id.in_(shared_ids()))


def spread_count(ws: Workspace) -> Any:
    """A correlated count, per innovation of the outer query: the municipalities other than
    the origin where it is in use.

    Read from the tallies (a sum over at most one row per county). A municipality recorded by
    two counties would count twice there; with one workspace per county such a second record
    is always one of a municipality outside the recording county, so where the tallies hold
    any of those the municipalities are counted one by one instead (distinct, from the
    records)."""
    tallied = (
        # the outer innovation is one the workspace sees: its tallies are readable when they
        # are this workspace's or the innovation is shared
        scoped_or_shared(AdoptionSpread, ws.id, Innovation.shared.is_(True))
        .with_only_columns(
            case(
                (func.sum(AdoptionSpread.in_use_outside) > 0, null()),
                else_=func.coalesce(func.sum(AdoptionSpread.in_use), 0),
            )
        )
        .where(AdoptionSpread.innovation_id == Innovation.id)
        .correlate(Innovation)
        .scalar_subquery()
    )
    return func.coalesce(tallied, _distinct_spread(ws))


def with_spread(ws: Workspace, query: Select[Any]) -> tuple[Select[Any], Any]:
    """``query`` of innovations joined to their spread, and the spread column: the same count
    as :func:`spread_count`, for a list. Two grouped subqueries instead of a correlated one per
    row: the tallies summed per innovation (at most innovations × counties rows), and the
    distinct count from the records only for the innovations where a tally holds a record of
    a municipality outside its county."""
    tallied = (
        visible_tallies(ws)
        .with_only_columns(
            AdoptionSpread.innovation_id.label("innovation_id"),
            func.sum(AdoptionSpread.in_use).label("in_use"),
        )
        .group_by(AdoptionSpread.innovation_id)
        .subquery("tallied")
    )
    flagged = (
        visible_tallies(ws)
        .with_only_columns(AdoptionSpread.innovation_id)
        .where(AdoptionSpread.in_use_outside > 0)
    )
    made = aliased(Innovation, name="made")
    exact = (
        visible_adoptions(ws)
        .join(made, made.id == Adoption.innovation_id)
        .with_only_columns(
            Adoption.innovation_id.label("innovation_id"),
            func.count(distinct(Adoption.municipality_number)).label("n"),
        )
        .where(
            Adoption.innovation_id.in_(flagged),
            Adoption.status == IN_USE,
            or_(
                made.origin_municipality_number.is_(None),
                Adoption.municipality_number != made.origin_municipality_number,
            ),
        )
        .group_by(Adoption.innovation_id)
        .subquery("exact")
    )
    joined = query.outerjoin(tallied, tallied.c.innovation_id == Innovation.id).outerjoin(
        exact, exact.c.innovation_id == Innovation.id
    )
    return joined, func.coalesce(exact.c.n, tallied.c.in_use, 0)


def _distinct_spread(ws: Workspace) -> Any:
    return (
        visible_adoptions(ws)
        .with_only_columns(func.count(distinct(Adoption.municipality_number)))
        .where(
            Adoption.innovation_id == Innovation.id,
            Adoption.status == IN_USE,
            or_(
                Innovation.origin_municipality_number.is_(None),
                Adoption.municipality_number != Innovation.origin_municipality_number,
            ),
        )
        .correlate(Innovation)
        .scalar_subquery()
    )


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
    owners = _workspace_names(session, {r[0].workspace_id for r in rows})
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


def _workspace_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(
        session.execute(select(Workspace.id, Workspace.name).where(Workspace.id.in_(ids))).all()
    )


def get_innovation(session: Session, ws: Workspace, innovation_id: int) -> Innovation:
    """An innovation this workspace sees (its own or a shared one); 404 otherwise."""
    return found(
        session.scalar(
            visible_innovations(ws)
            .where(Innovation.id == innovation_id)
            .options(selectinload(Innovation.origin_municipality))
        )
    )


def own_innovation(session: Session, ws: Workspace, innovation_id: int) -> Innovation:
    """An innovation of this workspace, to change; another county's shared one is refused."""
    inn = get_innovation(session, ws, innovation_id)
    if inn.workspace_id != ws.id:
        raise Forbidden(lazy("Denne innovasjonen eies av et annet fylke og kan bare endres der."))
    return inn


def owner_name(session: Session, inn: Innovation) -> str:
    return _workspace_names(session, {inn.workspace_id}).get(inn.workspace_id, "")


def spread_of(session: Session, ws: Workspace, innovation_id: int) -> int:
    return (
        session.scalar(
            visible_innovations(ws)
            .where(Innovation.id == innovation_id)
            .with_only_columns(spread_count(ws))
        )
        or 0
    )


# --- changing an innovation ------------------------------------------------------------------


def _check_origin(session: Session, ws: Workspace, form: InnovationForm) -> None:
    errors: dict[str, Any] = {}
    if form.origin_municipality_number:
        m = session.get(Municipality, form.origin_municipality_number)
        if m is None:
            errors["origin_municipality_number"] = lazy("Ukjent kommunenummer.")
    if form.origin_body_id is not None:
        from app.networks import service as networks_service

        try:
            networks_service.get_body(session, ws, form.origin_body_id)
        except NotFound:
            errors["origin_body_id"] = lazy("Velg et råd eller nettverk i dette fylket.")
    if errors:
        raise InvalidInput(errors)


def _apply(inn: Innovation, form: InnovationForm) -> None:
    inn.title = form.title
    inn.problem = form.problem.strip()
    inn.solution = form.solution.strip()
    inn.areas = list(form.areas)
    inn.origin_municipality_number = form.origin_municipality_number
    inn.origin_body_id = form.origin_body_id
    inn.contact_name = form.contact_name.strip()
    inn.contact_email = str(form.contact_email or "")
    inn.phase = form.phase
    inn.adoption_cost = form.adoption_cost.strip()
    inn.links = [link.model_dump() for link in form.links]
    inn.internal_note = form.internal_note.strip()


def create_innovation(session: Session, ws: Workspace, form: InnovationForm) -> Innovation:
    _check_origin(session, ws, form)
    inn = Innovation(workspace_id=ws.id, shared=False)
    _apply(inn, form)
    session.add(inn)
    session.flush()
    if form.origin_municipality_number:
        session.add(
            InnovationRole(
                workspace_id=ws.id,
                innovation_id=inn.id,
                municipality_number=form.origin_municipality_number,
                role="origin",
            )
        )
        session.flush()
    return inn


def update_innovation(
    session: Session, ws: Workspace, innovation_id: int, form: InnovationForm
) -> Innovation:
    inn = own_innovation(session, ws, innovation_id)
    _check_origin(session, ws, form)
    before = inn.origin_municipality_number
    _apply(inn, form)
    session.flush()
    if inn.origin_municipality_number != before:  # the tallies count "other than the origin"
        tally.refresh(session, ws, [inn.id], origins=[before])
    return inn


def set_shared(session: Session, ws: Workspace, innovation_id: int, shared: bool) -> Innovation:
    """Share with every other county (read-only there), or stop sharing: then the adoptions
    other counties recorded stay theirs but are no longer read here or counted. The adoption
    tallies need no change: another county's tally of it is read exactly while it is shared."""
    inn = own_innovation(session, ws, innovation_id)
    inn.shared = shared
    inn.shared_at = utcnow() if shared else None
    session.flush()
    return inn


def set_archived(session: Session, ws: Workspace, innovation_id: int, archived: bool) -> Innovation:
    inn = own_innovation(session, ws, innovation_id)
    inn.archived_at = utcnow() if archived else None
    session.flush()
    return inn


# --- the municipalities' parts -----------------------------------------------------------------


def roles_of(session: Session, ws: Workspace, inn: Innovation) -> list[InnovationRole]:
    """The origin, pilots and followers (readable wherever the innovation is)."""
    query = scoped_or_shared(
        InnovationRole,
        ws.id,
        InnovationRole.innovation_id.in_(shared_ids()),
    )
    rows = session.scalars(
        query.where(InnovationRole.innovation_id == inn.id).options(
            selectinload(InnovationRole.municipality)
        )
    )
    return sorted(rows, key=lambda r: (ROLES.index(r.role), r.municipality.name))


def set_role(session: Session, ws: Workspace, innovation_id: int, form: RoleForm) -> InnovationRole:
    inn = own_innovation(session, ws, innovation_id)
    if session.get(Municipality, form.municipality_number) is None:
        raise InvalidInput({"municipality_number": lazy("Ukjent kommunenummer.")})
    row = session.scalar(
        scoped(InnovationRole, ws.id).where(
            InnovationRole.innovation_id == inn.id,
            InnovationRole.municipality_number == form.municipality_number,
        )
    )
    if row is None:
        row = InnovationRole(
            workspace_id=ws.id, innovation_id=inn.id, municipality_number=form.municipality_number
        )
        session.add(row)
    row.role = form.role
    row.spreading_role = form.spreading_role.strip()
    session.flush()
    return row


def remove_role(session: Session, ws: Workspace, innovation_id: int, role_id: int) -> None:
    inn = own_innovation(session, ws, innovation_id)
    row = found(
        session.scalar(
            scoped(InnovationRole, ws.id).where(
                InnovationRole.id == role_id, InnovationRole.innovation_id == inn.id
            )
        )
    )
    session.delete(row)
    session.flush()


# --- adoptions -------------------------------------------------------------------------------


def adoptions_of(session: Session, ws: Workspace, inn: Innovation) -> list[Adoption]:
    """Where the innovation is being taken into use: this county's records, and for a shared
    innovation every county's."""
    return list(
        session.scalars(
            visible_adoptions(ws)
            .where(Adoption.innovation_id == inn.id)
            .order_by(Adoption.status, Adoption.municipality_number)
            .options(selectinload(Adoption.municipality))
        )
    )


def may_record_adoption(p: Principal, municipality_number: str) -> bool:
    if p.can("innovations.edit"):
        return True
    return p.can("adoptions.edit_own") and p.municipality_number == municipality_number


def record_adoption(
    session: Session, ws: Workspace, p: Principal, innovation_id: int, form: AdoptionForm
) -> Adoption:
    """Record (or bring up to date) that a municipality takes the innovation into use. A
    municipal user records only their own municipality; a municipality outside the county only
    for an innovation that is shared."""
    inn = get_innovation(session, ws, innovation_id)
    if not may_record_adoption(p, form.municipality_number):
        raise Forbidden(lazy("Du kan bare registrere for din egen kommune."))
    m = session.get(Municipality, form.municipality_number)
    if m is None:
        raise InvalidInput({"municipality_number": lazy("Ukjent kommunenummer.")})
    if m.county_number != ws.county_number and not inn.shared:
        raise InvalidInput(
            {
                "municipality_number": lazy(
                    "Kommunen ligger ikke i fylket. Del innovasjonen med andre fylker først, "
                    "så kan de registrere sine kommuner."
                )
            }
        )
    row = session.scalar(
        scoped(Adoption, ws.id).where(
            Adoption.innovation_id == inn.id, Adoption.municipality_number == m.number
        )
    )
    if row is None:
        row = Adoption(workspace_id=ws.id, innovation_id=inn.id, municipality_number=m.number)
        session.add(row)
    row.status = form.status
    row.reason = form.reason.strip() if form.status == "abandoned" else ""
    row.started_on = form.started_on
    row.in_use_on = form.in_use_on or (
        today() if form.status == IN_USE and not row.in_use_on else row.in_use_on
    )
    session.flush()
    tally.refresh(session, ws, [inn.id])
    return row


def delete_adoption(session: Session, ws: Workspace, p: Principal, adoption_id: int) -> int:
    row = found(session.scalar(scoped(Adoption, ws.id).where(Adoption.id == adoption_id)))
    if not may_record_adoption(p, row.municipality_number):
        raise Forbidden(lazy("Du kan bare registrere for din egen kommune."))
    innovation_id = row.innovation_id
    session.delete(row)
    session.flush()
    tally.refresh(session, ws, [innovation_id])
    return innovation_id


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


# --- the spread plan ---------------------------------------------------------------------------


@dataclass
class TargetProgress:
    target: SpreadTarget
    name: str
    municipalities: list[str] = field(default_factory=list)  # the target's municipalities
    in_use: int = 0
    under_way: int = 0  # considering, planned, in progress


def spread_plan(session: Session, ws: Workspace, inn: Innovation) -> list[TargetProgress]:
    """The targets of this workspace's spread plan, each with how many of its municipalities
    have the innovation in use or on the way."""
    from app.networks import service as networks_service

    targets = list(
        session.scalars(
            scoped(SpreadTarget, ws.id)
            .where(SpreadTarget.innovation_id == inn.id)
            .order_by(SpreadTarget.planned_on, SpreadTarget.id)
        )
    )
    if not targets:
        return []
    status_by_municipality = {
        a.municipality_number: a.status for a in adoptions_of(session, ws, inn)
    }
    names = dict(session.execute(select(Municipality.number, Municipality.name)).all())
    members = {
        (m.body_id, m.municipality_number)
        for m in networks_service.current_members(session, ws)
        if m.municipality_number
    }
    bodies = {
        n.body.id: n.body.name
        for n in networks_service.flatten(networks_service.body_tree(session, ws))
    }
    progress = []
    for t in targets:
        if t.municipality_number:
            numbers = [t.municipality_number]
            name = names.get(t.municipality_number, t.municipality_number)
        else:
            numbers = sorted(n for b, n in members if b == t.body_id and n is not None)
            name = bodies.get(t.body_id or 0, "")
        statuses = [status_by_municipality.get(n) for n in numbers]
        progress.append(
            TargetProgress(
                target=t,
                name=name,
                municipalities=numbers,
                in_use=sum(1 for s in statuses if s == IN_USE),
                under_way=sum(
                    1 for s in statuses if s in ("considering", "planned", "in_progress")
                ),
            )
        )
    return progress


def add_target(
    session: Session, ws: Workspace, innovation_id: int, form: SpreadTargetForm
) -> SpreadTarget:
    """A target of the spread plan. Another county's shared innovation may be spread in this
    county too: the plan is this workspace's own."""
    inn = get_innovation(session, ws, innovation_id)
    if form.municipality_number and session.get(Municipality, form.municipality_number) is None:
        raise InvalidInput({"municipality_number": lazy("Ukjent kommunenummer.")})
    if form.body_id is not None:
        from app.networks import service as networks_service

        try:
            networks_service.get_body(session, ws, form.body_id)
        except NotFound:
            raise InvalidInput(
                {"body_id": lazy("Velg et råd eller nettverk i dette fylket.")}
            ) from None
    row = SpreadTarget(
        workspace_id=ws.id,
        innovation_id=inn.id,
        municipality_number=form.municipality_number,
        body_id=form.body_id,
        channel=form.channel,
        channel_note=form.channel_note.strip(),
        planned_on=form.planned_on,
    )
    session.add(row)
    session.flush()
    return row


def remove_target(session: Session, ws: Workspace, target_id: int) -> int:
    row = found(session.scalar(scoped(SpreadTarget, ws.id).where(SpreadTarget.id == target_id)))
    innovation_id = row.innovation_id
    session.delete(row)
    session.flush()
    return innovation_id


def in_use_near(
    session: Session, ws: Workspace, own: str, neighbours: list[str], limit: int = 5
) -> list[tuple[Innovation, int]]:
    """Innovations (own or shared, not archived) in use in some of ``neighbours`` and not yet
    taken up in ``own`` (no adoption of any status there), most used among them first — for a
    municipal user's start page: what their councils already use. Two bounded queries."""
    if not neighbours:
        return []
    taken_up = visible_adoptions(ws).where(Adoption.municipality_number == own)
    in_use = func.count(func.distinct(Adoption.municipality_number))
    counted = session.execute(
        visible_adoptions(ws)
        .where(
            Adoption.status == "in_use",
            Adoption.municipality_number.in_(neighbours),
            Adoption.innovation_id.not_in(taken_up.with_only_columns(Adoption.innovation_id)),
        )
        .group_by(Adoption.innovation_id)
        .with_only_columns(Adoption.innovation_id, in_use)
        .order_by(in_use.desc(), Adoption.innovation_id)
        .limit(limit * 2)  # some may be archived or no longer visible
    ).all()
    if not counted:
        return []
    found_ = {
        i.id: i
        for i in session.scalars(
            visible_innovations(ws).where(
                Innovation.id.in_([row[0] for row in counted]), Innovation.archived_at.is_(None)
            )
        )
    }
    return [(found_[i], n) for i, n in counted if i in found_][:limit]


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
