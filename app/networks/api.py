"""JSON API of networks: bodies, their memberships over time, and contact persons."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import BaseModel

from app.accounts.deps import Context, DbSession, api_require
from app.accounts.one_trip import Router
from app.counties.models import Municipality
from app.errors import Forbidden, InvalidInput, NotFound
from app.i18n import lazy
from app.networks import body_detail, contacts, service
from app.networks import coverage as networks_coverage
from app.networks.models import BODY_KINDS, Body, BodyMembership, Person
from app.networks.schemas import (
    BodyForm,
    BodyRead,
    MembershipForm,
    MembershipRead,
    PersonForm,
    PersonRead,
    ShareRequestRead,
    ShareStatusRead,
)
from app.reads import (
    Cursor,
    Key,
    Limit,
    Page,
    UpdatedSince,
    page,
    page_in_memory,
    read,
    since,
    whole,
)

router = Router(tags=["networks"])

NetworksReader = Annotated[Context, Depends(api_require("networks.read"))]
NetworksManager = Annotated[Context, Depends(api_require("networks.manage"))]
ContactsReader = Annotated[Context, Depends(api_require("contacts.read"))]


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


@router.get("/{workspace_slug}/bodies", response_model=Page[BodyRead])
def list_bodies(
    session: DbSession,
    ctx: NetworksReader,
    cursor: Cursor = None,
    limit: Limit = 50,
    updated_since: UpdatedSince = None,
    kind: str | None = None,
    include_archived: bool = False,
) -> Page[BodyRead]:
    """The bodies this workspace owns or that are shared with its county, in tree order, paged;
    ``owner_workspace`` is the owning workspace's name and ``kind`` matches at any depth.
    With ``updated_since``: those changed since then, oldest change first (to sync)."""
    moment = since(updated_since)
    if kind is not None and kind not in BODY_KINDS:
        raise InvalidInput({"kind": lazy("Velg en gyldig type.")})
    nodes = service.flatten(
        service.body_tree(session, ctx.workspace, include_archived=include_archived)
    )
    if kind is not None:
        nodes = [n for n in nodes if n.body.kind == kind]

    def item(pair: tuple[int, service.BodyNode]) -> BodyRead:
        n = pair[1]
        return _body_read(n.body, owned=n.owned, owner=n.owner)

    if moment is not None:
        changed = [(i, n) for i, n in enumerate(nodes) if n.body.updated_at >= moment]
        return page_in_memory(
            changed,
            lambda p: (p[1].body.updated_at, p[1].body.id),
            (datetime, int),
            cursor,
            limit,
            item,
        )
    # Tree order: the cursor holds the place in the tree of the last body given.
    return page_in_memory(
        list(enumerate(nodes)), lambda p: (p[0], p[1].body.id), (int, int), cursor, limit, item
    )


@router.get("/{workspace_slug}/bodies/{body_id}", response_model=BodyRead)
def read_body(session: DbSession, ctx: NetworksReader, body_id: int) -> BodyRead:
    """One body this workspace owns or that is shared with its county."""
    detail = body_detail.body_detail(session, ctx.workspace, body_id)
    return _body_read(detail.body, owned=detail.owned, owner=detail.owner)


@router.get("/{workspace_slug}/bodies/{body_id}/shares", response_model=Page[ShareStatusRead])
def list_body_shares(
    session: DbSession, ctx: NetworksReader, body_id: int
) -> Page[ShareStatusRead]:
    """The counties a body of this workspace is shared with, and whether each has accepted
    (``pending``, ``accepted`` or ``declined``). Another county's body: 403."""
    body = service.get_own_body(session, ctx.workspace, body_id)
    return whole(
        [
            ShareStatusRead(county=s.county, state=s.state)
            for s in service.share_statuses(session, ctx.workspace, body)
        ]
    )


# --- share requests: bodies of other counties with municipalities of this county -------------

SHARE_STATES = ("pending", "accepted", "declined")


def _share_read(r: service.ShareRequest) -> ShareRequestRead:
    return ShareRequestRead(
        id=r.share.id,
        body_id=r.share.body_id,
        body_name=r.body_name,
        owner_workspace=r.owner,
        inner_bodies=r.inner,
        state=r.share.state,
    )


@router.get("/{workspace_slug}/body-shares", response_model=Page[ShareRequestRead])
def list_share_requests(
    session: DbSession, ctx: NetworksManager, state: str = "pending"
) -> Page[ShareRequestRead]:
    """The bodies other counties' workspaces share with this county, one per tree, in
    ``state`` (``pending`` by default): nothing of them is visible here until accepted."""
    if state not in SHARE_STATES:
        raise InvalidInput({"state": lazy("Velg venter, godtatt eller avslått.")})
    rows = service.share_requests(session, ctx.workspace, state=state)
    return whole([_share_read(r) for r in rows])


def _answer(session: DbSession, ctx: Context, share_id: int, *, accept: bool) -> ShareRequestRead:
    return _share_read(
        service.answer_share(session, ctx.workspace, share_id, accept=accept, user_id=ctx.user.id)
    )


@router.post("/{workspace_slug}/body-shares/{share_id}/accept", response_model=ShareRequestRead)
def accept_share_request(
    session: DbSession, ctx: NetworksManager, share_id: int
) -> ShareRequestRead:
    """Accept a share (with the inner bodies shared along with it): the body and its members
    become visible here, read-only. A share addressed to another county: 404."""
    return _answer(session, ctx, share_id, accept=True)


@router.post("/{workspace_slug}/body-shares/{share_id}/decline", response_model=ShareRequestRead)
def decline_share_request(
    session: DbSession, ctx: NetworksManager, share_id: int
) -> ShareRequestRead:
    """Decline a share (or withdraw an acceptance): nothing of the body is visible here."""
    return _answer(session, ctx, share_id, accept=False)


@router.post("/{workspace_slug}/bodies", response_model=BodyRead, status_code=201)
def create_body(session: DbSession, ctx: NetworksManager, data: BodyForm) -> BodyRead:
    """Create a body (council, network or an inner body under a parent) in this workspace."""
    body = service.create_body(session, ctx.workspace, data)
    return _body_read(body, owned=True, owner=ctx.workspace.name)


@router.get("/{workspace_slug}/bodies/{body_id}/memberships", response_model=Page[MembershipRead])
def list_body_memberships(
    session: DbSession,
    ctx: NetworksReader,
    body_id: int,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[MembershipRead]:
    """The members of a body, current, upcoming and past, paged."""
    rows, total = service.list_memberships(
        session, ctx.workspace, body_id=body_id, limit=limit, keyed=True, cursor=cursor
    )
    return page(rows, limit, lambda m: (m.id,), _membership_read, total=total)


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
    detail = body_detail.body_detail(session, ctx.workspace, body_id)
    for m in (*detail.current, *detail.upcoming, *detail.past):
        if m.id == membership.id:
            return _membership_read(m)
    raise NotFound()  # pragma: no cover - the membership was just added


# --- contacts ------------------------------------------------------------------------------


@router.get("/{workspace_slug}/contacts", response_model=Page[PersonRead])
def list_contacts(
    session: DbSession,
    ctx: ContactsReader,
    cursor: Cursor = None,
    limit: Limit = 50,
    updated_since: UpdatedSince = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    municipality: Annotated[str | None, Query(max_length=4)] = None,
    area: str | None = None,
) -> Page[PersonRead]:
    """Contact persons, searched by name, title or municipality, filtered by area, paged; by
    municipality and name, or with ``updated_since`` oldest change first (to sync)."""
    moment = since(updated_since)
    if moment is None:
        key = Key.of(Municipality.name, Person.name, Person.id)
        key_of: Any = lambda p: (p.municipality.name, p.name, p.id)  # noqa: E731
    else:
        key = Key.of(Person.updated_at, Person.id)
        key_of = lambda p: (p.updated_at, p.id)  # noqa: E731
    rows, total = contacts.search_persons(
        session,
        ctx.workspace,
        q=q,
        municipality_number=municipality,
        area=area,
        limit=limit,
        updated_since=moment,
        key=key,
        cursor=cursor,
    )
    return page(rows, limit, key_of, _person_read, total=total)


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


@router.get("/{workspace_slug}/municipalities/{number}/bodies", response_model=Page[MembershipRead])
def municipality_bodies(
    session: DbSession, ctx: NetworksReader, number: str
) -> Page[MembershipRead]:
    """A municipality's memberships in visible bodies: current and upcoming first, then past
    (all, on one page)."""
    detail = contacts.municipality_detail(session, ctx.workspace, number)
    name = detail.municipality.name
    memberships = (*detail.current, *detail.past)
    return whole([_membership_read(m, municipality_name=name) for m in memberships])


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


@router.get("/{workspace_slug}/coverage", response_model=Page[CoverageRowRead])
def coverage(
    session: DbSession,
    ctx: NetworksReader,
    size_class: Annotated[int | None, Query(ge=1, le=5)] = None,
) -> Page[CoverageRowRead]:
    """For each municipality of the county: how many councils, digitalisation networks and
    bodies it is in now, and which bodies (one row a municipality, all on one page)."""
    cov = networks_coverage.coverage(session, ctx.workspace, size_class)
    return whole(
        [
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
    )
