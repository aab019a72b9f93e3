"""Who is asking, in which workspace, with which role — as FastAPI dependencies.

The workspace comes from the URL slug, checked against the user's memberships: a workspace the
user is not a member of answers 404, exactly like one that does not exist."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Integer, String, bindparam, inspect
from sqlalchemy.orm import Session, joinedload

from app import logs
from app.accounts import principal as principals
from app.accounts import service, tokens
from app.accounts.models import Membership, User
from app.accounts.permissions import (
    actions_for_roles,
    allowed,
    describe_roles,
    unpack_extra_roles,
)
from app.accounts.principal import Principal
from app.config import get_settings
from app.counties.models import Workspace
from app.db import get_session
from app.errors import Forbidden, NotAuthenticated, NotFound
from app.i18n import lazy
from app.notifications import service as notifications
from app.tenancy import note_db_scope, scoped_by_user, set_db_scope, workspace_scope_columns

SESSION_COOKIE = "samspill_session"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# scope="function": the transaction is committed as soon as the route returns, before the
# response is sent. A browser that follows a redirect never outruns the commit, and nothing is
# acknowledged that a failed commit could lose.
DbSession = Annotated[Session, Depends(get_session, scope="function")]


# --- the set-up in the route's own trip ---------------------------------------------------


class Pending:
    """What a dependency of this module answers in place of a value it would need the database
    for, on a route of :class:`app.accounts.one_trip.OneTripRoute`: that route finds the value
    in its own trip to the thread pool, just before it runs, and passes it on. ``kind`` says
    which value: "page" (the workspace context of a page), "user" (the signed-in user, or
    None), "caller" (an API caller) or "api" (the API caller's workspace context)."""

    __slots__ = ("kind",)

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __repr__(self) -> str:
        return f"Pending({self.kind!r})"


@dataclass
class Setup:
    """What a request on a :class:`~app.accounts.one_trip.OneTripRoute` asked its dependencies
    for and has not been found yet: filled in by the dependencies (on the event loop, no
    database), found by :func:`app.accounts.one_trip.find` in the route's trip, in this order:
    the rate limit's count, the API caller and context, the page's context, the user."""

    count: Any = None  # the rate limiter (app.ratelimit.Limiter) when the request is counted
    api: bool = False  # the API caller is wanted
    api_slug: str | None = None  # ... under /api/v1/{workspace_slug}/: with its context
    api_context_slug: str | None = None  # the API caller's context is wanted here
    api_actions: list[str] = field(default_factory=list)  # ... if they may do these
    page_slug: str | None = None  # the page's workspace context is wanted
    page_actions: list[str] = field(default_factory=list)  # ... if they may do these
    user: bool = False  # the signed-in user (or None) is wanted
    user_required: bool = False  # ... and None is refused (401)
    session: Any = None  # the request's session, which the dependencies were given
    found: bool = False  # app.accounts.one_trip.find ran


SETUP = "samspill.setup"  # the request's Setup, in its ASGI scope


def deferred_setup(request: Request) -> Setup | None:
    """The request's :class:`Setup`, made at the first call, when its route finds the set-up
    in its own trip (``defers_setup``); else None: the dependency finds its value itself."""
    setup = request.scope.get(SETUP)
    if setup is None and getattr(request.scope.get("route"), "defers_setup", False):
        setup = request.scope[SETUP] = Setup()
    return setup  # type: ignore[no-any-return]


def defers(function: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a dependency that answers a :class:`Pending` when the set-up is deferred, or takes
    one and passes it on (or keeps it, and reads the context from ``request.state.ctx`` once
    the route runs): :class:`~app.accounts.one_trip.OneTripRoute` defers a route's set-up
    only when every dependency that takes such a value is marked so."""
    function.defers_setup = True  # type: ignore[attr-defined]
    return function


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
    # The header bell's count of unread notifications, when the set-up read it (a full page).
    unread: int | None = None

    @property
    def role(self) -> str:
        """The main role (the one that binds a municipality or an organisation)."""
        return self.membership.role

    @property
    def roles(self) -> tuple[str, ...]:
        """The main role and the extra roles: the rights are their union."""
        return self.membership.roles

    def can(self, action: str) -> bool:
        # Asked some twenty times a page (the menu, the buttons): the answer for a pair of role
        # and extra roles is the same for every request, so it is worked out once per process.
        m = self.membership
        return _can(m.role, m.extra_roles, action)

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


@functools.lru_cache(maxsize=4096)
def _can(role: str, extra_roles: str, action: str) -> bool:
    """:func:`app.accounts.permissions.allowed` for a membership's main role and its extra roles
    as stored (a KeyError for an unknown action, never kept)."""
    return allowed((role, *unpack_extra_roles(extra_roles)), action)


def bound_name(membership: Membership) -> str | None:
    """The name of the municipality or organisation the main role binds, when loaded."""
    unloaded = inspect(membership).unloaded
    for relation in ("municipality", "organisation"):
        if relation not in unloaded and (bound := getattr(membership, relation)) is not None:
            return str(bound.name)
    return None


def optional_user(request: Request, session: Session) -> User | None:
    """The signed-in user of ``request`` (its session cookie), or None; found once per request
    (``request.state.user``). Sync: called inside a trip to the thread pool."""
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


def _needs_lookup(request: Request) -> bool:
    """Whether finding the user takes the database: not when it is known already, nor when
    there is no session cookie (nobody is signed in)."""
    return getattr(request.state, "user", None) is None and bool(
        request.cookies.get(SESSION_COOKIE)
    )


async def signed_in_user(request: Request, session: DbSession) -> User | None:
    """Dependency: :func:`optional_user`, in one trip to the thread pool only when the database
    is needed (``async``: a dependency that is a plain ``def`` costs a trip every time)."""
    if not _needs_lookup(request):
        return getattr(request.state, "user", None)
    setup = deferred_setup(request)
    if setup is not None:
        setup.user, setup.session = True, session
        return _pending("user")
    return await run_in_threadpool(optional_user, request, session)


defers(signed_in_user)
OptionalUser = Annotated[User | None, Depends(signed_in_user)]


def _pending(kind: str) -> Any:
    """A :class:`Pending` where a dependency's value is declared (its route finds the value)."""
    return Pending(kind)


@defers
async def current_user(request: Request, user: OptionalUser) -> User:
    # async: no database, no trip to the thread pool (as for the role checks below)
    if isinstance(user, Pending):
        setup = deferred_setup(request)
        assert setup is not None
        setup.user_required = True
        return user  # type: ignore[unreachable]
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
    rows, _unread = _memberships(session, user, scope_to=scope_to, bell=False)
    return rows


@functools.cache
def _memberships_query(dialect: str, bell: bool, scoped_to: bool) -> Any:
    """The statement of :func:`_memberships`, made once per process for each kind of request
    (database dialect, bell, workspace) with the person (``user_id``) and the workspace's slug
    (``slug``) as parameters: it runs on every request, and making it anew cost as much as
    running it."""
    user_id: Any = bindparam("user_id", type_=Integer())
    scope = (
        workspace_scope_columns(dialect, bindparam("slug", type_=String()), Workspace)
        if scoped_to
        else []
    )
    unread = [notifications.unread_count_column(user_id)] if bell else []
    return (
        scoped_by_user(Membership, user_id)
        .join(Workspace, Workspace.id == Membership.workspace_id)
        .add_columns(Workspace, *unread, *scope)
        .options(joinedload(Membership.municipality), joinedload(Membership.organisation))
        .order_by(Workspace.name)
    )


def _memberships(
    session: Session, user: User, *, scope_to: str | None, bell: bool
) -> tuple[list[tuple[Membership, Workspace]], int | None]:
    """:func:`member_workspaces`, and with ``bell`` the person's unread notifications for the
    header's bell, counted in the same statement (``notifications.unread_count_column``): a
    full page then asks nothing more for its header."""
    # The user's scope for row-level security: no round trip when this transaction has it
    # already (the session lookup set it); set again after an API token's workspace scope or a
    # transaction that ended in between.
    set_db_scope(session, workspace_id=None, user_id=user.id)
    query = _memberships_query(session.get_bind().dialect.name, bell, scope_to is not None)
    values: dict[str, Any] = {"user_id": user.id}
    if scope_to is not None:
        values["slug"] = scope_to
    rows = session.execute(query, values).all()
    count = int(rows[0][2] or 0) if bell and rows else None
    return [(row[0], row[1]) for row in rows], count


def _load_context(session: Session, user: User, slug: str, *, bell: bool = False) -> Context:
    """The context of ``user`` in the workspace ``slug``: 404 for a workspace that does not
    exist and for one the user is not a member of alike. On PostgreSQL, one round trip after
    the session lookup: the memberships, which set the scope for row-level security too. With
    ``bell``, the context's ``unread`` is the bell's count, from the same statement."""
    rows, unread = _memberships(session, user, scope_to=slug, bell=bell)
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
    return Context(
        user=user, workspace=workspace, membership=membership, member_of=rows, unread=unread
    )


def page_context(request: Request, session: Session, workspace_slug: str) -> Context:
    """The signed-in user (401 when nobody is) and their context in ``workspace_slug`` (404
    when they are no member there), for a page: sync, the whole set-up of a page request in
    one trip to the thread pool."""
    user = optional_user(request, session)
    if user is None:
        raise NotAuthenticated()
    # A full page (not an htmx fragment, not a form post) shows the bell: its count comes
    # with the memberships, in the same statement.
    full_page = request.method in READ_METHODS and request.headers.get("HX-Request") != "true"
    ctx = _load_context(session, user, workspace_slug, bell=full_page)
    if ctx.unread is not None:
        request.state.unread_notifications = ctx.unread
    ctx.choices = [
        service.WorkspaceChoice(slug=w.slug, name=w.name, role=m.role, extras=m.extras)
        for m, w in ctx.member_of
    ]
    service.remember_workspace(user, ctx.workspace.id)
    request.state.ctx = ctx
    return ctx


async def workspace_context(request: Request, workspace_slug: str, session: DbSession) -> Context:
    """Dependency: :func:`page_context`. ``async``, calling the sync set-up itself: chained
    sync dependencies (the user, then the context) cost a trip to the thread pool each."""
    if not _needs_lookup(request) and getattr(request.state, "user", None) is None:
        raise NotAuthenticated()  # no session cookie: nobody to look up
    setup = deferred_setup(request)
    if setup is not None:
        setup.page_slug, setup.session = workspace_slug, session
        return _pending("page")  # type: ignore[no-any-return]
    return await run_in_threadpool(page_context, request, session, workspace_slug)


defers(workspace_context)


def require(action: str) -> Callable[..., Awaitable[Context]]:
    """Dependency: the workspace context, if the user's role may do ``action`` there."""
    allowed("county_admin", action)  # fail at import time on a misspelt action

    @defers
    async def dependency(
        request: Request, ctx: Annotated[Context, Depends(workspace_context)]
    ) -> Context:
        return _checked(request, ctx, action, api=False)

    return dependency


def _checked(request: Request, ctx: Context, action: str, *, api: bool) -> Context:
    """``ctx`` if its role may do ``action`` (else 403); a context still to be found is
    checked by the route once found (the action noted in the request's :class:`Setup`)."""
    if isinstance(ctx, Pending):
        setup = deferred_setup(request)
        assert setup is not None
        (setup.api_actions if api else setup.page_actions).append(action)
        return ctx  # type: ignore[unreachable]
    if not ctx.can(action):
        raise Forbidden()
    return ctx


# --- API ---------------------------------------------------------------------------------

READ_ONLY = lazy("API-nøkkelen gir bare lesetilgang og kan ikke brukes til å endre noe.")


def api_caller(request: Request, session: Session) -> tuple[User, int | None]:
    """The API caller: a bearer token (bound to one workspace) or a session cookie, with the
    token's workspace (None for a session). Sync: called inside a trip to the thread pool.

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


def api_context(request: Request, session: Session, workspace_slug: str) -> Context:
    """The caller (:func:`api_caller`) and their context in ``workspace_slug``: 404 for a
    workspace they are no member of, and for any other than a token's own. Sync: the whole
    set-up of an API request in one trip to the thread pool."""
    user, token_workspace_id = api_caller(request, session)
    ctx = _load_context(session, user, workspace_slug)
    if token_workspace_id is not None and token_workspace_id != ctx.workspace.id:
        raise NotFound()  # a token of another workspace sees nothing here
    ctx.via_token = token_workspace_id is not None
    return ctx


_API_CONTEXT = "api_context"  # request.state: the context api_user found with the caller


async def api_user(request: Request, session: DbSession) -> tuple[User, int | None]:
    """Dependency: the caller (:func:`api_caller`), the one every API route passes. Under
    ``/api/v1/{workspace_slug}/`` (every such route takes the workspace context) the context
    is found in the same trip to the thread pool (:func:`api_context`), not in one of its own;
    :func:`api_workspace_context` takes it from there."""
    bearer = request.headers.get("authorization", "").lower().startswith("bearer ")
    if not bearer and not _needs_lookup(request) and getattr(request.state, "user", None) is None:
        raise NotAuthenticated()  # no token, no session cookie: nobody to look up
    slug = request.path_params.get("workspace_slug")
    setup = deferred_setup(request)
    if setup is not None:
        setup.api, setup.session = True, session
        setup.api_slug = slug if isinstance(slug, str) else None
        return _pending("caller")  # type: ignore[no-any-return]
    if not isinstance(slug, str):
        return await run_in_threadpool(api_caller, request, session)
    ctx = await run_in_threadpool(api_context, request, session, slug)
    setattr(request.state, _API_CONTEXT, ctx)
    # The token's workspace is the context's own (another one answered 404 above).
    return ctx.user, ctx.workspace.id if ctx.via_token else None


defers(api_user)
ApiCaller = Annotated[tuple[User, int | None], Depends(api_user)]


async def api_workspace_context(
    request: Request, workspace_slug: str, session: DbSession, caller: ApiCaller
) -> Context:
    """Dependency: the caller's context in ``workspace_slug``, found by :func:`api_user`."""
    if isinstance(caller, Pending):
        setup = deferred_setup(request)
        assert setup is not None
        setup.api_context_slug = workspace_slug
        return _pending("api")  # type: ignore[no-any-return]
    ctx = getattr(request.state, _API_CONTEXT, None)
    if isinstance(ctx, Context) and ctx.workspace.slug == workspace_slug:
        return ctx
    return await run_in_threadpool(api_context, request, session, workspace_slug)


defers(api_workspace_context)


def api_require(action: str) -> Callable[..., Awaitable[Context]]:
    allowed("county_admin", action)

    @defers
    async def dependency(
        request: Request, ctx: Annotated[Context, Depends(api_workspace_context)]
    ) -> Context:
        return _checked(request, ctx, action, api=True)

    return dependency
