"""The innovation registry: innovations and the municipalities' parts in them, adoptions
(where an innovation is taken into use — spread means in use somewhere other than where it
came from), the spread plan, sharing with every other county, and "we want this".

What a workspace sees: its own innovations and those other counties share. It changes only
its own; it records adoptions in its own rows, also of another county's shared innovation.

The registry's lists are in `app.innovations.listing`, what a workspace sees (and the spread
count) in `app.innovations.visibility`; both are re-exported here, where callers find them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, literal, select, union_all
from sqlalchemy.orm import Session, selectinload

from app.accounts.principal import Principal
from app.clock import today, utcnow
from app.counties.models import Municipality, Workspace
from app.errors import Forbidden, InvalidInput, NotFound, found
from app.i18n import lazy
from app.innovations import tally
from app.innovations.listing import InnovationRow as InnovationRow
from app.innovations.listing import RegistryFilter as RegistryFilter
from app.innovations.listing import list_adoptions as list_adoptions
from app.innovations.listing import neighbours as neighbours
from app.innovations.listing import registry as registry
from app.innovations.listing import to_spread_among as to_spread_among
from app.innovations.models import (
    ROLES,
    Adoption,
    Innovation,
    InnovationRole,
    SpreadTarget,
)
from app.innovations.schemas import AdoptionForm, InnovationForm, RoleForm, SpreadTargetForm
from app.innovations.visibility import IN_USE as IN_USE
from app.innovations.visibility import shared_ids as shared_ids
from app.innovations.visibility import spread_count as spread_count
from app.innovations.visibility import visible_adoptions as visible_adoptions
from app.innovations.visibility import visible_innovations as visible_innovations
from app.innovations.visibility import visible_tallies as visible_tallies
from app.innovations.visibility import with_spread as with_spread
from app.innovations.visibility import workspace_names
from app.tenancy import SCOPE_OPTION, require_scoped, scoped, scoped_or_shared

# --- one innovation ----------------------------------------------------------------------------


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
    return workspace_names(session, {inn.workspace_id}).get(inn.workspace_id, "")


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


# --- in use among the neighbours (each person's start page) --------------------------------------


@dataclass(frozen=True)
class InUseNear:
    """An innovation in use among a municipality's neighbours (plain values, read only)."""

    innovation_id: int
    title: str
    used: int  # how many of the neighbours use it


def in_use_near_query(ws: Workspace, own: str, neighbours: Any, limit: int) -> Select[Any]:
    """What a municipal user's start page shows of their neighbours' innovations, in ``ws``,
    as one select of (id, title, how many use it), most used first: innovations (own or
    shared, not archived) in use in some of ``neighbours`` (a list, or a select of municipality
    numbers) and not yet taken up in ``own`` (no adoption of any status there). The adoptions
    are counted first and only the ``2 * limit`` most used are looked up."""
    taken_up = visible_adoptions(ws).where(Adoption.municipality_number == own)
    in_use = func.count(func.distinct(Adoption.municipality_number))
    counted = (
        visible_adoptions(ws)
        .where(
            Adoption.status == IN_USE,
            Adoption.municipality_number.in_(neighbours),
            Adoption.innovation_id.not_in(taken_up.with_only_columns(Adoption.innovation_id)),
        )
        .group_by(Adoption.innovation_id)
        .with_only_columns(Adoption.innovation_id.label("innovation_id"), in_use.label("used"))
        .order_by(in_use.desc(), Adoption.innovation_id)
        .limit(limit * 2)  # some may be archived or no longer visible
        .subquery()
    )
    return (
        visible_innovations(ws)
        .join(counted, counted.c.innovation_id == Innovation.id)
        .where(Innovation.archived_at.is_(None))
        .with_only_columns(Innovation.id, Innovation.title, counted.c.used)
        .order_by(counted.c.used.desc(), Innovation.id)
        .limit(limit)
    )


def in_use_near_in(
    session: Session, wanted: Sequence[tuple[Workspace, str, Any]], limit: int = 5
) -> dict[int, list[InUseNear]]:
    """:func:`in_use_near_query` in each of several workspaces — ``wanted`` holds (workspace, own
    municipality, neighbours) — by workspace id, in one query whatever their number (a UNION
    ALL of one limited part per workspace; each person's start page reads all their
    workspaces at once)."""
    parts = []
    for ws, own, near in wanted:
        one = require_scoped(in_use_near_query(ws, own, near, limit)).subquery()
        parts.append(select(one.c.id, one.c.title, one.c.used, literal(ws.id).label("ws")))
    if not parts:
        return {}
    both = union_all(*parts).subquery()
    out: dict[int, list[InUseNear]] = {ws.id: [] for ws, _own, _near in wanted}
    query = (
        select(both.c.id, both.c.title, both.c.used, both.c.ws)
        .order_by(both.c.ws, both.c.used.desc(), both.c.id)
        # each part was checked above: the workspaces' own rows and what every county shares
        .execution_options(**{SCOPE_OPTION: ("workspaces", tuple(out))})
    )
    for innovation_id, title, used, ws_id in session.execute(query):
        out[ws_id].append(InUseNear(innovation_id, title, used))
    return out
