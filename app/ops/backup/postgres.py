"""PostgreSQL: ``pg_dump --format=custom`` of the owner's connection, and
``pg_restore --clean --if-exists --no-owner --single-transaction`` into it, then the app's role
checked (it must read every table; row-level security comes back with the dump)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from sqlalchemy import make_url, text

from app.config import Settings
from app.ops.backup.common import BackupError, first_line, revision_of, run_tool, tool


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """A SQLAlchemy URL as a libpq connection string for pg_dump/pg_restore, and the
    environment that carries the password (so that it is not on the command line)."""
    from psycopg.conninfo import make_conninfo

    parsed = make_url(url)
    params: dict[str, Any] = {"dbname": parsed.database}
    if parsed.host:
        params["host"] = parsed.host
    if parsed.port:
        params["port"] = parsed.port
    if parsed.username:
        params["user"] = parsed.username
    for name, value in parsed.query.items():
        params[name] = value if isinstance(value, str) else value[-1]
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    return make_conninfo(**{k: v for k, v in params.items() if v is not None}), env


def dump(url: str, target: Path) -> str:
    from app.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            bypass = conn.execute(
                text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
            ).scalar()
            user = conn.execute(text("SELECT current_user")).scalar()
            revision = revision_of(conn)
    except BackupError:
        raise
    except Exception as exc:
        raise BackupError(f"Cannot read the database: {first_line(exc)}") from exc
    finally:
        engine.dispose()
    if not bypass:
        raise BackupError(
            f"The role {user} is subject to row-level security (the tables FORCE it), so a dump "
            "would miss every workspace's rows. Back up as a role with BYPASSRLS (as a "
            f"superuser: ALTER ROLE {user} BYPASSRLS) or as a superuser, through "
            "SAMSPILL_MIGRATION_DATABASE_URL."
        )
    conninfo, env = libpq(url)
    run_tool(
        [
            tool("pg_dump"),
            "--format=custom",
            "--no-password",
            f"--file={target}",
            f"--dbname={conninfo}",
        ],
        env,
    )
    return revision


def dump_tables(dump: Path) -> set[str]:
    """The tables of the public schema in a custom-format dump (reading its table of contents
    also proves that pg_restore can read it)."""
    listing = run_tool([tool("pg_restore"), "--list", str(dump)])
    tables = set()
    for line in listing.splitlines():
        if line.startswith(";"):
            continue
        parts = line.split()
        if len(parts) >= 6 and parts[3] == "TABLE" and parts[4] == "public":
            tables.add(parts[5])
    return tables


def _has_data(conn: Any, tables: set[str]) -> bool:
    return any(
        name in tables and conn.execute(text(f"SELECT 1 FROM {name} LIMIT 1")).first() is not None
        for name in ("workspace", "user_account")
    )


def check_target(url: str, dump: Path, yes: bool) -> None:
    from app.db import make_engine

    in_dump = dump_tables(dump)
    if "alembic_version" not in in_dump:
        raise BackupError(
            "The backup's database dump holds no Samspill schema. Nothing was changed."
        )
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            present = set(
                conn.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                ).scalars()
            )
            has_data = _has_data(conn, present)
    except Exception as exc:
        raise BackupError(
            f"Cannot reach the database to restore into: {first_line(exc)}. Nothing was changed."
        ) from exc
    finally:
        engine.dispose()
    extra = sorted(present - in_dump)
    if extra:
        raise BackupError(
            "The database has tables the backup does not ("
            + ", ".join(extra)
            + "): it holds a newer schema or something else. Restore into an empty database "
            "(DROP DATABASE and CREATE DATABASE it again). Nothing was changed."
        )
    if has_data and not yes:
        raise BackupError(
            "The database has data (workspaces or users). Restoring replaces all of it: run "
            "again with --yes if that is what you want. Nothing was changed."
        )


def _restore_dump(conninfo: str, env: dict[str, str], dump: Path) -> None:
    run_tool(
        [
            tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={conninfo}",
            str(dump),
        ],
        env,
    )


def restore(settings: Settings, dump: Path) -> list[str]:
    """pg_restore in one transaction, then the app role's privileges; warnings to print."""
    from app.db import make_engine
    from app.migrate import grant_app_role

    url = settings.owner_database_url
    conninfo, env = libpq(url)
    try:
        _restore_dump(conninfo, env, dump)
    except BackupError as exc:
        role = re.search(r'role "([^"]+)" does not exist', str(exc))
        hint = (
            f"\nThe backup grants privileges to the role {role.group(1)}: create it first "
            f"(CREATE ROLE {role.group(1)} LOGIN), then run the restore again."
            if role
            else ""
        )
        raise BackupError(
            f"{exc}\nThe database was left as it was (the restore is one transaction); the "
            f"archive's files were put into the storage.{hint}"
        ) from None
    warnings = []
    owner = make_engine(url)
    try:
        if settings.app_db_role:
            grant_app_role(owner, settings.app_db_role)
    finally:
        owner.dispose()
    if make_url(settings.database_url) != make_url(url):
        warning = _app_role_problem(settings.database_url)
        if warning:
            warnings.append(warning)
    return warnings


def _app_role_problem(app_url: str) -> str | None:
    """What the app's own role (SAMSPILL_DATABASE_URL) cannot do in the restored database."""
    from app.db import make_engine

    engine = make_engine(app_url)
    try:
        with engine.connect() as conn:
            missing = list(
                conn.execute(
                    text(
                        "SELECT c.relname FROM pg_class c "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') "
                        "AND NOT has_table_privilege(c.oid, 'SELECT') ORDER BY c.relname"
                    )
                ).scalars()
            )
    except Exception as exc:
        return f"The app's role (SAMSPILL_DATABASE_URL) cannot connect: {first_line(exc)}"
    finally:
        engine.dispose()
    if not missing:
        return None
    return (
        "The app's role (SAMSPILL_DATABASE_URL) cannot read "
        + ", ".join(missing[:5])
        + (f" and {len(missing) - 5} more tables" if len(missing) > 5 else "")
        + ": grant it what it needs with SAMSPILL_APP_DB_ROLE=<role> samspill migrate."
    )
