"""Operator commands for e-mail:

    samspill mail status                 how many messages wait, are retried, failed, were sent;
                                         the newest failures with their reasons
    samspill mail retry [--id N]...      failed (and waiting) messages are tried again now
    samspill send-test-mail ADDRESS      one message straight over SMTP; says what went wrong

They use the app's connection (``SAMSPILL_DATABASE_URL``); the outbox is not tenant-owned."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

mail_cli = typer.Typer(help="The e-mail outbox: status, retry.", no_args_is_help=True)


@contextmanager
def _session() -> Iterator[Session]:
    from sqlalchemy.orm import Session

    import app.models  # noqa: F401  (every table)
    from app.config import get_settings
    from app.db import make_engine
    from app.tenancy import set_system_scope

    engine = make_engine(get_settings().database_url)
    try:
        with Session(engine) as session, session.begin():
            set_system_scope(session)
            yield session
    finally:
        engine.dispose()


@mail_cli.command("status")
def status() -> None:
    """How many messages are queued, being retried, failed and sent; the newest failures."""
    from app.mail import service

    with _session() as session:
        counts = service.counts(session)
        typer.echo(
            f"queued: {counts['queued']}, retrying: {counts['retrying']}, "
            f"failed: {counts['failed']}, sent: {counts['sent']}"
        )
        if counts["queued"] or counts["retrying"]:
            typer.echo(f"oldest unsent: {counts['oldest_unsent_seconds']:.0f} s old")
        problems = service.recent(session, state="failed", limit=10) + service.recent(
            session, state="retrying", limit=10
        )
        for row in problems:
            typer.echo(
                f"  #{row.id} {service.state_of(row)} to {row.recipient} "
                f"({row.attempts} attempts): {row.subject[:60]} — {row.last_error}"
            )
        if counts["failed"]:
            typer.echo("Retry them with: samspill mail retry")


@mail_cli.command("retry")
def retry(
    ids: Annotated[
        list[int] | None, typer.Option("--id", help="Only this message (repeat); default: all")
    ] = None,
) -> None:
    """Try failed (and waiting) messages again now, with a fresh set of attempts. The worker
    sends them on its next round."""
    from app.mail import service

    with _session() as session:
        count = service.retry(session, ids=list(ids) if ids else None)
    if ids and count < len(ids):
        typer.echo(f"{len(ids) - count} of the given messages are sent already or unknown.")
    typer.echo(f"{count} message(s) will be sent again by the worker.")


def send_test_mail(
    address: Annotated[str, typer.Argument(help="Where to send it", show_default=False)],
) -> None:
    """Send one message straight over SMTP (not through the outbox) and say how it went."""
    import smtplib

    from email_validator import EmailNotValidError, validate_email

    from app.config import get_settings
    from app.mail import service

    settings = get_settings()
    try:
        to = validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        typer.echo(f"Not an e-mail address: {exc}", err=True)
        raise typer.Exit(code=1) from None
    if not settings.smtp_host:
        typer.echo("No SMTP server is configured: set SAMSPILL_SMTP_HOST.", err=True)
        raise typer.Exit(code=1)
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        service.send_now(
            settings,
            to=to,
            subject="Samspill: testmelding",
            body="Denne meldingen er sendt fra Samspill for å prøve e-postoppsettet.\n\n"
            f"Sendt via {where} fra {settings.base_url}.\n",
        )
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        typer.echo(f"Sending through {where} failed: {type(exc).__name__}: {exc}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"Sent a test message to {to} through {where}.")


def register(cli: typer.Typer) -> None:
    cli.add_typer(mail_cli, name="mail")
    cli.command("send-test-mail")(send_test_mail)
