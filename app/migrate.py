"""Schema and reference data: `alembic upgrade head` with the owner's connection, privileges for
the app's database role on PostgreSQL, then the national reference data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from app import ALEMBIC_INI, MIGRATIONS_DIR
from app.db import make_engine

# Reference tables the app may read but never write (they change only through the CLI,
# which uses the owner's connection).
READ_ONLY_TABLES = ("county", "municipality", "organisation", "alembic_version")


def alembic_config() -> Config:
    """alembic.ini and the migrations of this installation: the checkout's, or the copies an
    installed wheel carries inside the package (``script_location`` is set to the folder found,
    so it does not depend on where the ini file sits)."""
    cfg = Config(str(ALEMBIC_INI))
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return cfg


def head_revision() -> str | None:
    """The newest migration this installation carries."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade(engine: Engine, revision: str = "head") -> None:
    _run(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    _run(engine, command.downgrade, revision)


def _run(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    cfg = alembic_config()
    with (
        engine.connect() as connection,
        sqlite_tables_rebuilt_safely(connection),
        connection.begin(),
    ):
        cfg.attributes["connection"] = connection
        step(cfg, revision)
        check_foreign_keys(connection)


@contextmanager
def sqlite_tables_rebuilt_safely(connection: Connection) -> Iterator[None]:
    """SQLite changes most columns by building a new table, copying the rows and dropping the
    old one; with foreign keys on, dropping ``user_account`` deletes every membership, and
    dropping ``consultation_round`` every comment (ON DELETE CASCADE). So foreign keys are off
    while migrations run — SQLite's own advice for schema changes — and checked before the
    commit (:func:`check_foreign_keys`). The pragma works only outside a transaction: it is
    set on the driver's connection before SQLAlchemy begins one, and set back after."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def check_foreign_keys(connection: Connection) -> None:
    """On SQLite, refuse (and so roll back) migrations that left a row pointing nowhere."""
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise RuntimeError(f"migration left rows pointing nowhere in: {', '.join(tables)}")


def grant_app_role(engine: Engine, role: str) -> None:
    """Give an ordinary PostgreSQL role what the app needs, and no more."""
    if engine.dialect.name != "postgresql":
        return
    quoted = '"' + role.replace('"', '""') + '"'
    with engine.begin() as conn:
        conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {quoted}"))
        conn.execute(
            text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}")
        )
        conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}"))
        for table in READ_ONLY_TABLES:
            conn.execute(text(f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM {quoted}"))


def fill_derived(session: Session) -> int:
    """Values the code keeps on rows but a migration cannot compute in SQL (working hours need
    the holiday calendar): help requests that predate them get their due times and working
    minutes. Runs after every upgrade; does nothing once they are filled."""
    from sqlalchemy import select

    from app.counties.models import Workspace
    from app.helpdesk import service as helpdesk_service
    from app.tenancy import set_db_scope

    filled = 0
    for ws in session.scalars(select(Workspace).order_by(Workspace.id)):
        set_db_scope(session, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
        filled += helpdesk_service.fill_missing_derived(session, ws)
    set_db_scope(session, workspace_id=None, user_id=None)
    return filled


def load_module_reference(session: Session) -> dict[str, int]:
    """Each feature module's own national reference data (the scheme catalogue), after the
    counties and municipalities it may refer to."""
    from app.modules import MODULES

    loaded: dict[str, int] = {}
    for module in MODULES:
        if module.reference is not None:
            loaded.update(module.reference(session))
    return loaded


def migrate(owner_url: str, app_role: str | None = None) -> dict[str, int]:
    from app.counties import service as counties_service

    engine = make_engine(owner_url)
    try:
        upgrade(engine)
        if app_role:
            grant_app_role(engine, app_role)
        with Session(engine) as session, session.begin():
            loaded = counties_service.load_reference(session)
            loaded.update(load_module_reference(session))
        with Session(engine) as session, session.begin():
            fill_derived(session)
        return loaded
    finally:
        engine.dispose()
