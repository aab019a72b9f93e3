"""Users, memberships, sessions, invitations, API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.permissions import EXTRA_ROLES, ROLES, unpack_extra_roles
from app.counties.models import Municipality, Organisation, Workspace
from app.db import AwareDateTime, Base, Timestamped, utcnow
from app.i18n import lazy
from app.tenancy import TenantOwned

_ROLE_LIST = ", ".join(f"'{r}'" for r in ROLES)
# extra_roles holds only known extra roles, each between commas (",helper,viewer,"), or "".
_EXTRAS_STRIPPED = "extra_roles"
for _r in EXTRA_ROLES:
    _EXTRAS_STRIPPED = f"replace({_EXTRAS_STRIPPED}, ',{_r}', '')"


class User(Timestamped, Base):
    __tablename__ = "user_account"
    __audit_label__ = lazy("Bruker")
    # Kept by opening a page, not changed by anyone: left out of the change log.
    __audit_derived__ = ("last_workspace_id",)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    # The account behind a workspace's service token (app.accounts.service_tokens): acts
    # through its token only, never signs in, and is left out of the member lists.
    is_service: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The workspace whose pages the person opened last: where they land after login.
    last_workspace_id: Mapped[int | None] = mapped_column(
        ForeignKey("workspace.id", ondelete="SET NULL")
    )


class Membership(TenantOwned, Timestamped, Base):
    """A user's roles in one workspace: the main ``role`` (which binds the municipality or the
    organisation they act for) and any ``extra_roles`` (see
    :data:`app.accounts.permissions.EXTRA_ROLES`); their rights are the union."""

    __tablename__ = "membership"
    __audit_label__ = lazy("Medlemskap")
    __table_args__ = (
        UniqueConstraint("workspace_id", "user_id"),
        CheckConstraint(f"role IN ({_ROLE_LIST})", name="role"),
        CheckConstraint(
            "(role <> 'municipal') OR (municipality_number IS NOT NULL)", name="municipal_bound"
        ),
        CheckConstraint(
            "(role <> 'partner') OR (organisation_id IS NOT NULL)", name="partner_bound"
        ),
        CheckConstraint(f"{_EXTRAS_STRIPPED} IN ('', ',')", name="extra_roles"),
        CheckConstraint("extra_roles NOT LIKE '%,' || role || ',%'", name="extra_not_main"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    # ",helper," / ",helper,viewer," / "": one column, so "who may do X" stays one query
    # (app.accounts.service.members_with) and the audit log records a change like the role's
    extra_roles: Mapped[str] = mapped_column(String(60), default="", server_default="")
    municipality_number: Mapped[str | None] = mapped_column(ForeignKey("municipality.number"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))

    user: Mapped[User] = relationship(lazy="raise")
    workspace: Mapped[Workspace] = relationship(lazy="raise")
    municipality: Mapped[Municipality | None] = relationship(lazy="raise")
    organisation: Mapped[Organisation | None] = relationship(lazy="raise")

    @property
    def extras(self) -> tuple[str, ...]:
        return unpack_extra_roles(self.extra_roles)

    @property
    def roles(self) -> tuple[str, ...]:
        """The main role first, then the extra roles."""
        return (self.role, *self.extras)


class UserSession(Base):
    """A server-side login session; the cookie holds a random token, we keep its hash."""

    __tablename__ = "user_session"
    __audit_label__ = lazy("Innloggingsøkt")

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(AwareDateTime())
    login_method: Mapped[str] = mapped_column(String(10), default="local")


class LoginAttempt(Base):
    """Failed and successful local logins, for the throttle."""

    __tablename__ = "login_attempt"
    __audit_label__ = lazy("Innloggingsforsøk")
    __table_args__ = (
        Index("ix_login_attempt_email_created", "email", "created_at"),
        Index("ix_login_attempt_address_created", "address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    # The client's address (as the trusted proxy reports it); the throttle counts per address.
    address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class OidcLogin(Base):
    """State of an OpenID Connect login in flight (state, nonce, PKCE verifier)."""

    __tablename__ = "oidc_login"
    __audit_label__ = lazy("Innlogging via identitetsleverandør")

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64))
    code_verifier: Mapped[str] = mapped_column(String(128))
    next_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class Invitation(TenantOwned, Base):
    __tablename__ = "invitation"
    __audit_label__ = lazy("Invitasjon")
    __table_args__ = (
        CheckConstraint(f"role IN ({_ROLE_LIST})", name="role"),
        CheckConstraint(f"{_EXTRAS_STRIPPED} IN ('', ',')", name="extra_roles"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[str] = mapped_column(String(20))
    # the extra roles the membership gets on acceptance, stored as on Membership
    extra_roles: Mapped[str] = mapped_column(String(60), default="", server_default="")
    municipality_number: Mapped[str | None] = mapped_column(ForeignKey("municipality.number"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(AwareDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(AwareDateTime())

    @property
    def roles(self) -> tuple[str, ...]:
        return (self.role, *unpack_extra_roles(self.extra_roles))


class ApiToken(TenantOwned, Base):
    """An API token bound to one workspace. We keep only its hash. A personal token acts as
    its user; a service token's user is a service account of the workspace (``is_service``),
    made with the token, so it outlives the admin who made it (``created_by_id``)."""

    __tablename__ = "api_token"
    __audit_label__ = lazy("API-nøkkel")

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(AwareDateTime())  # None: never
    # Reads only: every write on the API answers 403 read_only_token (app.accounts.deps).
    read_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


class PasswordReset(Base):
    """A one-time link to choose a new password (local accounts). The link carries a random
    token; we keep its hash. Used once, until it expires; a new password voids the others."""

    __tablename__ = "password_reset"
    __audit_label__ = lazy("Tilbakestilling av passord")
    __table_args__ = (Index("ix_password_reset_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(AwareDateTime())
    used_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
