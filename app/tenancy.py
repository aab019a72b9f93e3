"""Tenant scope in one place.

Every tenant-owned table carries a non-null, indexed ``workspace_id``. Queries of such tables
start from :func:`scoped` (or :func:`scoped_by_user` for the few cross-workspace questions a
user may ask about themselves, such as "which workspaces am I in?"). A session event refuses any
ORM ``SELECT`` of a tenant-owned model that did not come from these helpers, so a bypass fails
loudly in tests and in production alike. On PostgreSQL, row-level security policies on
``current_setting('app.workspace_id')`` enforce the same rule underneath (see the migrations).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from types import SimpleNamespace
from typing import Any, TypeVar

from sqlalchemy import (
    BindParameter,
    Delete,
    ForeignKey,
    FromClause,
    Integer,
    Select,
    String,
    Text,
    bindparam,
    case,
    cast,
    delete,
    event,
    func,
    inspect,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Mapped, Mapper, ORMExecuteState, Session, declared_attr, mapped_column

T = TypeVar("T", bound="TenantOwned")

SCOPE_OPTION = "samspill_tenant_scope"


class TenantScopeError(RuntimeError):
    """A query of a tenant-owned model bypassed the scoped helper."""


class TenantOwned:
    """Mixin for tables that belong to one workspace."""

    @declared_attr
    def workspace_id(cls) -> Mapped[int]:
        return mapped_column(
            Integer,
            ForeignKey("workspace.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )


# An id in a scoped query: a value, or a bind parameter for a statement made once per process
# (executed with the value; the scope's execution option then holds the parameter).
Id = int | BindParameter[Any]
Number = str | BindParameter[Any]


def workspace_param(name: str = "ws") -> BindParameter[Any]:
    """A workspace's id as a bind parameter, for a statement made once per process and run
    with the id among its values."""
    return bindparam(name, type_=Integer())


def stand_in_workspace() -> Any:
    """A workspace whose id and county are bind parameters (``ws`` and ``county``), for a
    statement made once per process that serves every workspace: what the statement reads of
    the workspace must be these two only."""
    return SimpleNamespace(id=workspace_param(), county_number=bindparam("county", type_=String()))


def scoped(model: type[T], workspace_id: Id) -> Select[T]:
    """``SELECT model WHERE model.workspace_id = :workspace_id`` — the only way in."""
    return (
        select(model)
        .where(model.workspace_id == workspace_id)
        .execution_options(**{SCOPE_OPTION: ("workspace", workspace_id)})
    )


def scoped_in(model: type[T], workspace_ids: Sequence[int] | BindParameter[Any]) -> Select[T]:
    """Rows of several workspaces: ``SELECT model WHERE model.workspace_id IN (...)``. Only for
    the workspaces the person looking is a member of, read together on their start page ("Til
    deg"). On PostgreSQL the rows of the workspaces other than the current one are readable only
    while :func:`set_db_scope` lists them in ``read_also``. ``workspace_ids`` may be an
    expanding bind parameter, for a statement made once."""
    ids = workspace_ids if isinstance(workspace_ids, BindParameter) else tuple(workspace_ids)
    return (
        select(model)
        .where(model.workspace_id.in_(ids))
        .execution_options(**{SCOPE_OPTION: ("workspaces", ids)})
    )


def scoped_by_user(model: type[T], user_id: Id) -> Select[T]:
    """Rows of a tenant-owned model that belong to one user, across workspaces.

    Only for models with a ``user_id`` column (memberships, API tokens); PostgreSQL policies
    allow exactly this through ``app.user_id``.
    """
    column = model.user_id  # type: ignore[attr-defined]
    return (
        select(model)
        .where(column == user_id)
        .execution_options(**{SCOPE_OPTION: ("user", user_id)})
    )


def scoped_by_county(model: type[T], county_number: Number) -> Select[T]:
    """Rows of a tenant-owned model addressed to a county, across workspaces — the shares of
    bodies with members in several counties. Only for models with a ``county_number`` column;
    PostgreSQL policies allow exactly this through ``app.county_number``."""
    column = model.county_number  # type: ignore[attr-defined]
    return (
        select(model)
        .where(column == county_number)
        .execution_options(**{SCOPE_OPTION: ("county", county_number)})
    )


def scoped_shared(model: type[T], workspace_id: Id, body_column: Any, shared: Any) -> Select[T]:
    """Rows of this workspace, plus rows of bodies other workspaces share with it (a body with
    member municipalities in several counties). ``body_column`` is the model's body id column
    (``Body.id`` or ``BodyMembership.body_id``); ``shared`` selects the ids of the bodies shared
    with this workspace's county (the networks module knows which those are)."""
    return (
        select(model)
        .where((model.workspace_id == workspace_id) | body_column.in_(shared))
        .execution_options(**{SCOPE_OPTION: ("shared", workspace_id)})
    )


def scoped_or_shared(model: type[T], workspace_id: Id, shared: Any) -> Select[T]:
    """Rows of this workspace, plus rows every workspace may read because ``shared`` holds for
    them (an innovation a county marked as shared, the adoptions of such an innovation). The
    PostgreSQL policies of those tables allow reading exactly these."""
    return (
        select(model)
        .where((model.workspace_id == workspace_id) | shared)
        .execution_options(**{SCOPE_OPTION: ("shared", workspace_id)})
    )


def scoped_delete(model: type[T], workspace_id: int) -> Delete:
    """``DELETE FROM model WHERE workspace_id = :workspace_id`` (narrow it with ``.where``) —
    a bulk delete of derived rows (tallies) inside the workspace."""
    return (
        delete(model)
        .where(model.workspace_id == workspace_id)
        .execution_options(**{SCOPE_OPTION: ("workspace", workspace_id)})
    )


def scoped_with_national(model: type[T], workspace_id: Id) -> Select[T]:
    """Rows of this workspace plus the national reference rows every workspace reads (a model
    whose ``workspace_id`` may be NULL, such as the national funding schemes). PostgreSQL
    policies allow reading exactly these, and writing only the workspace's own."""
    return (
        select(model)
        .where((model.workspace_id == workspace_id) | model.workspace_id.is_(None))
        .execution_options(**{SCOPE_OPTION: ("national", workspace_id)})
    )


def scoped_national(model: type[T]) -> Select[T]:
    """Only the national reference rows of such a model (for loading and for `samspill`)."""
    return (
        select(model)
        .where(model.workspace_id.is_(None))
        .execution_options(**{SCOPE_OPTION: ("national", None)})
    )


def scoped_system(model: type[T]) -> Select[T]:
    """Rows of every workspace, for a worker job after ``set_system_scope`` (the session's
    check is off; on PostgreSQL only tables whose policy allows ``app.system`` show rows).
    Without ``set_system_scope`` the session's check refuses it like any unscoped query."""
    return select(model)


def set_db_scope(
    session: Session,
    *,
    workspace_id: int | None,
    user_id: int | None,
    county_number: str | None = None,
    read_also: Sequence[int] = (),
) -> None:
    """Tell PostgreSQL's row-level security who and where we are, for this transaction.

    ``read_also``: other workspaces whose rows statements may read (not write) until the scope is
    set again without them — the person's other workspaces, for the statements of their start
    page (policy ``member_read``, see ``app.rls``). Only ever the workspaces the user is a member
    of; set it again without them as soon as those statements have run, and open no savepoint
    meanwhile (rolling one back would bring back in the database what was set before it, while
    the session believes otherwise).

    Pending changes are flushed first, under the scope they were made in: otherwise the
    autoflush of our own statement would write them (and their audit events) under the new one.
    """
    if session.new or session.dirty or session.deleted:
        session.flush()
    session.info["workspace_id"] = workspace_id
    session.info["county_number"] = county_number
    session.info[_DB_SCOPE] = (workspace_id, user_id, county_number)
    session.info[_READ_ALSO] = tuple(read_also)
    if user_id is not None:
        session.info["actor_id"] = user_id
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    values = _scope_values(workspace_id, user_id, county_number, read_also)
    if session.info.get(_SCOPE_SET) == values:
        return  # set already in this transaction, by a query that set it on its way
    session.execute(
        text(
            "SELECT set_config('app.workspace_id', :ws, true), "
            "set_config('app.user_id', :uid, true), "
            "set_config('app.county_number', :county, true), "
            "set_config('app.read_also', :also, true)"
        ),
        {"ws": values[0], "uid": values[1], "county": values[2], "also": values[3]},
    )
    session.info[_SCOPE_SET] = values


# PostgreSQL only: the scope (as set_config values) the session's current transaction has set.
# It lets a query that sets the scope on its way (the session lookup, the memberships) spare
# ``set_db_scope`` its own round trip. Forgotten whenever a transaction or a savepoint ends,
# because what ``set_config(…, true)`` set ends (or is rolled back) with it.
_SCOPE_SET = "samspill_db_scope_set"


def _scope_values(
    workspace_id: int | None,
    user_id: int | None,
    county_number: str | None,
    read_also: Sequence[int] = (),
) -> tuple[str, str, str, str]:
    return (
        "" if workspace_id is None else str(workspace_id),
        "" if user_id is None else str(user_id),
        county_number or "",
        "{" + ",".join(str(int(i)) for i in read_also) + "}" if read_also else "",
    )


@event.listens_for(Session, "after_transaction_end")
def _forget_scope_set(session: Session, _transaction: Any) -> None:
    session.info.pop(_SCOPE_SET, None)


def user_scope_columns(dialect: str, user_id: Any) -> list[Any]:
    """On PostgreSQL (``dialect``, the database's dialect name), columns to add to the query
    that finds the signed-in user, so that the same statement sets the scope
    :func:`set_db_scope` would set for them (no workspace yet): one round trip less on every
    request. ``user_id`` is that query's user id column. Empty on SQLite. Call
    :func:`note_db_scope` once the row is found."""
    if dialect != "postgresql":
        return []
    return [
        func.set_config("app.workspace_id", "", True),
        func.set_config("app.user_id", cast(user_id, Text), True),
        func.set_config("app.county_number", "", True),
        func.set_config("app.read_also", "", True),
    ]


def workspace_scope_columns(dialect: str, slug: Any, workspace: Any) -> list[Any]:
    """On PostgreSQL (``dialect``, the database's dialect name), columns to add to the query of
    a user's memberships (joined to ``workspace``, the Workspace entity) so that the same
    statement moves the scope to the workspace whose slug is ``slug`` (a value or a bound
    parameter), if the user is a member of it: one round trip less on every workspace page.
    Each row sets the settings again, to its workspace's values on the row of ``slug`` and to
    what they hold on the others, so the order of the rows does not matter. The rows the query
    returns do not change with it: they are the user's own (``user_id`` in its WHERE clause),
    seen through their own policy. Empty on SQLite. Call :func:`note_db_scope` with the
    workspace found."""
    if dialect != "postgresql":
        return []

    def moved(name: str, value: Any) -> Any:
        kept = func.coalesce(func.current_setting(name, True), "")
        return func.set_config(
            name, case((workspace.slug == slug, func.coalesce(value, "")), else_=kept), True
        )

    return [
        moved("app.workspace_id", cast(workspace.id, Text)),
        moved("app.county_number", workspace.county_number),
        func.set_config("app.read_also", "", True),
    ]


def note_db_scope(
    session: Session,
    *,
    workspace_id: int | None,
    user_id: int | None,
    county_number: str | None = None,
) -> None:
    """Record that a query of this transaction set the scope (with the columns above), so that
    :func:`set_db_scope` with the same values does not set it again."""
    if session.get_bind().dialect.name == "postgresql":
        session.info[_SCOPE_SET] = _scope_values(workspace_id, user_id, county_number)


_DB_SCOPE = "samspill_db_scope"  # session info: what set_db_scope last told the database
_READ_ALSO = "samspill_read_also"  # and the other workspaces it let statements read


@contextmanager
def scope_kept(session: Session) -> Iterator[None]:
    """Set the scope to other workspaces inside, one after the other (``set_db_scope``); on
    leaving, the scope is what it was on entering, ``read_also`` included. For the rare
    statement of the start page that must run under another workspace's own scope (a table whose
    policy depends on ``app.county_number``)."""
    before = session.info.get(_DB_SCOPE)
    read_also = session.info.get(_READ_ALSO, ())

    def restore() -> None:
        if before is not None:
            workspace_id, user_id, county_number = before
            set_db_scope(
                session,
                workspace_id=workspace_id,
                user_id=user_id,
                county_number=county_number,
                read_also=read_also,
            )

    with restoring(restore):
        yield


@contextmanager
def restoring(restore: Callable[[], None]) -> Iterator[None]:
    """Run ``restore`` (a ``set_db_scope``) on leaving, also when the block raised. Then a
    failure of ``restore`` itself (on PostgreSQL an aborted transaction refuses every
    statement) does not hide the block's error; the transaction is rolled back on its way out,
    and what ``set_config(…, true)`` set goes with it."""
    try:
        yield
    except BaseException:
        with suppress(Exception):
            restore()
        raise
    restore()


def restore_db_scope(session: Session) -> None:
    """Tell the database again what ``set_db_scope`` last told it, after the transaction it was
    told in has ended (``app.db.end_transaction``): the next one begins with the same scope."""
    scope = session.info.get(_DB_SCOPE)
    if scope is not None:
        workspace_id, user_id, county_number = scope
        set_db_scope(
            session, workspace_id=workspace_id, user_id=user_id, county_number=county_number
        )


def set_system_scope(session: Session) -> None:
    """For the code that serves every workspace at once (the mail worker, `/metrics`, `samspill
    mail`): the session skips the scoped-query check, and on PostgreSQL the tables whose policy
    allows it (the outbox) show every workspace's rows, for this transaction."""
    session.info["tenant_scope_exempt"] = True
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT set_config('app.system', 'on', true)"))


def _tenant_tables() -> set[str]:
    from app.db import Base

    return {
        m.local_table.name  # type: ignore[attr-defined]
        for m in Base.registry.mappers
        if issubclass(m.class_, TenantOwned)
    }


def require_scoped(statement: Any) -> Any:
    """``statement`` (a part of a combined query) unchanged, if it comes through the scoped
    helpers above or reads no tenant-owned table at its top level; else a
    :class:`TenantScopeError`. The session's check looks only at the top of a statement and
    trusts a statement marked as scoped: a query made of parts (a union, one-row subqueries
    side by side) is marked by whoever combines them, so each part is checked here first."""
    if statement.get_execution_options().get(SCOPE_OPTION) is not None:
        return statement
    found = _select_froms(statement)
    names = _table_names(found if found is not None else statement.get_final_froms())
    for name in names:
        if name in tenant_tables():
            raise TenantScopeError(f"part of a query reads {name!r} without app.tenancy.scoped()")
    return statement


def scoped_union(*parts: Any) -> Any:
    """``UNION ALL`` of ``parts``, each checked with :func:`require_scoped`, marked with the
    first part's scope (the parts share one, the workspace's)."""
    first = require_scoped(parts[0])
    for part in parts[1:]:
        require_scoped(part)
    return union_all(*parts).execution_options(**first.get_execution_options())


_TENANT_TABLES: set[str] | None = None


def tenant_tables() -> set[str]:
    global _TENANT_TABLES
    if _TENANT_TABLES is None:
        _TENANT_TABLES = _tenant_tables()
    return _TENANT_TABLES


@event.listens_for(Session, "do_orm_execute")
def _enforce_scope(state: ORMExecuteState) -> None:
    if state.is_relationship_load or state.is_column_load:
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get(SCOPE_OPTION) is not None:
        return
    if state.session.info.get("tenant_scope_exempt"):
        return
    tables = tenant_tables()
    statement: Any = state.statement
    if state.is_select:
        found = _select_froms(statement)
        names = _table_names(found if found is not None else statement.get_final_froms())
    else:  # bulk UPDATE / DELETE
        names = _table_names([statement.table])
    for name in names:
        if name in tables:
            raise TenantScopeError(f"query of tenant-owned {name!r} without app.tenancy.scoped()")


def _select_froms(statement: Any) -> list[Any] | None:
    """The FROM elements of a plain ``SELECT`` at its top level, read off the statement: its
    columns, its WHERE clause, ``select_from()`` and ``join()`` — what ``get_final_froms()``
    reports, without compiling the statement (which that method does, uncached, for every ORM
    query: it cost more than the query itself on the session lookup of every request). ``None``
    where the statement has more than that (loader options that may add eager joins, a join to
    something other than a mapped class or a table): the caller then asks SQLAlchemy."""
    if not isinstance(statement, Select) or statement._with_options:
        return None
    froms: list[Any] = []
    for column in statement._raw_columns:
        froms.extend(column._from_objects)
    for criterion in statement._where_criteria:
        froms.extend(criterion._from_objects)
    froms.extend(statement._from_obj)
    for join in statement._setup_joins:
        target = join[0]
        if isinstance(target, FromClause):
            froms.append(target)
            continue
        mapper = inspect(target, raiseerr=False)
        if not isinstance(mapper, Mapper):
            return None
        froms.extend(mapper.tables)
    return froms


def _table_names(froms: Any) -> list[str]:
    names: list[str] = []
    for item in froms:
        if hasattr(item, "left") and hasattr(item, "right"):  # a Join
            names += _table_names([item.left, item.right])
        elif hasattr(item, "element") and hasattr(item.element, "name"):  # an alias of a table
            names.append(item.element.name)
        elif hasattr(item, "name"):
            names.append(item.name)
    return names
