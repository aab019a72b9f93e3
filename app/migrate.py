"""Schema and reference data: `alembic upgrade head` with the owner's connection, privileges for
the app's database role on PostgreSQL, then the national reference data."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app import ROOT_DIR
from app.db import make_engine

# Reference tables the app may read but never write (they change only through the CLI,
# which uses the owner's connection).
READ_ONLY_TABLES = ("county", "municipality", "organisation", "alembic_version")


def alembic_config() -> Config:
    return Config(str(ROOT_DIR / "alembic.ini"))


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)


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


def migrate(owner_url: str, app_role: str | None = None) -> dict[str, int]:
    from app.counties import service as counties_service

    engine = make_engine(owner_url)
    try:
        upgrade(engine)
        if app_role:
            grant_app_role(engine, app_role)
        with Session(engine) as session, session.begin():
            return counties_service.load_reference(session)
    finally:
        engine.dispose()
