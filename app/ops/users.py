"""Operator commands for people and workspaces:

    samspill user deactivate EMAIL           no more sign-ins; sessions and API tokens end
    samspill user activate EMAIL             undo it
    samspill user reset-password EMAIL [--send]
                                             a one-time link to choose a new password: printed
                                             for the operator to hand over, or e-mailed
    samspill workspace list                  slug, county, name, members, created

They run on the owner's connection (``SAMSPILL_MIGRATION_DATABASE_URL``, else
``SAMSPILL_DATABASE_URL``), each in one transaction: a refusal changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.accounts.models import User

user_cli = typer.Typer(help="User accounts: deactivate, activate, reset a password.")

Email = Annotated[
    str, typer.Argument(help="The user's e-mail address", metavar="EMAIL", show_default=False)
]


@contextmanager
def _owner_session() -> Iterator[Session]:
    """One transaction on the owner's connection: committed at the end, rolled back when the
    command stops with an error."""
    from sqlalchemy.orm import Session

    import app.models  # noqa: F401  (every table)
    from app.config import get_settings
    from app.db import make_engine

    engine = make_engine(get_settings().owner_database_url)
    try:
        with Session(engine) as session, session.begin():
            yield session
    finally:
        engine.dispose()


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code=1)


def _user(session: Session, email: str) -> User:
    from app.accounts import service

    user = service.get_user_by_email(session, email)
    if user is None:
        raise _fail(f"No user with the e-mail address {service.normalise_email(email)!r}.")
    return user


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@user_cli.command("deactivate")
def deactivate(email: Email) -> None:
    """Stop a user from signing in: their sessions and API tokens end.

    Open password-reset links are voided too. Memberships stay, so `samspill user activate`
    gives back the same access."""
    from app.accounts import service

    with _owner_session() as session:
        user = _user(session, email)
        if not user.is_active:
            typer.echo(f"{user.email} is already deactivated; nothing changed.")
            return
        done = service.deactivate_user(session, user)
        address = user.email
    typer.echo(
        f"Deactivated {address}: ended {_plural(done.sessions, 'session')}, revoked "
        f"{_plural(done.api_tokens, 'API token')}, voided "
        f"{_plural(done.reset_links, 'password-reset link')}. They can no longer sign in "
        f"(undo: samspill user activate {address})."
    )


@user_cli.command("activate")
def activate(email: Email) -> None:
    """Let a deactivated user sign in again.

    They get back the memberships they had; their API tokens stay revoked."""
    from app.accounts import service

    with _owner_session() as session:
        user = _user(session, email)
        if user.is_active:
            typer.echo(f"{user.email} is active already; nothing changed.")
            return
        service.activate_user(session, user)
        address = user.email
    typer.echo(f"Activated {address}: they can sign in again.")


@user_cli.command("reset-password")
def reset_password(
    email: Email,
    send: Annotated[
        bool, typer.Option("--send", help="E-mail the link to the user instead of printing it")
    ] = False,
) -> None:
    """Make a one-time link to choose a new password: printed, or e-mailed with --send.

    The link works once, for SAMSPILL_PASSWORD_RESET_MINUTES. Without --send it is printed for
    you to hand over; with --send it is e-mailed to the user, in their language. Using it ends
    all their sessions."""
    from app.accounts import password_reset
    from app.clock import local
    from app.config import get_settings

    settings = get_settings()
    with _owner_session() as session:
        user = _user(session, email)
        if not user.is_active:
            raise _fail(
                f"{user.email} is deactivated; activate the account first "
                f"(samspill user activate {user.email})."
            )
        if user.password_hash is None:
            raise _fail(
                f"{user.email} signs in only through OpenID Connect and has no password to reset."
            )
        row, token = password_reset.issue(session, user, settings)
        if send:
            password_reset.send_mail(
                session, user, token, settings, fallback_locale=settings.default_locale
            )
        address = user.email
        until = local(row.expires_at).strftime("%Y-%m-%d %H:%M")
    if send:
        typer.echo(
            f"Queued a password-reset mail to {address} (the mail worker sends it). "
            f"The link works once, until {until} (Norwegian time)."
        )
    else:
        typer.echo(f"One-time password-reset link for {address} (works once, until {until}):")
        typer.echo(password_reset.reset_link(settings, token))


def workspace_list() -> None:
    """List the workspaces: slug, county, name, members, created."""
    from sqlalchemy import select

    from app.accounts import service
    from app.clock import local_date
    from app.counties.models import County, Workspace
    from app.tenancy import set_db_scope

    with _owner_session() as session:
        rows = session.execute(
            select(Workspace, County.name)
            .join(County, County.number == Workspace.county_number)
            .order_by(Workspace.slug)
        ).all()
        table = []
        for workspace, county_name in rows:
            set_db_scope(
                session,
                workspace_id=workspace.id,
                user_id=None,
                county_number=workspace.county_number,
            )
            table.append(
                (
                    workspace.slug,
                    f"{workspace.county_number} {county_name}",
                    workspace.name,
                    str(service.count_members(session, workspace.id)),
                    local_date(workspace.created_at).isoformat(),
                )
            )
    if not table:
        typer.echo("No workspaces yet. Create one: samspill workspace create --county … --slug …")
        return
    header = ("SLUG", "COUNTY", "NAME", "MEMBERS", "CREATED")
    widths = [max(len(r[i]) for r in (header, *table)) for i in range(len(header))]
    for r in (header, *table):
        typer.echo(
            "  ".join(
                cell.rjust(w) if i == 3 else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
        )


def _workspace_group(cli: typer.Typer) -> typer.Typer:
    """The `workspace` sub-command group `app.cli` made (one is made when it is missing)."""
    for group in cli.registered_groups:
        if group.name == "workspace" and isinstance(group.typer_instance, typer.Typer):
            return group.typer_instance
    group_cli = typer.Typer(help="Workspaces (one per county).", no_args_is_help=True)
    cli.add_typer(group_cli, name="workspace")
    return group_cli


def register(cli: typer.Typer) -> None:
    """Add `samspill user …` and `samspill workspace list` to ``cli``."""
    cli.add_typer(user_cli, name="user", no_args_is_help=True)
    _workspace_group(cli).command("list")(workspace_list)
