"""`samspill backup` and `samspill restore`: the database and every stored file in one archive.

The archive is a gzipped tar file holding

- ``database.dump`` (PostgreSQL: ``pg_dump --format=custom`` of the owner's connection) or
  ``database.sqlite3`` (SQLite: a copy made through sqlite3's online backup API);
- ``files/<key>`` for every file in the storage (the local folder or the bucket);
- ``manifest.json``: the app's version, the schema's Alembic revision, the kind of database,
  the number of files, when it was made, and the size and SHA-256 of every part.

The database is dumped first and the files listed after it: a file is stored before the row
that refers to it is committed, so every file the dump refers to is in the archive.

A restore reads and checks the whole archive (every checksum, the kind of database, a schema
this version knows, a dump that reads) before it touches anything. Then it puts the files back
(first, so that no restored row lacks its file) and replaces the database: on PostgreSQL with
``pg_restore --clean --if-exists --no-owner --single-transaction`` (all or nothing), on SQLite
through the backup API. A database that has data, or a stored file the archive would replace
with other bytes, is only replaced with ``--yes``.

Here: the commands; ``service`` (make an archive, put one back); ``archive`` (its format, read
and checked whole); ``postgres`` and ``sqlite`` (each database's dump and restore); ``common``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.config import get_settings
from app.ops.backup.common import BackupError
from app.ops.backup.service import default_output, make_backup, restore_backup


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    value, unit = n / 1024, "KiB"
    for bigger in ("MiB", "GiB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:.1f} {unit}"


def _fail(exc: Exception) -> typer.Exit:
    typer.echo(f"Error: {exc}", err=True)
    return typer.Exit(code=1)


def register(cli: typer.Typer) -> None:
    """Add `backup` and `restore` to ``cli``."""

    @cli.command("backup")
    def backup(
        output: Annotated[
            Path | None,
            typer.Option(
                "--output",
                "-o",
                help="Archive to write (default: samspill-backup-YYYYmmdd-HHMMSS.tar.gz here)",
                dir_okay=False,
            ),
        ] = None,
    ) -> None:
        """Write the database and every stored file into one archive (.tar.gz)."""
        settings = get_settings()
        try:
            summary = make_backup(settings, output or default_output())
        except BackupError as exc:
            raise _fail(exc) from None
        typer.echo(f"Wrote {summary.path} ({_size(summary.size)}).")
        typer.echo(
            f"  database: {summary.kind}, schema revision {summary.revision}, "
            f"{_size(summary.database_size)}"
        )
        typer.echo(f"  files: {summary.files} ({_size(summary.files_size)})")

    @cli.command("restore")
    def restore(
        file: Annotated[Path, typer.Argument(help="An archive written by `samspill backup`")],
        yes: Annotated[
            bool,
            typer.Option("--yes", help="Replace a database that has data, and differing files"),
        ] = False,
    ) -> None:
        """Put back the database and the files of an archive from `samspill backup`. Stop the
        app processes first."""
        settings = get_settings()
        try:
            summary = restore_backup(settings, file, yes=yes)
        except BackupError as exc:
            raise _fail(exc) from None
        typer.echo(
            f"Restored the {summary.kind} database (schema revision {summary.revision}) from "
            f"{file}."
        )
        typer.echo(
            f"  files: {summary.files_put} put back, {summary.files_same} already there, "
            f"in {summary.location}"
        )
        if summary.revision != summary.head:
            typer.echo(
                f"The backup's schema is older ({summary.revision}) than this version's "
                f"({summary.head}): run `samspill migrate` now."
            )
        for warning in summary.warnings:
            typer.echo(f"Warning: {warning}", err=True)
        if summary.warnings:
            raise typer.Exit(code=1)
