from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts import service
from app.accounts.deps import ApiCaller, Context, DbSession, api_require
from app.accounts.models import Membership
from app.accounts.one_trip import Router
from app.accounts.schemas import ExtraRolesUpdate, MemberRead, MembershipRead, MeRead
from app.errors import InvalidInput
from app.i18n import lazy
from app.reads import Cursor, Limit, Page, page_listed
from app.tenancy import set_db_scope

router = Router(tags=["accounts"])


@router.get("/me", response_model=MeRead)
def me(session: DbSession, caller: ApiCaller) -> MeRead:
    """Who am I, and in which workspaces with which role. With an API token, only the token's
    workspace is listed."""
    user, token_workspace_id = caller
    set_db_scope(session, workspace_id=token_workspace_id, user_id=user.id)
    choices = service.memberships_of(session, user)
    if token_workspace_id is not None:
        from app.counties.models import Workspace

        slug = session.get(Workspace, token_workspace_id)
        choices = [c for c in choices if slug is not None and c.slug == slug.slug]
    return MeRead(
        id=user.id,
        email=user.email,
        name=user.name,
        memberships=[
            MembershipRead(
                workspace=c.slug, workspace_name=c.name, role=c.role, roles=list(c.roles)
            )
            for c in choices
        ],
    )


UserReader = Annotated[Context, Depends(api_require("users.read"))]
RoleGiver = Annotated[Context, Depends(api_require("users.extra_roles"))]


def _member(m: Membership) -> MemberRead:
    return MemberRead(
        id=m.id,
        user_id=m.user_id,
        name=m.user.name,
        email=m.user.email,
        role=m.role,
        roles=list(m.roles),
        municipality_number=m.municipality_number,
        organisation_id=m.organisation_id,
    )


@router.get("/{workspace_slug}/members", response_model=Page[MemberRead])
def list_members(
    session: DbSession, ctx: UserReader, cursor: Cursor = None, limit: Limit = 50
) -> Page[MemberRead]:
    """The people of the workspace by name, with their roles: ``role`` is the main role,
    ``roles`` the main role and the extra roles (the rights are their union)."""
    return page_listed(
        service.list_members(session, ctx.workspace.id),
        lambda m: m,
        None,
        cursor,
        limit,
        _member,
    )


@router.put("/{workspace_slug}/members/{membership_id}/extra-roles", response_model=MemberRead)
def set_extra_roles(
    membership_id: int, body: ExtraRolesUpdate, session: DbSession, ctx: RoleGiver
) -> MemberRead:
    """Replace a member's extra roles (``helper``, ``viewer``; ``[]`` for none). 422
    ``invalid_input`` for a combination that does not fit the main role; nothing is stored."""
    if membership_id == ctx.membership.id:
        raise InvalidInput({"extra_roles": lazy("Du kan ikke endre dine egne roller.")})
    service.set_extra_roles(session, ctx.workspace, membership_id, body.extra_roles)
    return _member(service.get_member(session, ctx.workspace.id, membership_id))
