"""Engine, session factory, declarative base and the per-request session."""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import time
import weakref
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import anyio
import anyio.to_thread
from fastapi import Request
from sqlalchemy import DateTime, Dialect, Engine, MetaData, create_engine, event, func, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeDecorator

from app.clock import utcnow

log = logging.getLogger("samspill.db")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class AwareDateTime(TypeDecorator[datetime]):
    """A time stamp that always comes back aware (UTC).

    PostgreSQL keeps the zone; SQLite keeps none, so an aware value is stored as UTC wall time
    and given its zone back when read. Every time column uses this type, so code never has to
    ask whether a value is naive.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None and dialect.name == "sqlite":
            return value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(
        AwareDateTime(), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        AwareDateTime(), default=utcnow, onupdate=utcnow, server_default=func.now()
    )


def sql_in(column: str, values: tuple[str, ...]) -> str:
    """The SQL of a check constraint: ``column`` holds one of ``values``."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


# SQLite has one writer at a time. A transaction of a request that changes something begins
# IMMEDIATE: it takes the write lock at its start, so that concurrent writers wait for each
# other (busy_timeout) instead of failing when a reader turns writer halfway. A request that
# only reads (GET, HEAD, OPTIONS) begins DEFERRED and, in WAL mode, takes no write lock at all:
# it reads its snapshot while others write. Should it write after all (a session's "last seen",
# an API token's "last used"), it takes the write lock at its first write, waiting for it like
# any writer (see _sqlite_write_lock).
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SQLITE_DEFERRED = "samspill_sqlite_deferred"  # execution option: begin without the write lock
_READING = "samspill_sqlite_reading"  # connection info: deferred, and nothing written yet
_WRITE_SQL = re.compile(
    r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|SAVEPOINT)\b", re.IGNORECASE
)


def _writes(statement: str, context: Any) -> bool:
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        return True
    return _WRITE_SQL.match(statement) is not None


SQLITE_BUSY_TIMEOUT_MS = 5000  # how long a writer waits for SQLite's write lock


def make_engine(url: str, *, workers: int | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url``. On PostgreSQL, ``workers`` (the number of worker processes)
    sizes the pool (:func:`pool_size`)."""
    if is_sqlite(url):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so that
            # BEGIN and SAVEPOINT behave as on PostgreSQL.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            options = conn.get_execution_options()
            if options.get("isolation_level") == "AUTOCOMMIT":
                conn.info[_READING] = False
                return  # a read-only probe such as /readyz takes no lock
            if options.get(SQLITE_DEFERRED):
                conn.exec_driver_sql("BEGIN")  # a reader: no lock until it writes
                conn.info[_READING] = True
                return
            conn.info[_READING] = False
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        @event.listens_for(engine, "before_cursor_execute")
        def _sqlite_write_lock(
            conn: Any, cursor: Any, statement: str, _params: Any, context: Any, _many: bool
        ) -> None:
            # A deferred transaction that is about to write. SQLite would not wait for the
            # write lock here: a reader that turns writer while another connection writes gets
            # "database is locked" at once, and one whose snapshot is older than the last
            # commit can never write. Nothing has been written yet, so the read transaction is
            # ended and an IMMEDIATE one begun in its place, which waits for the lock
            # (busy_timeout) like any writer. What the request reads from here on is current,
            # as under PostgreSQL's READ COMMITTED. A savepoint counts as a write: a rollback
            # below one would lose it.
            if not conn.info.get(_READING) or not _writes(statement, context):
                return
            conn.info[_READING] = False
            cursor.execute("ROLLBACK")
            try:
                cursor.execute("BEGIN IMMEDIATE")
            except Exception:
                # Busy past the timeout: stay in a (read) transaction, as SQLAlchemy believes,
                # and let the error reach the request (503, app.errors).
                cursor.execute("BEGIN")
                conn.info[_READING] = True
                raise

        return engine
    if workers is not None and "pool_size" not in kwargs:
        size = pool_size(workers)
        kwargs.update(pool_size=size, max_overflow=size // 2)
    # pre-ping: a connection the server has closed (a restart, a terminated backend) is noticed
    # at checkout and replaced before the request uses it.
    engine = create_engine(url, pool_pre_ping=True, **kwargs)

    @event.listens_for(engine, "do_connect")
    def _connect_once_more(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        # A database that is restarting refuses connections for a moment: try once more after
        # a short pause before the request is answered 503 (app.errors).
        try:
            return dialect.connect(*cargs, **cparams)
        except dialect.loaded_dbapi.OperationalError:
            time.sleep(CONNECT_RETRY_SECONDS)
            return dialect.connect(*cargs, **cparams)

    return engine


CONNECT_RETRY_SECONDS = 0.5
POOL_BUDGET = 40  # connections of all web workers together, well below PostgreSQL's default 100


def pool_size(workers: int) -> int:
    """Connections each of ``workers`` worker processes keeps (PostgreSQL), from a budget of
    about 60 for all of them (``POOL_BUDGET`` plus half again at peaks): 20 for one worker, 10
    each for four, never fewer than 2. ``SAMSPILL_DATABASE_POOL_SIZE`` sets it outright."""
    return max(2, min(20, POOL_BUDGET // max(1, workers)))


def ping(engine: Engine) -> None:
    """``SELECT 1`` on a connection of its own, outside any transaction (no lock on SQLite);
    raises when the database does not answer."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("SELECT 1"))


def check_writable(engine: Engine, wait_seconds: float) -> None:
    """Raise when a short write would fail now: on SQLite when the write lock cannot be had
    within ``wait_seconds`` (another connection holds it too long; the probe takes it and
    lets go at once, writing nothing), on PostgreSQL when the database accepts only reads
    (a standby, or ``default_transaction_read_only``)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if engine.dialect.name != "sqlite":
            if conn.execute(text("SHOW transaction_read_only")).scalar() == "on":
                raise RuntimeError("the database accepts only reads")
            return
        if wait_seconds <= 0:
            return
        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_seconds * 1000)}")
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            conn.exec_driver_sql("ROLLBACK")
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@functools.lru_cache(maxsize=16)
def _deferred(engine: Engine) -> Engine:
    """``engine`` (the same pool) with transactions that begin DEFERRED on SQLite."""
    return engine.execution_options(**{SQLITE_DEFERRED: True})


def session_for(factory: sessionmaker[Session], method: str) -> Session:
    """A session for a request of ``method``: on SQLite, a request that only reads takes no
    write lock (see READ_METHODS)."""
    bind = factory.kw.get("bind")
    if method in READ_METHODS and isinstance(bind, Engine) and bind.dialect.name == "sqlite":
        return factory(bind=_deferred(bind))
    return factory()


def end_transaction(session: Session) -> None:
    """End the request's transaction here, committing what it has done so far, before a call
    to another server (an identity provider, object storage): no network call is made inside
    a database transaction. While the other server answers, the request then holds no lock
    (on SQLite not the write lock, nor a read snapshot) and no connection (on PostgreSQL none
    idle in transaction). The session begins a new transaction at its next statement, in the
    same mode. What PostgreSQL's row-level security was told (``set_config(…, true)``) ends
    with the transaction: set the scope again after, where one was set."""
    session.commit()


def holds_write_lock(session: Session) -> bool:
    """Whether ``session``'s transaction already holds SQLite's write lock: it began IMMEDIATE
    (a request that changes something) or has written. False on PostgreSQL, and for a session
    that has not begun."""
    transaction = session.get_transaction()
    if transaction is None or session.get_bind().dialect.name != "sqlite":
        return False
    info = session.connection().info
    return _READING in info and not info[_READING]


def write_aside(
    bind: Engine,
    statement: Executable,
    wait_seconds: float = 0.1,
    *,
    session: Session | None = None,
) -> bool:
    """Run one small bookkeeping write (a session's "last seen") at once, in a short transaction
    of its own on another connection, so that the request's own transaction stays a reader: on
    SQLite a page view then holds no write lock for the rest of the request, on PostgreSQL no
    row lock that the same person's other requests would queue behind. When the lock cannot be
    had within ``wait_seconds`` the write is skipped (False): it is bookkeeping, and the next
    request tries again.

    On SQLite, when ``session`` (the request's) already holds the write lock, the write is made
    in its transaction instead: another connection would only wait for the lock this request
    holds, ``wait_seconds`` long, holding up every other writer meanwhile, and then skip."""
    if session is not None and holds_write_lock(session):
        session.execute(statement)
        return True
    sqlite = bind.dialect.name == "sqlite"
    engine = bind.execution_options(**{SQLITE_DEFERRED: False}) if sqlite else bind
    with engine.connect() as conn:
        # On the driver's connection: through SQLAlchemy the pragma would begin a transaction.
        raw: Any = conn.connection.driver_connection
        if sqlite:
            raw.execute(f"PRAGMA busy_timeout={int(wait_seconds * 1000)}")
        try:
            with conn.begin():
                if not sqlite:
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(wait_seconds * 1000)}")
                conn.execute(statement)
            return True
        except OperationalError:
            log.debug("bookkeeping write skipped: the database is busy")
            return False
        finally:
            if sqlite:
                raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: commit on success, roll back on error.

    An ``async`` dependency, though the session is sync: making a session touches no database,
    so it is made here on the event loop, and only its end (commit or rollback, and close) goes
    to a worker thread — one trip to the thread pool per request instead of two. The end is
    shielded: a client that goes away cannot leave the transaction open. It runs outside the
    shared thread pool's limit (a limiter of its own, as FastAPI does for a dependency's exit):
    when every shared thread waits for a pooled connection, the requests holding connections
    can still give them back."""
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    slots = _session_slots(factory)
    await slots.acquire()
    try:
        session = session_for(factory, request.method)
        session.info[ENDS_SESSION] = _end
        try:
            yield session
        except BaseException:
            if not ended(session):
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(
                        _end, session, False, limiter=anyio.CapacityLimiter(1)
                    )
            raise
        if not ended(session):
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(
                    _end, session, True, limiter=anyio.CapacityLimiter(1)
                )
    finally:
        slots.release()


# Requests with a session open at once, per event loop (a worker process has one; the tests'
# clients one each): a request takes a slot on the event loop before its session is made and
# gives it back when the session has ended. Without it, more requests than the pool has
# connections would each take a connection in one thread-pool trip and wait for a thread for
# the next, while every thread waits for a connection: nothing moves until the pool's
# 30-second timeout. Half the pool's connections, so that each request can also take a second
# one for a moment ("last seen", ``write_aside``). Requests beyond it wait on the event loop,
# holding nothing.
_SLOTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)


def session_slots(engine: Engine) -> int:
    """How many requests of one worker process may have a session open at once."""
    pool: Any = engine.pool
    try:
        capacity = int(pool.size()) + max(0, int(pool._max_overflow))
    except (AttributeError, TypeError):  # a pool without a size (SQLite in memory)
        return 8
    return max(1, capacity // 2)


def _session_slots(factory: sessionmaker[Session]) -> asyncio.Semaphore:
    bind = factory.kw.get("bind")
    by_engine = _SLOTS.setdefault(asyncio.get_running_loop(), {})
    slots = by_engine.get(id(bind))
    if slots is None:
        slots = asyncio.Semaphore(session_slots(bind) if isinstance(bind, Engine) else 8)
        by_engine[id(bind)] = slots
    return slots


# session.info: how the request's session ends (``_end``), for a route that ends it in its own
# trip to the thread pool (app.accounts.one_trip); and that it did.
ENDS_SESSION = "samspill.end"
ENDED = "samspill.ended"


def end_in_route(session: Session, commit: bool) -> bool:
    """End the request's transaction (commit, or roll back) and close the session, from the
    route's own trip to the thread pool, as :func:`get_session` would after it: True when done
    so, False when the session is not one of :func:`get_session`'s (a test's own), which then
    ends it itself."""
    end = session.info.get(ENDS_SESSION)
    if end is None:
        return False
    session.info[ENDED] = True
    end(session, commit)
    return True


def ended(session: Session) -> bool:
    """Whether the route ended the session (:func:`end_in_route`) and nothing began a new
    transaction since (an error handler that read something): then there is nothing to end."""
    return bool(session.info.get(ENDED)) and not session.in_transaction()


def _end(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def include_object(
    obj: object, name: str | None, kind: str, reflected: bool, compare_to: object
) -> bool:
    # The full-text indexes (SQLite FTS5 table and its shadow tables, PostgreSQL expression
    # indexes) are written by hand in the strategies and innovations migrations and are not
    # ORM metadata.
    if kind == "table" and name and name.startswith("strategy_search"):
        return False
    if kind == "column" and name == "search_vector":  # PostgreSQL's generated tsvector
        return False
    # Those and the innovations' GIN index on its search_vector (ix_innovation_search).
    return not (kind == "index" and name and name.endswith(("_fts", "_search")))
