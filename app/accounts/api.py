from __future__ import annotations

from fastapi import APIRouter

from app.accounts import service
from app.accounts.deps import ApiCaller, DbSession
from app.accounts.schemas import MembershipRead, MeRead
from app.tenancy import set_db_scope

router = APIRouter(tags=["accounts"])


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
            MembershipRead(workspace=c.slug, workspace_name=c.name, role=c.role) for c in choices
        ],
    )
