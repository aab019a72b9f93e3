"""Accounts: users, password login with a throttle, server-side sessions, OpenID Connect
logins; memberships are in ``memberships.py`` and re-exported here (invitations and API tokens
have files of their own). Flushes, never commits."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pwdlib import PasswordHash
from sqlalchemy import Engine, String, bindparam, delete, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.memberships import WorkspaceChoice as WorkspaceChoice
from app.accounts.memberships import add_membership as add_membership
from app.accounts.memberships import change_role as change_role
from app.accounts.memberships import count_members as count_members
from app.accounts.memberships import get_member as get_member
from app.accounts.memberships import get_membership as get_membership
from app.accounts.memberships import last_workspace_slug as last_workspace_slug
from app.accounts.memberships import list_members as list_members
from app.accounts.memberships import may_do as may_do
from app.accounts.memberships import member_names_with as member_names_with
from app.accounts.memberships import members_with as members_with
from app.accounts.memberships import memberships_of as memberships_of
from app.accounts.memberships import remember_workspace as remember_workspace
from app.accounts.memberships import remove_membership as remove_membership
from app.accounts.memberships import revoke_api_tokens as revoke_api_tokens
from app.accounts.memberships import set_extra_roles as set_extra_roles
from app.accounts.memberships import validate_binding as validate_binding
from app.accounts.memberships import validate_extra_roles as validate_extra_roles
from app.accounts.models import (
    Invitation,
    LoginAttempt,
    Membership,
    OidcLogin,
    PasswordReset,
    User,
    UserSession,
)
from app.accounts.permissions import unpack_extra_roles
from app.config import Settings
from app.counties.models import Workspace
from app.db import utcnow, write_aside
from app.errors import Conflict, TooManyAttempts
from app.tenancy import note_db_scope, scoped, set_db_scope, user_scope_columns

# Argon2id at argon2-cffi's recommended cost (m=64 MiB, t=3, p=4). An encoded hash carries
# its own parameters, so a hash made at any cost verifies with any argon2 hasher.
password_hash = PasswordHash.recommended()
# A hash of a random password: verifying against it costs what a real check costs, so that a
# login for an unknown e-mail takes as long as one for a known one.
_DUMMY_HASH = password_hash.hash(secrets.token_urlsafe(16))


def use_password_hasher(hasher: PasswordHash) -> None:
    """Hash and check passwords with ``hasher`` from now on in this process. For the tests,
    which use a cheap argon2; production never calls it, and no setting can lower the cost."""
    global password_hash, _DUMMY_HASH
    password_hash = hasher
    _DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


# --- users -------------------------------------------------------------------------------


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(session: Session, *, email: str, name: str, password: str | None = None) -> User:
    email = normalise_email(email)
    if get_user_by_email(session, email):
        raise Conflict("Det finnes allerede en bruker med denne e-postadressen.")
    user = User(
        email=email,
        name=name.strip(),
        password_hash=password_hash.hash(password) if password else None,
        is_active=True,
    )
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = password_hash.hash(password)


@dataclass(frozen=True)
class Deactivation:
    """What deactivating a user ended."""

    sessions: int
    api_tokens: int
    reset_links: int


def deactivate_user(session: Session, user: User) -> Deactivation:
    """The user can no longer sign in (password, OpenID Connect) or use the API: every session
    and API token ends, and open password-reset links are voided. Memberships stay, so that
    :func:`activate_user` gives back the same access."""
    set_db_scope(session, workspace_id=None, user_id=None)
    user.is_active = False
    session.flush()  # a global change, outside any workspace
    sessions = end_user_sessions(session, user.id)
    reset_links = void_password_resets(session, user.id)
    revoked = 0
    # API tokens belong to workspaces: revoke each workspace's under its own scope.
    for workspace_id in session.scalars(select(Workspace.id).order_by(Workspace.id)):
        set_db_scope(session, workspace_id=workspace_id, user_id=None)
        revoked += revoke_api_tokens(session, workspace_id, user.id)
        session.flush()
    set_db_scope(session, workspace_id=None, user_id=None)
    return Deactivation(sessions=sessions, api_tokens=revoked, reset_links=reset_links)


def activate_user(session: Session, user: User) -> None:
    """Undo :func:`deactivate_user`: the user may sign in again (revoked API tokens stay
    revoked; they make new ones)."""
    user.is_active = True
    session.flush()


def end_user_sessions(session: Session, user_id: int) -> int:
    """End every login session of a user (everywhere they are signed in); how many ended."""
    result = session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)


def void_password_resets(session: Session, user_id: int) -> int:
    """Mark a user's unused password-reset links as used; how many were open."""
    now = utcnow()
    result = session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.user_id == user_id,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(used_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- password login and the throttle -----------------------------------------------------


class LoginFailed(Exception):
    pass


def _failures_since(session: Session, settings: Settings, *conditions: Any) -> list[datetime]:
    since = utcnow() - timedelta(minutes=settings.login_failure_window_minutes)
    rows = session.scalars(
        select(LoginAttempt.created_at)
        .where(*conditions, LoginAttempt.succeeded.is_(False), LoginAttempt.created_at >= since)
        .order_by(LoginAttempt.created_at)
    )
    return list(rows)


def _wait(failures: list[datetime], limit: int, settings: Settings) -> timedelta | None:
    if len(failures) < limit:
        return None
    free_at = failures[-limit] + timedelta(minutes=settings.login_failure_window_minutes)
    return max(free_at - utcnow(), timedelta(seconds=1))


def throttle_wait(
    session: Session, email: str, settings: Settings, address: str | None = None
) -> timedelta | None:
    """How long the next attempt from ``address`` for this account must wait, or None.

    Failures count per account *and* client address, so that someone guessing from one
    address cannot lock the owner out at another; and per address across all accounts, so
    that one address cannot try account after account."""
    email = normalise_email(email)
    same_address = (
        LoginAttempt.address.is_(None) if address is None else LoginAttempt.address == address
    )
    waits = [
        _wait(
            _failures_since(session, settings, LoginAttempt.email == email, same_address),
            settings.login_max_failures,
            settings,
        )
    ]
    if address is not None:
        waits.append(
            _wait(
                _failures_since(session, settings, LoginAttempt.address == address),
                settings.login_max_failures_per_address,
                settings,
            )
        )
    found = [w for w in waits if w is not None]
    return max(found) if found else None


def authenticate(
    session: Session, email: str, password: str, settings: Settings, address: str | None = None
) -> User:
    """Check a local password from the client ``address``. Records the attempt. Raises
    TooManyAttempts or LoginFailed."""
    email = normalise_email(email)
    if session.get_bind().dialect.name == "postgresql":
        # One attempt per account at a time, so parallel guesses cannot all slip under the
        # limit. (SQLite transactions are serialised already: BEGIN IMMEDIATE.)
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"login:{email}"}
        )
    wait = throttle_wait(session, email, settings, address)
    if wait is not None:
        minutes = max(1, round(wait.total_seconds() / 60))
        raise TooManyAttempts(
            "For mange mislykkede innlogginger. Vent {minutes} minutter og prøv igjen, "
            "eller be administratoren om hjelp.",
            minutes=minutes,
        )
    user = get_user_by_email(session, email)
    ok = False
    if user and user.password_hash and user.is_active and not user.is_service:
        ok = password_hash.verify(password, user.password_hash)
    else:
        password_hash.verify(password, _DUMMY_HASH)
    session.add(LoginAttempt(email=email, succeeded=ok, address=address))
    session.flush()
    if not ok or user is None:
        raise LoginFailed()
    return user


# --- sessions ----------------------------------------------------------------------------


def start_session(
    session: Session, user: User, settings: Settings, *, method: str = "local"
) -> str:
    """Create a fresh server-side session and return the cookie value."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        UserSession(
            token_hash=hash_token(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=settings.session_absolute_days),
            login_method=method,
        )
    )
    session.flush()
    return token


@functools.cache
def _session_query(dialect: str) -> Any:
    """The statement of :func:`resolve_session`, made once per process and dialect with the
    cookie's hash as a parameter (``token_hash``): it runs on every request, and making it
    cost as much as running it. On PostgreSQL the same statement sets the row-level security
    scope for the user it finds (``app.tenancy.user_scope_columns``): no round trip of its
    own for it."""
    return (
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == bindparam("token_hash", type_=String()))
        .add_columns(*user_scope_columns(dialect, UserSession.user_id))
    )


def resolve_session(
    session: Session, token: str | None, settings: Settings
) -> tuple[UserSession, User] | None:
    """The session and user for a cookie, or None when missing, expired or idle too long."""
    if not token:
        return None
    row = session.execute(
        _session_query(session.get_bind().dialect.name), {"token_hash": hash_token(token)}
    ).first()
    if row is None:
        return None
    user_session, user = row[0], row[1]
    now = utcnow()
    idle_limit = user_session.last_seen_at + timedelta(hours=settings.session_idle_hours)
    expired = user_session.expires_at <= now or idle_limit <= now
    # A service account acts through its token only: a session of one is never honoured.
    if expired or not user.is_active or user.is_service:
        if len(row) > 2:  # the scope was set for them: nobody is signed in after all
            set_db_scope(session, workspace_id=None, user_id=None)
        session.delete(user_session)
        session.flush()
        return None
    note_db_scope(session, workspace_id=None, user_id=user.id)
    # Touch at most once a minute, so that a page of requests costs one write, and in a short
    # transaction of its own: the request stays a reader (app.db.write_aside).
    if now - user_session.last_seen_at > timedelta(minutes=1):
        bind = session.get_bind()
        if isinstance(bind, Engine):
            write_aside(
                bind,
                update(UserSession)
                .where(
                    UserSession.id == user_session.id,
                    UserSession.last_seen_at < now - timedelta(minutes=1),
                )
                .values(last_seen_at=now),
                session=session,  # a request that holds SQLite's write lock writes it itself
            )
            set_committed_value(user_session, "last_seen_at", now)
        else:  # a session bound to one connection (a test's): in its own transaction
            user_session.last_seen_at = now
    return user_session, user


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(UserSession).where(UserSession.token_hash == hash_token(token)))


# --- OpenID Connect ----------------------------------------------------------------------


def begin_oidc_login(session: Session, next_url: str | None, ttl: timedelta) -> OidcLogin:
    # Old, abandoned attempts are cleared as new ones start.
    session.execute(delete(OidcLogin).where(OidcLogin.created_at < utcnow() - ttl))
    pending = OidcLogin(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),
        next_url=next_url,
        created_at=utcnow(),
    )
    session.add(pending)
    session.flush()
    return pending


def peek_oidc_login(session: Session, state: str, ttl: timedelta) -> OidcLogin | None:
    """The login in flight for ``state``, left in place (it is consumed once the provider has
    answered: :func:`consume_oidc_login`); None when there is none or it is too old."""
    pending = session.get(OidcLogin, state)
    if pending is None or pending.created_at < utcnow() - ttl:
        return None
    return pending


def consume_oidc_login(session: Session, state: str, ttl: timedelta) -> OidcLogin | None:
    """The login in flight for ``state``, removed so that it cannot be used twice: None when
    there is none, another request removed it first, or it is too old."""
    pending = session.get(OidcLogin, state)
    if pending is None:
        return None
    removed = session.execute(delete(OidcLogin).where(OidcLogin.state == state))
    if not getattr(removed, "rowcount", 0) or pending.created_at < utcnow() - ttl:
        return None
    return pending


class AccountDeactivated(Exception):
    """The person's account exists but has been deactivated (``samspill user deactivate``)."""


def user_for_oidc_claims(
    session: Session, *, issuer: str, claims: dict[str, Any], trust_email: bool
) -> User | None:
    """The user for verified ID-token claims, or None (then the person has no access);
    :class:`AccountDeactivated` for a deactivated account.

    Known by issuer + subject. The first time, by e-mail: only an address the provider says it
    verified (or any, with trust_email) links to an existing account or to invitations, and an
    account already linked to another identity is never taken over."""
    subject = f"{issuer}|{claims['sub']}"
    user = session.scalar(select(User).where(User.oidc_subject == subject))
    if user is not None:
        if not user.is_active:
            raise AccountDeactivated()
        return user
    email = claims.get("email")
    verified = claims.get("email_verified") is True or trust_email
    if not email or not verified:
        return None
    user = get_user_by_email(session, str(email))
    if user is not None and (user.oidc_subject is not None or user.is_service):
        return None
    if user is not None and not user.is_active:
        raise AccountDeactivated()  # before anything is linked or accepted
    invitations = pending_invitations_for_email(session, str(email))
    if user is None:
        if not invitations:
            return None
        user = create_user(session, email=str(email), name=str(claims.get("name") or email))
    user.oidc_subject = subject
    session.flush()  # the global user change, outside any workspace
    for workspace, invitation in invitations:
        set_db_scope(session, workspace_id=workspace.id, user_id=user.id)
        accept_invitation(session, workspace, invitation, user)
    set_db_scope(session, workspace_id=None, user_id=user.id)
    return user


# --- invitations (the rest in app.accounts.invitations) -----------------------------------


def accept_invitation(
    session: Session, workspace: Workspace, invitation: Invitation, user: User
) -> Membership:
    membership = add_membership(
        session,
        workspace,
        user,
        invitation.role,
        municipality_number=invitation.municipality_number,
        organisation_id=invitation.organisation_id,
        extra_roles=list(unpack_extra_roles(invitation.extra_roles)),
    )
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    session.flush()
    return membership


def pending_invitations_for_email(
    session: Session, email: str
) -> list[tuple[Workspace, Invitation]]:
    """Open invitations for an e-mail address across all workspaces (first OIDC login)."""
    found: list[tuple[Workspace, Invitation]] = []
    email = normalise_email(email)
    for workspace in session.scalars(select(Workspace).order_by(Workspace.id)):
        set_db_scope(session, workspace_id=workspace.id, user_id=None)
        for invitation in session.scalars(
            scoped(Invitation, workspace.id).where(
                Invitation.email == email,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
        ):
            found.append((workspace, invitation))
    set_db_scope(session, workspace_id=None, user_id=None)
    return found
