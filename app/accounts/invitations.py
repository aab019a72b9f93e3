"""Invitations: a county admin invites an e-mail address into the workspace with a role; the
link works once and until it expires. (A first OpenID Connect login looks for open invitations
through :func:`app.accounts.service.pending_invitations_for_email`.)"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy.orm import Session

from app.accounts.models import Invitation, User
from app.accounts.permissions import pack_extra_roles
from app.accounts.service import (
    hash_token,
    normalise_email,
    validate_binding,
    validate_extra_roles,
)
from app.config import Settings
from app.counties.models import Workspace
from app.db import utcnow
from app.errors import InvalidInput, NotFound
from app.tenancy import scoped


def create_invitation(
    session: Session,
    workspace: Workspace,
    *,
    email: str,
    role: str,
    municipality_number: str | None,
    organisation_id: int | None,
    invited_by: User,
    settings: Settings,
    extra_roles: list[str] | None = None,
) -> tuple[Invitation, str]:
    """An invitation into ``role`` (and ``extra_roles`` beside it) and the link's token."""
    errors = validate_binding(
        session, role, municipality_number, organisation_id, workspace.county_number
    ) or validate_extra_roles(role, extra_roles or [])
    if errors:
        raise InvalidInput(errors)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        workspace_id=workspace.id,
        email=normalise_email(email),
        role=role,
        extra_roles=pack_extra_roles(extra_roles or []),
        municipality_number=municipality_number if role == "municipal" else None,
        organisation_id=organisation_id if role == "partner" else None,
        token_hash=hash_token(token),
        invited_by_id=invited_by.id,
        created_at=utcnow(),
        expires_at=utcnow() + timedelta(days=settings.invitation_days),
    )
    session.add(invitation)
    session.flush()
    return invitation, token


def list_invitations(session: Session, workspace_id: int) -> list[Invitation]:
    return list(
        session.scalars(
            scoped(Invitation, workspace_id)
            .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
            .order_by(Invitation.created_at.desc())
        )
    )


def revoke_invitation(session: Session, workspace_id: int, invitation_id: int) -> None:
    invitation = session.scalar(
        scoped(Invitation, workspace_id).where(Invitation.id == invitation_id)
    )
    if invitation is None or invitation.accepted_at is not None:
        raise NotFound()
    invitation.revoked_at = utcnow()
    session.flush()


class InvitationUnusable(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def find_invitation(session: Session, workspace_id: int, token: str) -> Invitation:
    """The invitation for a link, or InvitationUnusable with a reason a person can read."""
    invitation = session.scalar(
        scoped(Invitation, workspace_id).where(Invitation.token_hash == hash_token(token))
    )
    if invitation is None or invitation.revoked_at is not None:
        raise InvitationUnusable("Invitasjonen finnes ikke eller er trukket tilbake.")
    if invitation.accepted_at is not None:
        raise InvitationUnusable("Invitasjonen er allerede brukt. Logg inn som vanlig.")
    if invitation.expires_at <= utcnow():
        raise InvitationUnusable(
            "Invitasjonen er utløpt. Be administratoren i fylkeskommunen om en ny."
        )
    return invitation
