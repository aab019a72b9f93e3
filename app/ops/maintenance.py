"""Operator commands for upkeep:

    samspill purge      remove what is no longer needed: ended sessions, old login attempts,
                        unfinished OIDC logins, expired password-reset links, sent mail
                        older than SAMSPILL_PURGE_SENT_MAIL_DAYS (unsent mail always stays),
                        and finished summary exports (the job and its file) older than
                        SAMSPILL_PURGE_EXPORTS_DAYS (waiting or working ones always stay)
    samspill check      are the settings, the database, SMTP and the storage usable? One line
                        each; exit code 1 when any is not

Both are safe to run from cron."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from datetime import timedelta

import typer

from app.config import Settings, get_settings


def purge() -> None:
    """Remove ended sessions, old login attempts, expired links, old sent mail and old exports."""
    from sqlalchemy.orm import Session

    import app.models  # noqa: F401  (every table)
    from app import storage
    from app.accounts import purge as accounts_purge
    from app.db import make_engine, utcnow
    from app.mail import service as mail
    from app.strategies.exports import background as exports
    from app.tenancy import set_system_scope

    settings = get_settings()
    engine = make_engine(settings.owner_database_url)
    now = utcnow()
    try:
        with Session(engine) as session, session.begin():
            set_system_scope(session)
            removed = accounts_purge.purge(session, settings, now)
            removed["sent mail"] = mail.purge_sent(
                session, now - timedelta(days=settings.purge_sent_mail_days)
            )
            removed["finished exports"], files = exports.purge_finished(
                session, now - timedelta(days=settings.purge_exports_days)
            )
    finally:
        engine.dispose()
    # the rows are gone (committed): now their files
    stored = storage.get_storage()
    for key in files:
        try:
            stored.delete(key)
        except Exception as exc:  # one refused delete leaves that file, not the others
            typer.echo(f"Could not remove the stored file {key}: {exc}", err=True)
    typer.echo("Removed: " + ", ".join(f"{n} {what}" for what, n in removed.items()))


def _settings(settings: Settings) -> str:
    from app.config import production_problems

    problems = production_problems(settings)
    if problems:
        raise RuntimeError("; ".join(problems))
    return f"environment {settings.environment}"


def _database(settings: Settings) -> str:
    from sqlalchemy import text

    from app.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
    from app.migrate import head_revision

    head = head_revision()
    if revision != head:
        raise RuntimeError(f"schema at {revision}, the app needs {head}: run samspill migrate")
    return f"{engine.dialect.name}, schema {revision}"


def _smtp(settings: Settings) -> str:
    if settings.mail_to_mailbox:
        return "development mailbox (/dev/post); no SMTP used"
    if not settings.smtp_host:
        raise RuntimeError("SAMSPILL_SMTP_HOST is not set")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        if settings.smtp_starttls:
            smtp.starttls()
            smtp.ehlo()
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password)
        code, _reply = smtp.noop()
        if code != 250:
            raise RuntimeError(f"NOOP answered {code}")
    return f"{settings.smtp_host}:{settings.smtp_port} answers"


def _storage(settings: Settings) -> str:
    from app import storage

    backend = storage.get_storage()
    backend.check()
    return settings.storage_backend


CHECKS: dict[str, Callable[[Settings], str]] = {
    "settings": _settings,
    "database": _database,
    "smtp": _smtp,
    "storage": _storage,
}


def check() -> None:
    """Check the settings, the database (and its schema), SMTP and the storage."""
    settings = get_settings()
    failed = 0
    for name, run in CHECKS.items():
        try:
            detail = run(settings)
        except Exception as exc:
            failed += 1
            typer.echo(f"{name:9} FAILED  {type(exc).__name__}: {exc}")
        else:
            typer.echo(f"{name:9} ok      {detail}")
    if failed:
        raise typer.Exit(code=1)


def register(cli: typer.Typer) -> None:
    cli.command("purge")(purge)
    cli.command("check")(check)
