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
        # Every tenant-owned table, and the outbox (its workspace_id may be empty: mail of no
        # workspace), and only those.
        assert set(forced) == tenant_tables() | {"outbox_message"}
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
