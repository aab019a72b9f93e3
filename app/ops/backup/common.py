"""What the backup's parts share: the archive's names, the operator's error, running
pg_dump/pg_restore, checksums and the schema's revision."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import make_url, text

FORMAT = "samspill-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES = "files/"
DATABASE_MEMBER = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
BUFFER = 1024 * 1024


class BackupError(Exception):
    """Something an operator can act on; the message says what, and nothing was changed unless
    it says so."""


def database_kind(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in DATABASE_MEMBER:
        raise BackupError(f"Unsupported database {name!r}: only PostgreSQL and SQLite.")
    return name


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL client of the server's major version "
            "(on Debian: postgresql-client)."
        )
    return found


def run_tool(args: list[str], env: dict[str, str] | None = None) -> str:
    # The arguments are the tool found on PATH and our own settings, never a shell string.
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        name = Path(args[0]).name
        raise BackupError(f"{name} failed (exit {done.returncode}):\n{done.stderr.strip()}")
    return done.stdout


def sha256_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while block := fh.read(BUFFER):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def first_line(exc: Exception) -> str:
    """An exception's own message, without SQLAlchemy's statement and background link."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def revision_of(conn: Any) -> str:
    """The schema's Alembic revision, through a SQLAlchemy connection or a sqlite3 one."""
    try:
        if isinstance(conn, sqlite3.Connection):
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        else:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as exc:
        raise BackupError(
            "The database has no Samspill schema (no alembic_version): run `samspill migrate` "
            "first, or check SAMSPILL_MIGRATION_DATABASE_URL / SAMSPILL_DATABASE_URL."
        ) from exc
    if not revision:
        raise BackupError("The database's alembic_version is empty: run `samspill migrate`.")
    return str(revision)
