"""Secret calendar feed addresses, one house way for every module that offers one (the helpers'
visits, the scheme deadlines, the meetings).

A feed token is ``<prefix>_<workspace id>_<random>``: the prefix names the module's feed, the
workspace id tells which workspace's rows to look in (a calendar program fetches the address
with no session), and the random part is the secret. Only the token's SHA-256 hash is kept, in
the module's own tenant-owned table with ``workspace_id``, ``user_id`` and ``token_hash``
columns; a person has at most one live address per workspace and feed, and a new one replaces
the old. The address works only while its owner is an active member whose roles allow the
module's action.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import Membership, User
from app.accounts.permissions import allowed
from app.counties.models import Workspace
from app.tenancy import scoped, set_db_scope

MAX_TOKEN = 200  # longer is never one of ours: refused before any query


# A module's feed table (``CalendarFeed``, ``DeadlineFeed``, ``MeetingFeed``): tenant-owned,
# with ``id``, ``user_id`` and a unique ``token_hash`` column.
FeedTable = type[Any]


@dataclass(frozen=True)
class FeedOwner:
    """Whose feed a token opens, with the database scope already set to its workspace."""

    workspace: Workspace
    user: User
    membership: Membership


def _rows(session: Session, model: FeedTable, ws_id: int, user_id: int) -> list[Any]:
    query = scoped(model, ws_id).where(model.user_id == user_id)
    return list(session.scalars(query))


def create(session: Session, model: FeedTable, prefix: str, ws: Workspace, user_id: int) -> str:
    """A fresh secret feed token for this person in this workspace; the old one (if any) stops
    working at once. Returns the token; only its hash is stored."""
    revoke(session, model, ws, user_id)
    token = f"{prefix}_{ws.id}_{secrets.token_urlsafe(24)}"
    row = model(workspace_id=ws.id, user_id=user_id, token_hash=accounts_service.hash_token(token))
    session.add(row)
    session.flush()
    return token


rotate = create  # a new address is a rotation: the old one is gone


def revoke(session: Session, model: FeedTable, ws: Workspace, user_id: int) -> int:
    """Stop the person's feed in this workspace; how many addresses were stopped (0 or 1)."""
    rows = _rows(session, model, ws.id, user_id)
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def exists(session: Session, model: FeedTable, ws: Workspace, user_id: int) -> bool:
    """Whether the person has a live feed address in this workspace."""
    query = (
        scoped(model, ws.id).where(model.user_id == user_id).with_only_columns(model.id).limit(1)
    )
    return session.scalar(query) is not None


def workspace_id_of(token: str, prefix: str) -> int | None:
    """The workspace id a well-formed token of this feed names, else None."""
    if len(token) > MAX_TOKEN:
        return None
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != prefix or not parts[1].isdecimal() or not parts[2]:
        return None
    return int(parts[1])


def owner(
    session: Session, model: FeedTable, prefix: str, token: str, action: str
) -> FeedOwner | None:
    """Whose feed the token opens: its workspace, owner and membership, with the database scope
    set to that workspace. None for a malformed, unknown or replaced token, and while the owner
    is inactive, no longer a member, or no longer allowed ``action`` there."""
    ws_id = workspace_id_of(token, prefix)
    if ws_id is None:
        return None
    workspace = session.get(Workspace, ws_id)
    if workspace is None:
        return None
    set_db_scope(
        session, workspace_id=workspace.id, user_id=None, county_number=workspace.county_number
    )
    wanted = accounts_service.hash_token(token)
    row = session.scalar(scoped(model, workspace.id).where(model.token_hash == wanted))
    if row is None or not hmac.compare_digest(row.token_hash, wanted):
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    membership = accounts_service.get_membership(session, workspace.id, user.id)
    if membership is None or not allowed(membership.roles, action):
        return None
    return FeedOwner(workspace=workspace, user=user, membership=membership)
