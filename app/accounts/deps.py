"""Who is asking, in which workspace, with which role — as FastAPI dependencies.

The workspace comes from the URL slug, checked against the user's memberships: a workspace the
user is not a member of answers 404, exactly like one that does not exist."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import inspect
from sqlalchemy.orm import Session, joinedload

from app import logs
from app.accounts import principal as principals
from app.accounts import service, tokens
from app.accounts.models import Membership, User
from app.accounts.permissions import actions_for_roles, allowed, describe_roles
from app.accounts.principal import Principal
from app.config import get_settings
from app.counties.models import Workspace
from app.db import get_session
from app.errors import Forbidden, NotAuthenticated, NotFound
from app.i18n import lazy
from app.tenancy import note_db_scope, scoped_by_user, set_db_scope, workspace_scope_columns

SESSION_COOKIE = "samspill_session"

# scope="function": the transaction is committed as soon as the route returns, before the
# response is sent. A browser that follows a redirect never outruns the commit, and nothing is
# acknowledged that a failed commit could lose.
DbSession = Annotated[Session, Depends(get_session, scope="function")]


@dataclass(frozen=True)
class Viewer:
    """A plain snapshot of the signed-in user, safe to show after a rollback."""

    id: int
    name: str
    email: str


@dataclass
class Context:
    user: User
    workspace: Workspace
    membership: Membership
    choices: list[service.WorkspaceChoice] = field(default_factory=list)
    via_token: bool = False
    # Every workspace the user is a member of, with that membership, by workspace name: read
    # once per request with the context (the switcher and the start page use them).
    member_of: list[tuple[Membership, Workspace]] = field(default_factory=list)

    @property
    def role(self) -> str:
        """The main role (the one that binds a municipality or an organisation)."""
        return self.membership.role

    @property
    def roles(self) -> tuple[str, ...]:
        """The main role and the extra roles: the rights are their union."""
        return self.membership.roles

    def can(self, action: str) -> bool:
        return allowed(self.roles, action)

    @property
    def roles_label(self) -> str:
        """The person's roles here for the page header: "Kommune (Osen) + Hjelper"."""
        return describe_roles(self.roles, bound_name(self.membership))

    @property
    def actions(self) -> frozenset[str]:
        return actions_for_roles(self.roles)

    @property
    def principal(self) -> Principal:
        """Who is acting, for the services."""
        m = self.membership
        return principals.for_member(
            user_id=self.user.id,
            name=self.user.name,
            # A service account has no mailbox: nothing is ever sent to it (no receipts).
            email=None if self.user.is_service else self.user.email,
            role=m.role,
            municipality_number=m.municipality_number,
            organisation_id=m.organisation_id,
            extra_roles=m.extras,
        )


def bound_name(membership: Membership) -> str | None:
    """The name of the municipality or organisation the main role binds, when loaded."""
    unloaded = inspect(membership).unloaded
    for relation in ("municipality", "organisation"):
        if relation not in unloaded and (bound := getattr(membership, relation)) is not None:
            return str(bound.name)
    return None


def optional_user(request: Request, session: DbSession) -> User | None:
    cached = getattr(request.state, "user", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    resolved = service.resolve_session(session, request.cookies.get(SESSION_COOKIE), get_settings())
    if resolved is None:
        return None
    _user_session, user = resolved
    request.state.user = user
    request.state.viewer = Viewer(id=user.id, name=user.name, email=user.email)
    set_db_scope(session, workspace_id=None, user_id=user.id)
    logs.bind(user_id=user.id)
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]


async def current_user(user: OptionalUser) -> User:
    # async: no database, no trip to the thread pool (as for the role checks below)
    if user is None:
        raise NotAuthenticated()
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def member_workspaces(
    session: Session, user: User, *, scope_to: str | None = None
) -> list[tuple[Membership, Workspace]]:
    """Each membership of ``user`` with its workspace (and the municipality or organisation its
    role binds), by workspace name: one query, which serves the workspace check, the
    membership, the switcher and the start page alike. With ``scope_to`` (a workspace slug),
    on PostgreSQL the same query moves the row-level security scope to that workspace when the
    user is a member of it (``app.tenancy.workspace_scope_columns``)."""
    # The user's scope for row-level security: no round trip when this transaction has it
    # already (the session lookup set it); set again after an API token's workspace scope or a
    # transaction that ended in between.
    set_db_scope(session, workspace_id=None, user_id=user.id)
    scope = workspace_scope_columns(session, scope_to, Workspace) if scope_to else []
    rows = session.execute(
        scoped_by_user(Membership, user.id)
        .join(Workspace, Workspace.id == Membership.workspace_id)
        .add_columns(Workspace, *scope)
        .options(joinedload(Membership.municipality), joinedload(Membership.organisation))
        .order_by(Workspace.name)
    ).all()
    return [(row[0], row[1]) for row in rows]


def _load_context(session: Session, user: User, slug: str) -> Context:
    """The context of ``user`` in the workspace ``slug``: 404 for a workspace that does not
    exist and for one the user is not a member of alike. On PostgreSQL, one round trip after
    the session lookup: the memberships, which set the scope for row-level security too."""
    rows = member_workspaces(session, user, scope_to=slug)
    here = next(((m, w) for m, w in rows if w.slug == slug), None)
    if here is None:
        raise NotFound()
    membership, workspace = here
    note_db_scope(
        session,
        workspace_id=workspace.id,
        user_id=user.id,
        county_number=workspace.county_number,
    )
    set_db_scope(
        session,
        workspace_id=workspace.id,
        user_id=user.id,
        county_number=workspace.county_number,
    )
    logs.bind(user_id=user.id, workspace_id=workspace.id)
    return Context(user=user, workspace=workspace, membership=membership, member_of=rows)


def workspace_context(
    request: Request, workspace_slug: str, session: DbSession, user: CurrentUser
) -> Context:
    ctx = _load_context(session, user, workspace_slug)
    ctx.choices = [
        service.WorkspaceChoice(slug=w.slug, name=w.name, role=m.role, extras=m.extras)
        for m, w in ctx.member_of
    ]
    service.remember_workspace(user, ctx.workspace.id)
    request.state.ctx = ctx
    return ctx


def require(action: str) -> Callable[..., Awaitable[Context]]:
    """Dependency: the workspace context, if the user's role may do ``action`` there."""
    allowed("county_admin", action)  # fail at import time on a misspelt action

    async def dependency(ctx: Annotated[Context, Depends(workspace_context)]) -> Context:
        if not ctx.can(action):
            raise Forbidden()
        return ctx

    return dependency


# --- API ---------------------------------------------------------------------------------

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_ONLY = lazy("API-nøkkelen gir bare lesetilgang og kan ikke brukes til å endre noe.")


def api_user(request: Request, session: DbSession) -> tuple[User, int | None]:
    """The API caller: a bearer token (bound to one workspace) or a session cookie.

    The one place a token's scope is enforced: a read-only token is refused every write
    (403 ``read_only_token``) before any route runs, so nothing changes."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        resolved = tokens.resolve_api_token(session, header[7:].strip())
        if resolved is None:
            raise NotAuthenticated(lazy("API-nøkkelen er ugyldig eller trukket tilbake."))
        token, user = resolved
        if token.read_only and request.method not in READ_METHODS:
            raise Forbidden(READ_ONLY, code="read_only_token")
        return user, token.workspace_id
    session_user = optional_user(request, session)
    if session_user is None:
        raise NotAuthenticated()
    return session_user, None


ApiCaller = Annotated[tuple[User, int | None], Depends(api_user)]


def api_workspace_context(workspace_slug: str, session: DbSession, caller: ApiCaller) -> Context:
    user, token_workspace_id = caller
    ctx = _load_context(session, user, workspace_slug)
    if token_workspace_id is not None and token_workspace_id != ctx.workspace.id:
        raise NotFound()  # a token of another workspace sees nothing here
    ctx.via_token = token_workspace_id is not None
    return ctx


def api_require(action: str) -> Callable[..., Awaitable[Context]]:
    allowed("county_admin", action)

    async def dependency(ctx: Annotated[Context, Depends(api_workspace_context)]) -> Context:
        if not ctx.can(action):
            raise Forbidden()
        return ctx

    return dependency
