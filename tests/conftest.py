"""The test harness: every database test runs against SQLite and PostgreSQL.

The schema comes from Alembic (never create_all). Each test runs inside a transaction that is
rolled back. On PostgreSQL the app connects as an ordinary role, so row-level security applies
exactly as in production; migrations run as the owner.

PostgreSQL: SAMSPILL_TEST_POSTGRES_URL (an owner/superuser URL), else postgresql://postgres@
127.0.0.1:5432/postgres when it answers. SAMSPILL_TEST_REQUIRE_POSTGRES=1 (set by CI) turns a
missing server into a failure instead of a loud skip."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session

import app.models
from app.accounts import service as accounts_service
from app.config import Settings, get_settings
from app.counties.models import Workspace
from app.db import get_session, make_engine
from app.main import create_app
from app.migrate import migrate
from app.tenancy import set_db_scope
from factories import create_workspace

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
APP_ROLE = "samspill_test_app"
_pg_problem: str | None = None


def _pg_owner_url() -> str | None:
    global _pg_problem
    url = os.environ.get("SAMSPILL_TEST_POSTGRES_URL") or PG_DEFAULT
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        _pg_problem = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
        return None
    return url


PG_OWNER_URL = _pg_owner_url()
REQUIRE_PG = os.environ.get("SAMSPILL_TEST_REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", "postgresql"]


# Argon2 at the lowest cost it accepts. The tests hash and check hundreds of passwords; at
# production cost (64 MiB, 3 passes each) that alone takes minutes. tests/accounts/
# test_passwords.py checks, once, that production hashes at production cost.
CHEAP_PASSWORD_HASH = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1),))


def pytest_configure(config: pytest.Config) -> None:
    accounts_service.use_password_hasher(CHEAP_PASSWORD_HASH)


def pytest_report_header(config: pytest.Config) -> list[str]:
    if PG_OWNER_URL:
        return [f"PostgreSQL tests: ON ({make_url(PG_OWNER_URL).render_as_string()})"]
    return [
        "!" * 78,
        f"PostgreSQL tests: SKIPPED — no server answered ({_pg_problem}).",
        "Set SAMSPILL_TEST_POSTGRES_URL or start PostgreSQL on 127.0.0.1:5432.",
        "!" * 78,
    ]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not PG_OWNER_URL:
        terminalreporter.write_line(
            "WARNING: PostgreSQL was not available; only SQLite was tested.", red=True, bold=True
        )
    if not Path("/usr/bin/chromium").exists():
        terminalreporter.write_line(
            "WARNING: /usr/bin/chromium is missing; browser tests were skipped.",
            red=True,
            bold=True,
        )


class Database:
    """One migrated database of one backend, for the whole test session."""

    def __init__(self, backend: str, engine: Engine, settings: Settings):
        self.backend = backend
        self.engine = engine
        self.settings = settings


def _sqlite_database(tmp: Path) -> Database:
    url = f"sqlite:///{tmp / 'samspill-test.db'}"
    migrate(url)
    settings = Settings(database_url=url, environment="test", _env_file=None)  # type: ignore[call-arg]
    return Database("sqlite", make_engine(url), settings)


def ensure_app_role(conn: Any, role: str = APP_ROLE) -> None:
    """The app's ordinary role, made once per server. Several test processes (pytest-xdist
    workers, or two runs) may ask at the same moment: the loser's CREATE ROLE fails with
    duplicate_object or, in the same instant, unique_violation, and is taken as done."""
    assert role.isidentifier(), role
    conn.execute(
        text(
            "DO $$ BEGIN "
            f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; "
            "END $$"
        )
    )


def _postgres_database() -> tuple[Database, str, Engine]:
    assert PG_OWNER_URL
    name = f"samspill_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_OWNER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        ensure_app_role(conn)
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    owner_url = make_url(PG_OWNER_URL).set(database=name)
    migrate(owner_url.render_as_string(hide_password=False), APP_ROLE)
    app_url = owner_url.set(username=APP_ROLE, password=None).render_as_string(hide_password=False)
    settings = Settings(database_url=app_url, environment="test", _env_file=None)  # type: ignore[call-arg]
    return Database("postgresql", make_engine(app_url), settings), name, admin


@pytest.fixture(scope="session", params=BACKENDS)
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    if request.param == "sqlite":
        db = _sqlite_database(tmp_path_factory.mktemp("sqlite"))
        yield db
        db.engine.dispose()
        return
    if not PG_OWNER_URL:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required here but did not answer: {_pg_problem}")
        pytest.skip(f"PostgreSQL not available: {_pg_problem}")
    db, name, admin = _postgres_database()
    yield db
    db.engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def backend(database: Database) -> str:
    return database.backend


@pytest.fixture
def db(database: Database) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    connection = database.engine.connect()
    outer = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield session
    session.close()
    outer.rollback()
    connection.close()


@pytest.fixture
def ws(db: Session) -> Workspace:
    """Trøndelag (county 50, with Osen as 5020), the workspace most tests act in."""
    return create_workspace(db, county="50", name="Trøndelag test")


@pytest.fixture(autouse=True)
def storage_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Attachments and other files of a test go to its own folder, never the checkout."""
    folder = tmp_path / "storage"
    monkeypatch.setenv("SAMSPILL_STORAGE_DIR", str(folder))
    get_settings.cache_clear()
    return folder


@pytest.fixture
def settings(database: Database) -> Settings:
    return database.settings


@pytest.fixture
def app(database: Database, db: Session, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The real app on the test's session. Each request starts like a fresh transaction:
    no workspace set, nothing cached."""
    monkeypatch.setenv("SAMSPILL_DATABASE_URL", database.settings.database_url)
    monkeypatch.setenv("SAMSPILL_ENVIRONMENT", "test")
    # On SQLite the test's own open transaction holds the write lock: /readyz must not wait
    # for it (tests/core/test_robustness.py tests that probe on a database of its own).
    monkeypatch.setenv("SAMSPILL_READY_WRITE_WAIT_SECONDS", "0")
    # Figures are computed on every view; tests/core/test_key_figures_cache.py tests the cache.
    monkeypatch.setenv("SAMSPILL_KEY_FIGURES_CACHE_SECONDS", "0")
    # Rate limits stay on, far above what a test sends; tests/core/test_rate_limits.py puts
    # small ones on its own app.
    for name in ("WRITES_PER_USER", "WRITES_PER_ADDRESS", "API_PER_TOKEN", "API_PER_ADDRESS"):
        monkeypatch.setenv(f"SAMSPILL_RATE_LIMIT_{name}", "100000/minute")
    get_settings.cache_clear()
    application = create_app(get_settings(), engine=database.engine)

    def test_session() -> Iterator[Session]:
        # What the test set up directly is committed (to the outer, rolled-back transaction),
        # so that a request that fails and rolls back undoes only its own work.
        db.commit()
        db.expunge_all()
        db.info.clear()
        set_db_scope(db, workspace_id=None, user_id=None)
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise

    application.dependency_overrides[get_session] = test_session
    return application


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c
    get_settings.cache_clear()


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(database: Database) -> Iterator[Any]:
    """``with count_queries() as q: ...`` then ``q.count``."""
    from contextlib import contextmanager

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        event.listen(database.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(database.engine, "before_cursor_execute", counter)

    yield counting


# --- e-mail: a real SMTP server on loopback ----------------------------------------------


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An aiosmtpd server on loopback; the app is pointed at it. ``smtp.start()`` and
    ``smtp.stop()`` let a test take it down and bring it back on the same port."""
    from aiosmtpd.controller import Controller

    port = _free_port()
    mailbox = Mailbox()

    class Server:
        def __init__(self) -> None:
            self.mailbox = mailbox
            self.port = port
            self.controller: Controller | None = None

        @property
        def messages(self) -> list[Any]:
            return mailbox.messages

        def start(self) -> None:
            self.controller = Controller(mailbox, hostname="127.0.0.1", port=port)
            self.controller.start()

        def stop(self) -> None:
            if self.controller:
                self.controller.stop()
                self.controller = None

    server = Server()
    server.start()
    monkeypatch.setenv("SAMSPILL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SAMSPILL_SMTP_PORT", str(port))
    monkeypatch.setenv("SAMSPILL_MAIL_TRANSPORT", "smtp")
    get_settings.cache_clear()
    yield server
    server.stop()
    get_settings.cache_clear()


@pytest.fixture
def deliver(database: Database, db: Session) -> Any:
    """Run the mail worker's delivery round on the test's transaction."""
    from app.mail import service as mail

    class _Factory:
        def __call__(self) -> Session:
            return _Borrowed(db)

    def run() -> int:
        return mail.deliver_pending(_Factory(), get_settings())  # type: ignore[arg-type]

    return run


class _Borrowed:
    """Lend the test session to code that opens its own sessions (``with factory() as s,
    s.begin():``) without closing it, using a savepoint for each ``begin``."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __enter__(self) -> Session:
        return self  # type: ignore[return-value]

    def __exit__(self, *exc: Any) -> None:
        return None

    def begin(self) -> Any:
        return self.session.begin_nested()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked postgres_only run only with the PostgreSQL parameter."""
    keep = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        if (
            item.get_closest_marker("postgres_only")
            and callspec is not None
            and callspec.params.get("database") == "sqlite"
        ):
            continue
        keep.append(item)
    items[:] = keep
