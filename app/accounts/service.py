"""Accounts: users, password login with a throttle, server-side sessions, OpenID Connect
logins and memberships (invitations and API tokens have files of their own). Flushes, never
commits."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pwdlib import PasswordHash
from sqlalchemy import ColumnElement, delete, func, or_, select, text, update
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import (
    ApiToken,
    Invitation,
    LoginAttempt,
    Membership,
    OidcLogin,
    PasswordReset,
    User,
    UserSession,
)
from app.accounts.permissions import (
    EXTRA_ROLES,
    ROLE_LABELS,
    ROLES,
    actions_for_roles,
    pack_extra_roles,
    roles_with,
    unpack_extra_roles,
)
from app.config import Settings
from app.counties.models import Municipality, Organisation, Workspace
from app.db import utcnow
from app.errors import Conflict, InvalidInput, TooManyAttempts, found
from app.i18n import _, lazy
from app.tenancy import scoped, scoped_by_user, set_db_scope

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
        for token in session.scalars(
            scoped(ApiToken, workspace_id).where(
                ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)
            )
        ):
            token.revoked_at = utcnow()
            revoked += 1
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


def resolve_session(
    session: Session, token: str | None, settings: Settings
) -> tuple[UserSession, User] | None:
    """The session and user for a cookie, or None when missing, expired or idle too long."""
    if not token:
        return None
    row = session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == hash_token(token))
    ).first()
    if row is None:
        return None
    user_session, user = row
    now = utcnow()
    idle_limit = user_session.last_seen_at + timedelta(hours=settings.session_idle_hours)
    expired = user_session.expires_at <= now or idle_limit <= now
    # A service account acts through its token only: a session of one is never honoured.
    if expired or not user.is_active or user.is_service:
        session.delete(user_session)
        session.flush()
        return None
    # Touch at most once a minute, so that a page of requests costs one write.
    if now - user_session.last_seen_at > timedelta(minutes=1):
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


def consume_oidc_login(session: Session, state: str, ttl: timedelta) -> OidcLogin | None:
    """The login in flight for ``state``, removed so that it cannot be used twice."""
    pending = session.get(OidcLogin, state)
    if pending is None:
        return None
    session.delete(pending)
    session.flush()
    if pending.created_at < utcnow() - ttl:
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


# --- memberships -------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkspaceChoice:
    slug: str
    name: str
    role: str  # the main role
    extras: tuple[str, ...] = ()

    @property
    def roles(self) -> tuple[str, ...]:
        return (self.role, *self.extras)


def memberships_of(session: Session, user: User) -> list[WorkspaceChoice]:
    """The workspaces a user belongs to (for the picker and the switcher)."""
    set_db_scope(
        session,
        workspace_id=session.info.get("workspace_id"),
        user_id=user.id,
        county_number=session.info.get("county_number"),
    )
    rows = session.execute(
        scoped_by_user(Membership, user.id)
        .join(Workspace, Workspace.id == Membership.workspace_id)
        .with_only_columns(Workspace.slug, Workspace.name, Membership.role, Membership.extra_roles)
        .order_by(Workspace.name)
    ).all()
    return [
        WorkspaceChoice(slug=s, name=n, role=r, extras=unpack_extra_roles(x)) for s, n, r, x in rows
    ]


def remember_workspace(user: User, workspace_id: int) -> None:
    """Note the workspace whose page the person opened, for their start after login. Written
    only when it changes (switching county), not on every request; not an audited change."""
    if user.last_workspace_id != workspace_id:
        user.last_workspace_id = workspace_id


def last_workspace_slug(session: Session, user: User) -> str | None:
    """The workspace the person used last, while they are still a member of it."""
    if user.last_workspace_id is None:
        return None
    return session.scalar(
        scoped_by_user(Membership, user.id)
        .join(Workspace, Workspace.id == Membership.workspace_id)
        .where(Membership.workspace_id == user.last_workspace_id)
        .with_only_columns(Workspace.slug)
    )


def get_membership(session: Session, workspace_id: int, user_id: int) -> Membership | None:
    return session.scalar(
        scoped(Membership, workspace_id)
        .where(Membership.user_id == user_id)
        .options(selectinload(Membership.municipality), selectinload(Membership.organisation))
    )


def count_members(session: Session, workspace_id: int) -> int:
    """How many people are members of the workspace (the caller has set its scope); service
    accounts are not people."""
    query = (
        scoped(Membership, workspace_id)
        .join(User, User.id == Membership.user_id)
        .where(User.is_service.is_(False))
        .with_only_columns(func.count(Membership.id))
    )
    return int(session.scalar(query) or 0)


def list_members(session: Session, workspace_id: int) -> list[Membership]:
    """The people of the workspace (not the service accounts behind its service tokens)."""
    return list(
        session.scalars(
            scoped(Membership, workspace_id)
            .join(User, User.id == Membership.user_id)
            .where(User.is_service.is_(False))
            .order_by(User.name)
            .options(
                selectinload(Membership.user),
                selectinload(Membership.municipality),
                selectinload(Membership.organisation),
            )
        )
    )


def get_member(session: Session, workspace_id: int, membership_id: int) -> Membership:
    """One membership of the workspace with its user loaded, or 404."""
    return found(
        session.scalar(
            scoped(Membership, workspace_id)
            .where(Membership.id == membership_id)
            .options(selectinload(Membership.user))
        )
    )


def members_with(
    session: Session,
    workspace_id: int,
    action: str,
    *,
    municipality_numbers: list[str] | None = None,
    organisation_ids: list[int] | None = None,
    user_ids: list[int] | None = None,
) -> list[Membership]:
    """Active members of the workspace whose main role or one of whose extra roles may do
    ``action`` (see :func:`app.accounts.permissions.roles_with`), with their user loaded, by
    name — one query.

    ``municipality_numbers`` / ``organisation_ids`` keep the members bound to those
    municipalities or organisations (given both, a member bound to either); ``user_ids`` keeps
    those people. This is how other modules find whom to notify or suggest."""
    query = (
        scoped(Membership, workspace_id)
        .join(User, User.id == Membership.user_id)
        .where(
            may_do(action),
            User.is_active.is_(True),
            User.is_service.is_(False),  # a service token's account is no one to notify
        )
        .order_by(User.name, Membership.id)
        .options(selectinload(Membership.user))
    )
    if municipality_numbers is not None or organisation_ids is not None:
        query = query.where(
            or_(
                Membership.municipality_number.in_(municipality_numbers or []),
                Membership.organisation_id.in_(organisation_ids or []),
            )
        )
    if user_ids is not None:
        query = query.where(Membership.user_id.in_(user_ids))
    return list(session.scalars(query))


def may_do(action: str) -> ColumnElement[bool]:
    """SQL: the membership's roles — main or extra — include one that may do ``action``."""
    roles = roles_with(action)
    return or_(
        Membership.role.in_(roles),
        *(
            Membership.extra_roles.contains(f",{r},", autoescape=True)
            for r in EXTRA_ROLES
            if r in roles
        ),
    )


def validate_binding(
    session: Session,
    role: str,
    municipality_number: str | None,
    organisation_id: int | None,
    county_number: str,
) -> dict[str, str]:
    """Check that a role carries what it must: a municipality or an organisation."""
    errors: dict[str, str] = {}
    if role not in ROLES:
        errors["role"] = lazy("Velg en gyldig rolle.")
        return errors
    if role == "municipal":
        if not municipality_number:
            errors["municipality_number"] = lazy("En kommunebruker må knyttes til én kommune.")
        else:
            municipality = session.get(Municipality, municipality_number)
            if municipality is None:
                errors["municipality_number"] = lazy("Kommunen finnes ikke.")
            elif municipality.county_number != county_number:
                errors["municipality_number"] = lazy("Kommunen ligger ikke i dette fylket.")
    if role == "partner":
        if not organisation_id:
            errors["organisation_id"] = lazy("En partner må knyttes til en organisasjon.")
        elif session.get(Organisation, organisation_id) is None:
            errors["organisation_id"] = lazy("Organisasjonen finnes ikke.")
    return errors


def add_membership(
    session: Session,
    workspace: Workspace,
    user: User,
    role: str,
    *,
    municipality_number: str | None = None,
    organisation_id: int | None = None,
    extra_roles: list[str] | None = None,
) -> Membership:
    """The user's membership of the workspace with this role (a member already gets the new
    role). ``extra_roles`` replace those the member held; ``None`` keeps those that still add
    something to the new role. The caller has checked them (:func:`validate_extra_roles`)."""
    membership = get_membership(session, workspace.id, user.id) or Membership(
        workspace_id=workspace.id, user_id=user.id
    )
    if extra_roles is None:
        extra_roles = _still_fitting(membership, role)
    membership.extra_roles = pack_extra_roles(extra_roles)
    return _bind(session, workspace, membership, role, municipality_number, organisation_id)


def change_role(
    session: Session,
    workspace: Workspace,
    membership_id: int,
    role: str,
    *,
    municipality_number: str | None = None,
    organisation_id: int | None = None,
    extra_roles: list[str] | None = None,
) -> Membership:
    """A member's main role (with its binding) and, when ``extra_roles`` is given, their extra
    roles (``[]`` takes them all away; ``None`` keeps those that still fit the new main role)."""
    membership = found(
        session.scalar(scoped(Membership, workspace.id).where(Membership.id == membership_id))
    )
    if extra_roles is None:
        extra_roles = _still_fitting(membership, role)
    errors = validate_binding(
        session, role, municipality_number, organisation_id, workspace.county_number
    ) or validate_extra_roles(role, extra_roles)
    if errors:
        raise InvalidInput(errors)
    membership.extra_roles = pack_extra_roles(extra_roles)
    return _bind(session, workspace, membership, role, municipality_number, organisation_id)


def _still_fitting(membership: Membership, role: str) -> list[str]:
    """The member's extra roles that still add a right to a new main ``role``."""
    main_rights = actions_for_roles((role,))
    return [r for r in membership.extras if not actions_for_roles((r,)) <= main_rights]


def set_extra_roles(
    session: Session, workspace: Workspace, membership_id: int, extra_roles: list[str]
) -> Membership:
    """Give a member these extra roles besides their main role (``[]``: none); their rights
    are the union from the next request on. :class:`InvalidInput` for a combination that does
    not fit, and nothing is changed then."""
    membership = found(
        session.scalar(scoped(Membership, workspace.id).where(Membership.id == membership_id))
    )
    errors = validate_extra_roles(membership.role, extra_roles)
    if errors:
        raise InvalidInput(errors)
    membership.extra_roles = pack_extra_roles(extra_roles)
    session.flush()
    return membership


def validate_extra_roles(role: str, extra_roles: list[str]) -> dict[str, str]:
    """Extra roles fit a main role when each is one of :data:`EXTRA_ROLES` (roles bound to
    nothing: a municipality or an organisation is bound by the main role alone), none is the
    main role, and each adds a right the other roles do not already give."""
    chosen = list(dict.fromkeys(extra_roles))
    for r in chosen:
        if r not in ROLES:
            return {"extra_roles": _("Velg en gyldig rolle.")}
        label = _(ROLE_LABELS[r])
        if r not in EXTRA_ROLES:
            return {
                "extra_roles": _(
                    "«{role}» kan bare være hovedrolle. Som tilleggsrolle kan du velge: {choices}."
                ).format(role=label, choices=", ".join(str(_(ROLE_LABELS[x])) for x in EXTRA_ROLES))
            }
        if r == role:
            return {"extra_roles": _("«{role}» er allerede hovedrollen.").format(role=label)}
    for r in chosen:
        others = actions_for_roles([role, *(x for x in chosen if x != r)])
        if actions_for_roles([r]) <= others:
            return {
                "extra_roles": _(
                    "«{role}» gir ingen rettigheter utover de andre rollene. Fjern den."
                ).format(role=_(ROLE_LABELS[r]))
            }
    return {}


def _bind(
    session: Session,
    workspace: Workspace,
    membership: Membership,
    role: str,
    municipality_number: str | None,
    organisation_id: int | None,
) -> Membership:
    """Give a membership its role, with the municipality or organisation the role is bound to;
    :class:`InvalidInput` when they do not fit (nothing is changed then)."""
    errors = validate_binding(
        session, role, municipality_number, organisation_id, workspace.county_number
    )
    if errors:
        raise InvalidInput(errors)
    membership.role = role
    membership.municipality_number = municipality_number if role == "municipal" else None
    membership.organisation_id = organisation_id if role == "partner" else None
    session.add(membership)
    session.flush()
    return membership


def remove_membership(session: Session, workspace_id: int, membership_id: int) -> None:
    membership = found(
        session.scalar(scoped(Membership, workspace_id).where(Membership.id == membership_id))
    )
    # Their API tokens for this workspace stop working with the membership.
    for token in session.scalars(
        scoped(ApiToken, workspace_id).where(
            ApiToken.user_id == membership.user_id, ApiToken.revoked_at.is_(None)
        )
    ):
        token.revoked_at = utcnow()
    session.delete(membership)
    session.flush()


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
