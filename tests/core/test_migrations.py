import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, make_url, text

from app.db import Base, include_object, make_engine
from app.migrate import alembic_config, downgrade, upgrade
from app.tenancy import tenant_tables
from conftest import PG_OWNER_URL


def test_no_drift_between_models_and_migrations(database):
    """What `alembic check` does: the migrated schema matches the models."""
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def _roundtrip(engine):
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"workspace", "membership", "audit_event", "outbox_message"} <= tables
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) == tables


def test_downgrade_upgrade_roundtrip_sqlite(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'rt.db'}")
    _roundtrip(engine)
    engine.dispose()


def test_downgrade_upgrade_roundtrip_postgres():
    if not PG_OWNER_URL:
        pytest.skip("PostgreSQL not available")
    name = f"samspill_rt_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_OWNER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(PG_OWNER_URL).set(database=name).render_as_string(False))
    try:
        _roundtrip(engine)
        with engine.connect() as conn:
            forced = (
                conn.execute(
                    text("SELECT relname FROM pg_class WHERE relforcerowsecurity ORDER BY relname")
                )
                .scalars()
                .all()
            )
        # Every tenant-owned table, and the outbox with its attachments (their workspace_id may
        # be empty: mail of no workspace), and only those.
        assert set(forced) == tenant_tables() | {"outbox_message", "outbox_attachment"}
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_migration_files_are_named_by_date():
    cfg = alembic_config()
    from alembic.script import ScriptDirectory

    for script in ScriptDirectory.from_config(cfg).walk_revisions():
        name = script.path.rsplit("/", 1)[-1]
        assert name[:10].replace("_", "").isdigit(), name


def _row_counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table: conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
            for table in inspect(engine).get_table_names()
            if table != "alembic_version"
        }


def test_migrations_keep_every_row_on_sqlite(tmp_path):
    """SQLite rebuilds a table to change it; with foreign keys on, the rebuild of
    ``user_account`` deleted every membership and that of ``consultation_round`` every comment
    (ON DELETE CASCADE). A database with the demo in it goes down to 0012 and back up to head
    with every row kept."""
    from sqlalchemy.orm import Session

    from app import demo
    from app.migrate import migrate

    url = f"sqlite:///{tmp_path / 'kept.db'}"
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        demo.load_demo(session)
    before = _row_counts(engine)
    assert before["membership"] > 5 and before["consultation_comment"] > 5
    downgrade(engine, "0012")
    kept = set(_row_counts(engine))  # tables made after 0012 (notifications) go with it
    upgrade(engine)
    after = _row_counts(engine)
    engine.dispose()
    changed = {t: (before[t], after.get(t)) for t in before if before[t] != after.get(t)}
    assert {t: counts for t, counts in changed.items() if t in kept} == {}
