"""JSON API of the help corps' profiles: read and replace one helper's competences, home
municipality and organisation (coordinators anyone's, a helper their own)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pydantic import BaseModel, Field

from app.accounts.deps import Context, DbSession, api_require
from app.accounts.one_trip import Router
from app.helpdesk.helpers import service as helpers
from app.helpdesk.helpers.schemas import HelperProfileUpdate
from app.helpdesk.schemas import UserRef
from app.reads import read

router = Router(tags=["helpdesk"])

Worker = Annotated[Context, Depends(api_require("helpdesk.work"))]


class HelperProfileRead(BaseModel):
    user: UserRef
    role: str
    competences: list[str] = Field(description="Category keys the helper can help with.")
    tags: list[str] = Field(description="Free competence tags.")
    home_municipality_number: str | None
    home_municipality_name: str | None
    organisation: str
    load: int = Field(description="Open requests the helper is assigned to.")


def _read(row: helpers.HelperRow) -> HelperProfileRead:
    home = row.home_municipality
    return read(
        HelperProfileRead,
        row,
        home_municipality_number=home.number if home else None,
        home_municipality_name=home.name if home else None,
    )


@router.get("/{workspace_slug}/helpdesk/helpers/{user_id}")
def read_helper(session: DbSession, ctx: Worker, user_id: int) -> HelperProfileRead:
    """One helper's profile (coordinators: anyone's; a helper: their own)."""
    return _read(helpers.get_helper(session, ctx.workspace, ctx.principal, user_id))


@router.put("/{workspace_slug}/helpdesk/helpers/{user_id}")
def update_helper(
    session: DbSession, ctx: Worker, user_id: int, data: HelperProfileUpdate
) -> HelperProfileRead:
    """Replace a helper's profile: competences (category keys), free tags, home municipality
    (any municipality number — a mentor municipality may lie in another county) and
    organisation. Coordinators edit anyone's; a helper only their own."""
    p = ctx.principal
    helpers.save_profile(session, ctx.workspace, p, user_id, data)
    return _read(helpers.get_helper(session, ctx.workspace, p, user_id))
