"""API tokens: ``sps_<workspace id>_<secret>``, bound to one workspace, stored as a hash, shown
once; optionally with an expiry and read-only. Personal tokens here; service tokens (owned by
the workspace) in ``service_tokens``."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from sqlalchemy.orm import Session

from app.accounts.models import ApiToken, User
from app.accounts.service import hash_token
from app.clock import at
from app.db import utcnow
from app.errors import NotAuthenticated, found
from app.i18n import lazy
from app.tenancy import scoped, set_db_scope

TOKEN_PREFIX = "sps"  # noqa: S105  (a label, not a secret)


EXPIRED = lazy("API-nøkkelen har gått ut.")


def create_api_token(
    session: Session,
    workspace_id: int,
    user: User,
    name: str,
    *,
    expires_on: date | None = None,
    read_only: bool = False,
    created_by: User | None = None,
) -> tuple[ApiToken, str]:
    """A new token acting as ``user``; it stops working at the start of ``expires_on``
    (Norwegian time), and with ``read_only`` it may only read. Returns the row and the token,
    which is never shown again."""
    secret = secrets.token_urlsafe(32)
    token = f"{TOKEN_PREFIX}_{workspace_id}_{secret}"
    row = ApiToken(
        workspace_id=workspace_id,
        user_id=user.id,
        name=name.strip(),
        token_hash=hash_token(token),
        prefix=token[: len(TOKEN_PREFIX) + len(str(workspace_id)) + 6],
        created_at=utcnow(),
        expires_at=at(expires_on) if expires_on is not None else None,
        read_only=read_only,
        created_by_id=(created_by or user).id,
    )
    session.add(row)
    session.flush()
    return row, token


def list_api_tokens(session: Session, workspace_id: int, user_id: int) -> list[ApiToken]:
    return list(
        session.scalars(
            scoped(ApiToken, workspace_id)
            .where(ApiToken.user_id == user_id)
            .order_by(ApiToken.created_at.desc())
        )
    )


def revoke_api_token(session: Session, workspace_id: int, user_id: int, token_id: int) -> None:
    row = found(
        session.scalar(
            scoped(ApiToken, workspace_id).where(
                ApiToken.id == token_id, ApiToken.user_id == user_id
            )
        )
    )
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    session.flush()


def workspace_id_of_token(token: str) -> int | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1].isdecimal():
        return None
    number = int(parts[1]) if len(parts[1]) <= 10 else 0
    # A number no workspace can have (beyond the id column's range) is just a wrong token.
    return number if 0 < number <= 2**31 - 1 else None


def resolve_api_token(session: Session, token: str) -> tuple[ApiToken, User] | None:
    """The token's row and the user it acts as, or None for no such (or a revoked) token;
    :class:`NotAuthenticated` saying so for one that has expired."""
    workspace_id = workspace_id_of_token(token)
    if workspace_id is None:
        return None
    set_db_scope(session, workspace_id=workspace_id, user_id=None)
    row = session.scalar(
        scoped(ApiToken, workspace_id).where(
            ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)
        )
    )
    if row is None:
        return None
    now = utcnow()
    if row.expired(now):
        raise NotAuthenticated(EXPIRED)
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        row.last_used_at = now
    return row, user
