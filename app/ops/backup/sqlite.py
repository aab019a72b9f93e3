"""SQLite: a copy through sqlite3's online backup API (consistent while the app runs), and the
same API to put it back over the installation's file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import make_url

from app.ops.backup.common import BackupError, revision_of


def path_of(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("The SQLite database is in memory: there is nothing to back up.")
    return Path(database)


def _uri(path: Path, mode: str = "ro") -> str:
    return f"{path.resolve().as_uri()}?mode={mode}"


def dump(url: str, target: Path) -> str:
    source = path_of(url)
    if not source.is_file():
        raise BackupError(f"There is no SQLite database at {source}.")
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # the online backup API: a consistent copy while the app runs
            # One self-contained file in the archive, whatever the journal of the source.
            dst.execute("PRAGMA journal_mode=DELETE")
            return revision_of(dst)
        finally:
            dst.close()
    finally:
        src.close()


def revision(path: Path) -> str:
    conn = sqlite3.connect(_uri(path), uri=True)
    try:
        status = conn.execute("PRAGMA integrity_check").fetchone()
        if not status or status[0] != "ok":
            raise BackupError("The backup's SQLite database is damaged. Nothing was changed.")
        return revision_of(conn)
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            f"The backup's SQLite database cannot be read ({exc}). Nothing was changed."
        ) from exc
    finally:
        conn.close()


def check_target(target: Path, yes: bool) -> None:
    if not target.is_file():
        return
    try:
        conn = sqlite3.connect(_uri(target), uri=True)
        try:
            tables = {
                row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            has_data = any(
                name in tables and conn.execute(f"SELECT 1 FROM {name} LIMIT 1").fetchone()
                for name in ("workspace", "user_account")
            )
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        has_data = True  # not readable as a database: something is there
    if has_data and not yes:
        raise BackupError(
            f"The database {target} has data (workspaces or users). Restoring replaces all of "
            "it: run again with --yes if that is what you want. Nothing was changed."
        )


def restore(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(_uri(source), uri=True)
    try:
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst)  # replaces every page of the target, under its lock
        finally:
            dst.close()
    finally:
        src.close()
