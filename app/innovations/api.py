"""JSON API of the innovation registry: innovations (this county's and those shared by other
counties), the municipalities' parts, adoptions, sharing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Response
from pydantic import BaseModel

from app.accounts.deps import Context, DbSession, api_require
from app.accounts.one_trip import Router
from app.errors import InvalidInput
from app.i18n import lazy
from app.innovations import service
from app.innovations.models import ADOPTION_STATES, INNOVATION_AREAS, PHASES, Adoption, Innovation
from app.innovations.schemas import (
    AdoptionForm,
    AdoptionRead,
    InnovationForm,
    InnovationRead,
    Link,
    RoleForm,
    RoleRead,
)
from app.reads import Cursor, Key, Limit, Page, UpdatedSince, page, read, since

router = Router(tags=["innovations"])

Reader = Annotated[Context, Depends(api_require("innovations.read"))]
Editor = Annotated[Context, Depends(api_require("innovations.edit"))]


class ShareForm(BaseModel):
    shared: bool


def _read(
    session: DbSession, ctx: Context, inn: Innovation, spread: int, owner: str, *, roles: bool
) -> InnovationRead:
    own = inn.workspace_id == ctx.workspace.id
    return read(
        InnovationRead,
        inn,
        links=[Link.model_validate(link) for link in inn.links or []],
        own=own,
        owner_workspace=owner,
        spread=spread,
        internal_note=inn.internal_note if own else None,
        roles=[
            RoleRead(
                municipality_number=r.municipality_number,
                municipality_name=r.municipality.name,
                role=r.role,
                spreading_role=r.spreading_role,
            )
            for r in service.roles_of(session, ctx.workspace, inn)
        ]
        if roles
        else [],
    )


def _one(session: DbSession, ctx: Context, innovation_id: int) -> InnovationRead:
    inn = service.get_innovation(session, ctx.workspace, innovation_id)
    return _read(
        session,
        ctx,
        inn,
        service.spread_of(session, ctx.workspace, inn.id),
        service.owner_name(session, inn),
        roles=True,
    )


def _adoption_read(ctx: Context, a: Adoption) -> AdoptionRead:
    return read(
        AdoptionRead,
        a,
        municipality_name=a.municipality.name,
        county_number=a.municipality.county_number,
        own=a.workspace_id == ctx.workspace.id,
    )


@router.get("/{workspace_slug}/innovations", response_model=Page[InnovationRead])
def list_innovations(
    session: DbSession,
    ctx: Reader,
    cursor: Cursor = None,
    limit: Limit = 50,
    updated_since: UpdatedSince = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    area: Annotated[str | None, Query(max_length=30)] = None,
    phase: Annotated[str | None, Query(max_length=20)] = None,
    size_class: Annotated[int | None, Query(ge=1, le=9)] = None,
    scope: Annotated[str, Query(pattern="^(all|own|others)$")] = "all",
    near: bool = False,
) -> Page[InnovationRead]:
    """This county's innovations and those other counties share (``scope``), with their
    spread (municipalities other than the origin where each is in use); full-text search
    (Norwegian on PostgreSQL), area, phase, size class of the origin municipality, and
    ``near`` (for a municipal user: in use or made in a council or network it is in).
    Newest change first; with ``updated_since``, oldest change first (to sync)."""
    if area is not None and area not in INNOVATION_AREAS:
        raise InvalidInput({"area": lazy("Ukjent område.")})
    if phase is not None and phase not in PHASES:
        raise InvalidInput({"phase": lazy("Velg en fase i veikartet.")})
    rows, total = service.registry(
        session,
        ctx.workspace,
        ctx.principal,
        service.RegistryFilter(
            q=q,
            area=area,
            phase=phase,
            size_class=size_class,
            scope=scope,
            near=near,
            updated_since=since(updated_since),
        ),
        limit=limit,
        key=_changed_key(Innovation, updated_since),
        cursor=cursor,
    )
    return page(
        rows,
        limit,
        lambda r: (r.innovation.updated_at, r.innovation.id),
        lambda r: _read(session, ctx, r.innovation, r.spread, r.owner, roles=False),
        total=total,
    )


def _changed_key(model: Any, updated_since: datetime | None) -> Key:
    """Newest change first; when syncing (``updated_since``), oldest first."""
    return Key.of(model.updated_at, model.id, desc=updated_since is None)


@router.get("/{workspace_slug}/innovations/{innovation_id:int}", response_model=InnovationRead)
def read_innovation(session: DbSession, ctx: Reader, innovation_id: int) -> InnovationRead:
    return _one(session, ctx, innovation_id)


@router.post("/{workspace_slug}/innovations", response_model=InnovationRead, status_code=201)
def create_innovation(session: DbSession, ctx: Editor, data: InnovationForm) -> InnovationRead:
    inn = service.create_innovation(session, ctx.workspace, data)
    return _one(session, ctx, inn.id)


@router.put("/{workspace_slug}/innovations/{innovation_id:int}", response_model=InnovationRead)
def update_innovation(
    session: DbSession, ctx: Editor, innovation_id: int, data: InnovationForm
) -> InnovationRead:
    """Change an innovation of this county; another county's shared one answers 403."""
    service.update_innovation(session, ctx.workspace, innovation_id, data)
    return _one(session, ctx, innovation_id)


@router.put(
    "/{workspace_slug}/innovations/{innovation_id:int}/sharing", response_model=InnovationRead
)
def share_innovation(
    session: DbSession, ctx: Editor, innovation_id: int, data: ShareForm
) -> InnovationRead:
    """Share with every other county (read-only there), or stop sharing."""
    service.set_shared(session, ctx.workspace, innovation_id, data.shared)
    return _one(session, ctx, innovation_id)


@router.put(
    "/{workspace_slug}/innovations/{innovation_id:int}/roles", response_model=InnovationRead
)
def set_role(session: DbSession, ctx: Editor, innovation_id: int, data: RoleForm) -> InnovationRead:
    """A municipality's part: origin, pilot (with its agreed part in spreading it), follower."""
    service.set_role(session, ctx.workspace, innovation_id, data)
    return _one(session, ctx, innovation_id)


@router.get("/{workspace_slug}/adoptions", response_model=Page[AdoptionRead])
def list_adoptions(
    session: DbSession,
    ctx: Reader,
    cursor: Cursor = None,
    limit: Limit = 50,
    updated_since: UpdatedSince = None,
    municipality: Annotated[str | None, Query(max_length=4)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> Page[AdoptionRead]:
    """Adoptions this county recorded, and every county's adoptions of shared innovations;
    newest change first, with ``updated_since`` oldest first (to sync)."""
    if status is not None and status not in ADOPTION_STATES:
        raise InvalidInput({"status": lazy("Velg en gyldig status.")})
    rows, total = service.list_adoptions(
        session,
        ctx.workspace,
        municipality_number=municipality,
        status=status,
        limit=limit,
        updated_since=since(updated_since),
        key=_changed_key(Adoption, updated_since),
        cursor=cursor,
    )
    return page(
        rows, limit, lambda a: (a.updated_at, a.id), lambda a: _adoption_read(ctx, a), total=total
    )


@router.put(
    "/{workspace_slug}/innovations/{innovation_id:int}/adoptions", response_model=AdoptionRead
)
def record_adoption(
    session: DbSession, ctx: Reader, innovation_id: int, data: AdoptionForm
) -> AdoptionRead:
    """Record (or bring up to date) that a municipality takes the innovation into use. A
    municipal user records only their own municipality."""
    row = service.record_adoption(session, ctx.workspace, ctx.principal, innovation_id, data)
    rows, _total = service.list_adoptions(
        session, ctx.workspace, municipality_number=row.municipality_number, limit=200
    )
    return _adoption_read(ctx, next(a for a in rows if a.id == row.id))


@router.delete("/{workspace_slug}/adoptions/{adoption_id:int}", status_code=204)
def delete_adoption(session: DbSession, ctx: Reader, adoption_id: int) -> Response:
    service.delete_adoption(session, ctx.workspace, ctx.principal, adoption_id)
    return Response(status_code=204)


__all__ = ["RoleRead", "router"]
