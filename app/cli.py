"""The `samspill` command: serve, migrate, reference data, workspaces, admins, demo, worker."""

from __future__ import annotations

import getpass
import os
import secrets
import sys
import tempfile
import threading
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import get_settings
from app.db import make_engine

cli = typer.Typer(
    help="Samspill: the county's workspace for innovation and digitalisation.",
    no_args_is_help=True,
    add_completion=False,
)
workspace_cli = typer.Typer(help="Workspaces (one per county).", no_args_is_help=True)
cli.add_typer(workspace_cli, name="workspace")


def _owner_session() -> Session:
    import app.models  # noqa: F401

    engine = make_engine(get_settings().owner_database_url)
    return Session(engine)


@cli.command()
def migrate() -> None:
    """Bring the schema to the newest version and load missing reference data."""
    from app.migrate import migrate as run

    settings = get_settings()
    added = run(settings.owner_database_url, settings.app_db_role)
    typer.echo(
        "Database is up to date. Reference data added: "
        + ", ".join(f"{v} {k}" for k, v in added.items())
    )


@cli.command()
def setup(
    demo: Annotated[bool, typer.Option(help="Load the demo into an empty database")] = False,
) -> None:
    """What `make run` needs in one start: migrate, then the demo into an empty database."""
    from app import demo as demo_module
    from app.migrate import migrate as run

    settings = get_settings()
    run(settings.owner_database_url, settings.app_db_role)
    if demo:
        with _owner_session() as session, session.begin():
            if demo_module.is_empty(session):
                demo_module.load_demo(session)
                typer.echo("Demo loaded.")
        typer.echo(f"Demo users (password {demo_module.DEMO_PASSWORD!r}):")
        for line in demo_module.demo_user_lines():
            typer.echo(line)


@cli.command("load-reference")
def load_reference() -> None:
    """Load counties, municipalities, standard partner organisations and the national scheme
    catalogue that are missing."""
    from app.counties import service
    from app.migrate import load_module_reference

    with _owner_session() as session, session.begin():
        added = service.load_reference(session)
        added.update(load_module_reference(session))
    typer.echo("Added: " + ", ".join(f"{v} {k}" for k, v in added.items()))


@cli.command("import-population")
def import_population(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Refresh population from an SSB table 07459 export (semicolon-separated CSV)."""
    from app.counties import service

    raw = file.read_bytes()
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError:
        content = raw.decode("cp1252")  # StatBank offers Windows-1252 as well
    with _owner_session() as session, session.begin():
        report = service.import_population(session, content)
        if report.errors:
            session.rollback()
            typer.echo("Nothing was changed. Fix these rows and try again:", err=True)
            for line in report.errors:
                typer.echo(f"  {line}", err=True)
            raise typer.Exit(code=1)
    typer.echo(
        f"Population {report.year}: {report.updated} municipalities updated, "
        f"{report.unchanged} unchanged."
    )


@workspace_cli.command("create")
def workspace_create(
    county: Annotated[str, typer.Option(help="County number, e.g. 50 for Trøndelag")],
    slug: Annotated[str, typer.Option(help="Short name in URLs, e.g. trondelag")],
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
) -> None:
    """Create a county workspace."""
    from pydantic import ValidationError

    from app.counties import service
    from app.counties.models import County
    from app.counties.schemas import WorkspaceCreate
    from app.errors import AppError

    county = county.zfill(2)
    with _owner_session() as session, session.begin():
        row = session.get(County, county)
        if row is None:
            typer.echo(f"No county with number {county}.", err=True)
            raise typer.Exit(code=1)
        try:
            data = WorkspaceCreate(
                slug=slug, name=name or f"{row.name} fylkeskommune", county_number=county
            )
            workspace = service.create_workspace(session, data)
        except ValidationError as exc:
            typer.echo(f"Invalid input: {exc.errors()[0]['msg']}", err=True)
            raise typer.Exit(code=1) from None
        except AppError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(code=1) from None
        typer.echo(f"Created workspace {workspace.slug!r} ({workspace.name}).")


@cli.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="E-mail address of the admin")],
    name: Annotated[str, typer.Option(help="Full name")],
    workspace: Annotated[
        list[str] | None, typer.Option(help="Workspace slug (repeat); default: every workspace")
    ] = None,
    password: Annotated[
        str | None, typer.Option(help="Password; asked for when omitted, or generated")
    ] = None,
) -> None:
    """Create the first county admin (or make an existing user admin of workspaces)."""
    from app.accounts import service
    from app.counties.models import Workspace
    from app.tenancy import set_db_scope

    with _owner_session() as session, session.begin():
        targets = list(session.scalars(select(Workspace).order_by(Workspace.slug)))
        if workspace:
            targets = [w for w in targets if w.slug in set(workspace)]
            missing = set(workspace) - {w.slug for w in targets}
            if missing:
                typer.echo(f"Unknown workspace(s): {', '.join(sorted(missing))}", err=True)
                raise typer.Exit(code=1)
        if not targets:
            typer.echo("Create a workspace first: samspill workspace create ...", err=True)
            raise typer.Exit(code=1)
        user = service.get_user_by_email(session, email)
        generated = False
        if user is None:
            if password is None and sys.stdin.isatty():
                password = getpass.getpass("Password (at least 10 characters): ")
            if not password:
                password = secrets.token_urlsafe(12)
                generated = True
            if len(password) < 10:
                typer.echo("The password must have at least 10 characters.", err=True)
                raise typer.Exit(code=1)
            user = service.create_user(session, email=email, name=name, password=password)
        for ws in targets:
            set_db_scope(session, workspace_id=ws.id, user_id=None)
            service.add_membership(session, ws, user, "county_admin")
        typer.echo(f"{user.email} is county admin of: {', '.join(w.slug for w in targets)}")
        if generated:
            typer.echo(f"Generated password: {password}")


@cli.command("load-demo")
def load_demo(
    if_empty: Annotated[bool, typer.Option(help="Only when the database has no workspace")] = False,
) -> None:
    """Load the demo workspaces and users (password: demo-passord)."""
    from app import demo

    with _owner_session() as session, session.begin():
        if not demo.is_empty(session):
            if if_empty:
                typer.echo("Database already has data; the demo was not loaded.")
                return
            typer.echo("The database is not empty; refusing to load the demo.", err=True)
            raise typer.Exit(code=1)
        demo.load_demo(session)
    typer.echo(f"Demo loaded. Every demo user has the password {demo.DEMO_PASSWORD!r}:")
    for line in demo.demo_user_lines():
        typer.echo(line)


@cli.command("demo-users")
def demo_users() -> None:
    """Print the demo users."""
    from app import demo

    typer.echo(f"Demo users (password {demo.DEMO_PASSWORD!r}):")
    for line in demo.demo_user_lines():
        typer.echo(line)


@cli.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Default: SAMSPILL_PORT or 8000")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Default: SAMSPILL_WORKERS, else one per core (one in production while the "
            "rate limits are counted in memory)"
        ),
    ] = None,
) -> None:
    """Serve the web app with uvicorn."""
    import uvicorn

    from app.config import check_production

    settings = get_settings()
    count = workers or settings.worker_count
    check_production(settings.model_copy(update={"workers": count}))
    # Each worker process sizes its database pool by the number of workers (app.db.pool_size).
    os.environ["SAMSPILL_WORKERS"] = str(count)
    get_settings.cache_clear()
    typer.echo(f"Serving with {count} worker process{'es' if count > 1 else ''}.")
    if count > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # /metrics sums the request figures of every worker process through this folder.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="samspill-metrics-")
    uvicorn.run(
        "app.asgi:app",
        host=host,
        port=port or settings.port,
        workers=count,
        proxy_headers=True,
        # Only these proxies' X-Forwarded-For/-Proto are believed (SAMSPILL_FORWARDED_ALLOW_IPS).
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_level="info",
        log_config=None,  # app.logs formats every line (set up in app.asgi)
        access_log=False,  # app.logs.AccessLog writes one line per request instead
        timeout_keep_alive=settings.keep_alive_seconds,
    )


@cli.command()
def worker() -> None:
    """Deliver queued e-mail and run every module's periodic jobs (the consultation jobs every
    five minutes: invitations when a round opens, reminders, daily digests); runs until
    stopped."""
    import app.models  # noqa: F401
    from app import logs
    from app.config import check_production
    from app.db import make_sessionmaker
    from app.mail import service
    from app.modules import periodic_jobs

    settings = get_settings()
    check_production(settings)
    logs.setup(settings)
    factory = make_sessionmaker(make_engine(settings.database_url))
    stop = threading.Event()
    try:
        periodic = periodic_jobs()
        service.run_worker(factory, settings, stop, periodic=periodic)
    except KeyboardInterrupt:
        stop.set()


@cli.command("strategies-jobs")
def strategies_jobs() -> None:
    """Run the consultation jobs once: invitations of rounds that opened, reminders before
    deadlines, and the daily digest (after 07:00). Safe to run from cron as often as you like."""
    import app.models  # noqa: F401
    from app.db import make_sessionmaker
    from app.strategies import jobs

    settings = get_settings()
    totals = jobs.run_all(make_sessionmaker(make_engine(settings.database_url)))
    typer.echo(
        f"invitations: {totals['invitations']}, reminders: {totals['reminders']}, "
        f"digests: {totals['digests']}"
    )


@cli.command("schemes-reminders")
def schemes_reminders() -> None:
    """Send the deadline reminders that are due now (e-mail to the contact persons and the
    coordinators), once. Safe to run as often as you like: none is sent twice."""
    import app.models  # noqa: F401
    from app.db import make_sessionmaker
    from app.schemes import reminders

    settings = get_settings()
    totals = reminders.job(make_sessionmaker(make_engine(settings.database_url)))
    typer.echo(
        f"workspaces: {totals['workspaces']}, mails: {totals['mails']}, "
        f"reminders: {totals['reminders']}, already sent by another run: {totals['skipped']}"
    )


def _register_operator_commands() -> None:
    from app.ops import backup, mail, maintenance, users

    for part in (backup, users, mail, maintenance):
        part.register(cli)


_register_operator_commands()


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
