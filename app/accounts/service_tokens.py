"""Service tokens: API tokens owned by the workspace, not a person — for an integration such as a
county's case system. A county admin makes and revokes them.

Each service token acts as a service account of its own: a user row flagged ``is_service``
(no password, no OpenID identity, an address under ``.invalid``) with a membership of the
chosen role. So the role → action table, ``Principal`` and every route work unchanged, the
token is bounded by its role, and it keeps working when the admin who made it leaves (the
admin is only ``created_by_id``). A service account never signs in on the pages, is left out
of the member lists and is never notified."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.accounts import service, tokens
from app.accounts.models import ApiToken, Membership, User
from app.counties.models import Workspace
from app.db import utcnow
from app.errors import InvalidInput, found
from app.tenancy import scoped

# RFC 2606: no mail is ever delivered to an address here.
SERVICE_DOMAIN = "tjeneste.samspill.invalid"


@dataclass(frozen=True)
class ServiceToken:
    token: ApiToken
    role: str | None  # None once revoked (the membership has ended)


def create_service_token(
    session: Session,
    workspace: Workspace,
    *,
    name: str,
    role: str,
    municipality_number: str | None = None,
    organisation_id: int | None = None,
    expires_on: date | None = None,
    read_only: bool = False,
    created_by: User,
) -> tuple[ApiToken, str]:
    """A service account in ``role`` and its token (returned once). :class:`InvalidInput` when
    the role does not fit (a municipal role without its municipality); nothing is kept then."""
    errors = service.validate_binding(
        session, role, municipality_number, organisation_id, workspace.county_number
    )
    if errors:
        raise InvalidInput(errors)
    account = User(
        email=f"{secrets.token_hex(8)}@{SERVICE_DOMAIN}",
        name=name.strip(),
        password_hash=None,
        is_active=True,
        is_service=True,
    )
    session.add(account)
    session.flush()
    service.add_membership(
        session,
        workspace,
        account,
        role,
        municipality_number=municipality_number,
        organisation_id=organisation_id,
    )
    return tokens.create_api_token(
        session,
        workspace.id,
        account,
        name,
        expires_on=expires_on,
        read_only=read_only,
        created_by=created_by,
    )


def list_service_tokens(session: Session, workspace_id: int) -> list[ServiceToken]:
    rows = list(
        session.scalars(
            scoped(ApiToken, workspace_id)
            .join(User, User.id == ApiToken.user_id)
            .where(User.is_service.is_(True))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )
    memberships = session.scalars(
        scoped(Membership, workspace_id).where(Membership.user_id.in_([r.user_id for r in rows]))
    )
    roles = {m.user_id: m.role for m in memberships}
    return [ServiceToken(token=r, role=roles.get(r.user_id)) for r in rows]


def revoke_service_token(session: Session, workspace_id: int, token_id: int) -> None:
    """The token stops working, and its service account with it: the membership ends and the
    account is deactivated (what it did stays in the audit log under its name)."""
    row = found(
        session.scalar(
            scoped(ApiToken, workspace_id)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.id == token_id, User.is_service.is_(True))
        )
    )
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    membership = service.get_membership(session, workspace_id, row.user_id)
    if membership is not None:
        session.delete(membership)
    account = session.get(User, row.user_id)
    if account is not None:
        account.is_active = False
    session.flush()
