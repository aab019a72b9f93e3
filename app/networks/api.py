"""JSON API of networks: bodies, their memberships over time, and contact persons."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from app.accounts.deps import Context, DbSession, api_require
from app.errors import Forbidden, InvalidInput, NotFound
from app.i18n import lazy
from app.networks import contacts, service
from app.networks import coverage as networks_coverage
from app.networks.models import BODY_KINDS, Body, BodyMembership, Person
from app.networks.schemas import (
    BodyForm,
    BodyPage,
    BodyRead,
    MembershipForm,
    MembershipPage,
    MembershipRead,
    PersonForm,
    PersonPage,
    PersonRead,
)
from app.reads import read

router = APIRouter(tags=["networks"])

NetworksReader = Annotated[Context, Depends(api_require("networks.read"))]
NetworksManager = Annotated[Context, Depends(api_require("networks.manage"))]
ContactsReader = Annotated[Context, Depends(api_require("contacts.read"))]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]


def _body_read(body: Body, *, owned: bool, owner: str) -> BodyRead:
    return read(
        BodyRead, body, archived=body.archived_at is not None, owned=owned, owner_workspace=owner
    )


def _membership_read(m: BodyMembership, municipality_name: str | None = None) -> MembershipRead:
    """``m.municipality`` and ``m.organisation`` must be loaded, unless the name is given."""
    if municipality_name is None and m.municipality_number:
        municipality_name = m.municipality.name if m.municipality else None
    organisation_name = None
    if m.organisation_id:
        organisation_name = m.organisation.name if m.organisation else None
    return read(
        MembershipRead,
        m,
        municipality_name=municipality_name,
        organisation_name=organisation_name,
        current=service.is_current(m),
    )


def _person_read(p: Person) -> PersonRead:
    return read(
        PersonRead,
        p,
        municipality_name=p.municipality.name,
        areas=[r.area for r in p.responsibilities],
    )


def _may_manage_contacts_of(ctx: Context, municipality_number: str) -> None:
    if not contacts.may_edit_contacts(
        ctx.can, ctx.membership.municipality_number, municipality_number
    ):
        raise Forbidden()


# --- bodies --------------------------------------------------------------------------------


@router.get("/{workspace_slug}/bodies", response_model=BodyPage)
def list_bodies(
    session: DbSession,
    ctx: NetworksReader,
    limit: Limit = 50,
    offset: Offset = 0,
    kind: str | None = None,
    include_archived: bool = False,
) -> BodyPage:
    """The bodies this workspace owns or that are shared with its county, in tree order, paged;
    ``owner_workspace`` is the owning workspace's name and ``kind`` matches at any depth."""
    if kind is not None and kind not in BODY_KINDS:
        raise InvalidInput({"kind": lazy("Velg en gyldig type.")})
    nodes = service.flatten(
        service.body_tree(session, ctx.workspace, include_archived=include_archived)
    )
    if kind is not None:
        nodes = [n for n in nodes if n.body.kind == kind]
    return BodyPage(
        items=[
            _body_read(n.body, owned=n.owned, owner=n.owner) for n in nodes[offset : offset + limit]
        ],
        total=len(nodes),
        limit=limit,
        offset=offset,
    )


@router.get("/{workspace_slug}/bodies/{body_id}", response_model=BodyRead)
def read_body(session: DbSession, ctx: NetworksReader, body_id: int) -> BodyRead:
    """One body this workspace owns or that is shared with its county."""
    detail = service.body_detail(session, ctx.workspace, body_id)
    return _body_read(detail.body, owned=detail.owned, owner=detail.owner)


@router.post("/{workspace_slug}/bodies", response_model=BodyRead, status_code=201)
def create_body(session: DbSession, ctx: NetworksManager, data: BodyForm) -> BodyRead:
    """Create a body (council, network or an inner body under a parent) in this workspace."""
    body = service.create_body(session, ctx.workspace, data)
    return _body_read(body, owned=True, owner=ctx.workspace.name)


@router.get("/{workspace_slug}/bodies/{body_id}/memberships", response_model=MembershipPage)
def list_body_memberships(
    session: DbSession,
    ctx: NetworksReader,
    body_id: int,
    limit: Limit = 50,
    offset: Offset = 0,
) -> MembershipPage:
    """The members of a body, current, upcoming and past, paged."""
    rows, total = service.list_memberships(
        session, ctx.workspace, body_id=body_id, limit=limit, offset=offset
    )
    return MembershipPage(
        items=[_membership_read(m) for m in rows], total=total, limit=limit, offset=offset
    )


@router.post(
    "/{workspace_slug}/bodies/{body_id}/memberships",
    response_model=MembershipRead,
    status_code=201,
)
def add_membership(
    session: DbSession, ctx: NetworksManager, body_id: int, data: MembershipForm
) -> MembershipRead:
    """Add a municipality or organisation to a body this workspace owns, for a period."""
    membership = service.add_membership(session, ctx.workspace, body_id, data)
    # Reload through the service so that the member's name comes with it.
    detail = service.body_detail(session, ctx.workspace, body_id)
    for m in (*detail.current, *detail.upcoming, *detail.past):
        if m.id == membership.id:
            return _membership_read(m)
    raise NotFound()  # pragma: no cover - the membership was just added


# --- contacts ------------------------------------------------------------------------------


@router.get("/{workspace_slug}/contacts", response_model=PersonPage)
def list_contacts(
    session: DbSession,
    ctx: ContactsReader,
    limit: Limit = 50,
    offset: Offset = 0,
    q: Annotated[str | None, Query(max_length=200)] = None,
    municipality: Annotated[str | None, Query(max_length=4)] = None,
    area: str | None = None,
) -> PersonPage:
    """Contact persons, searched by name, title or municipality, filtered by area, paged."""
    rows, total = contacts.search_persons(
        session,
        ctx.workspace,
        q=q,
        municipality_number=municipality,
        area=area,
        limit=limit,
        offset=offset,
    )
    return PersonPage(
        items=[_person_read(p) for p in rows], total=total, limit=limit, offset=offset
    )


@router.get("/{workspace_slug}/contacts/{person_id}", response_model=PersonRead)
def read_contact(session: DbSession, ctx: ContactsReader, person_id: int) -> PersonRead:
    """One contact person with their areas of responsibility."""
    return _person_read(contacts.get_person(session, ctx.workspace, person_id))


@router.post("/{workspace_slug}/contacts", response_model=PersonRead, status_code=201)
def create_contact(session: DbSession, ctx: ContactsReader, data: PersonForm) -> PersonRead:
    """Add a contact person; a municipal user only for their own municipality."""
    _may_manage_contacts_of(ctx, data.municipality_number)
    person = contacts.create_person(session, ctx.workspace, data)
    return _person_read(contacts.get_person(session, ctx.workspace, person.id))


@router.put("/{workspace_slug}/contacts/{person_id}", response_model=PersonRead)
def update_contact(
    session: DbSession, ctx: ContactsReader, person_id: int, data: PersonForm
) -> PersonRead:
    """Replace a contact person; a municipal user only within their own municipality."""
    current = contacts.get_person(session, ctx.workspace, person_id)
    _may_manage_contacts_of(ctx, current.municipality_number)
    _may_manage_contacts_of(ctx, data.municipality_number)
    return _person_read(contacts.update_person(session, ctx.workspace, person_id, data))


# --- municipalities ------------------------------------------------------------------------


@router.get("/{workspace_slug}/municipalities/{number}/bodies", response_model=list[MembershipRead])
def municipality_bodies(
    session: DbSession, ctx: NetworksReader, number: str
) -> list[MembershipRead]:
    """A municipality's memberships in visible bodies: current and upcoming first, then past."""
    detail = contacts.municipality_detail(session, ctx.workspace, number)
    name = detail.municipality.name
    return [_membership_read(m, municipality_name=name) for m in (*detail.current, *detail.past)]


# --- coverage ------------------------------------------------------------------------------


class CoverageRowRead(BaseModel):
    municipality_number: str
    municipality_name: str
    population: int
    size_class: int
    councils: int
    digital_networks: int
    bodies: int
    body_ids: list[int]


@router.get("/{workspace_slug}/coverage", response_model=list[CoverageRowRead])
def coverage(
    session: DbSession,
    ctx: NetworksReader,
    size_class: Annotated[int | None, Query(ge=1, le=5)] = None,
) -> list[CoverageRowRead]:
    """For each municipality of the county: how many councils, digitalisation networks and
    bodies it is in now, and which bodies."""
    cov = networks_coverage.coverage(session, ctx.workspace, size_class)
    return [
        read(
            CoverageRowRead,
            r,
            municipality_number=r.municipality.number,
            municipality_name=r.municipality.name,
            population=r.municipality.population,
            body_ids=sorted(r.member_of),
        )
        for r in cov.rows
    ]
