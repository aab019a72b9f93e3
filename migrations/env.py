"""Alembic environment. Migrations run with the owner's connection
(SAMSPILL_MIGRATION_DATABASE_URL, or SAMSPILL_DATABASE_URL), or with a connection handed in
through ``config.attributes['connection']``."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection

import app.models  # noqa: F401  (registers every table on Base.metadata)
from app.config import get_settings
from app.db import AwareDateTime, Base, include_object, make_engine
from app.migrate import check_foreign_keys, sqlite_tables_rebuilt_safely

target_metadata = Base.metadata


def render_item(kind: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Write the app's own column types as the plain SQL types they stand for, so that a
    generated migration does not import app code: ``AwareDateTime`` is a time stamp with time
    zone in the database (what it adds happens in Python)."""
    if kind == "type" and isinstance(obj, AwareDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    given = context.config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().owner_database_url
    engine = make_engine(url)
    with engine.connect() as connection, sqlite_tables_rebuilt_safely(connection):
        _run(connection)
        check_foreign_keys(connection)
        connection.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run `samspill migrate`.")
run_migrations_online()
