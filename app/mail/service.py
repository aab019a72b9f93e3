"""E-mail through an outbox table and a worker.

``enqueue`` writes the message in the caller's transaction. ``deliver_pending`` sends what is
due over SMTP and records the outcome; a failed message is retried later with a growing delay.
``run_worker`` loops until told to stop; `make run` starts it in a thread, `samspill worker`
runs it on its own."""

from __future__ import annotations

import logging
import smtplib
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.db import utcnow
from app.mail.models import OutboxMessage

log = logging.getLogger("samspill.mail")
MAX_ATTEMPTS = 20  # with the growing delay (capped at an hour), about 15 hours of retries


def enqueue(
    session: Session,
    *,
    to: str,
    subject: str,
    body: str,
    workspace_id: int | None = None,
    headers: dict[str, Any] | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        workspace_id=workspace_id,
        recipient=to,
        subject=subject,
        body=body,
        headers=dict(headers or {}),
        created_at=utcnow(),
        next_attempt_at=utcnow(),
    )
    session.add(message)
    session.flush()
    return message


def _build(row: OutboxMessage, settings: Settings) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = row.recipient
    msg["Subject"] = row.subject
    msg["Date"] = formatdate(localtime=False)
    domain = settings.mail_from.rsplit("@", 1)[-1].strip("> ") or "samspill.local"
    msg["Message-ID"] = row.headers.get("Message-ID") or make_msgid(
        idstring=f"outbox{row.id}", domain=domain
    )
    for key, value in row.headers.items():
        if key != "Message-ID":
            msg[key] = value
    msg.set_content(row.body)
    return msg


def _send(msg: EmailMessage, settings: Settings) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(msg)


def deliver_pending(factory: sessionmaker[Session], settings: Settings, batch: int = 50) -> int:
    """Send what is due. Returns the number sent. Each message is its own transaction."""
    sent = 0
    with factory() as session:
        session.info["tenant_scope_exempt"] = True
        ids = list(
            session.scalars(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.sent_at.is_(None),
                    OutboxMessage.next_attempt_at <= utcnow(),
                    OutboxMessage.attempts < MAX_ATTEMPTS,
                )
                .order_by(OutboxMessage.id)
                .limit(batch)
            )
        )
    for message_id in ids:
        with factory() as session, session.begin():
            query = select(OutboxMessage).where(
                OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            row = session.scalar(query)
            if row is None:
                continue
            row.attempts += 1
            try:
                _send(_build(row, settings), settings)
            except (OSError, ValueError, smtplib.SMTPException) as exc:
                delay = min(timedelta(seconds=5 * 2 ** (row.attempts - 1)), timedelta(hours=1))
                row.next_attempt_at = utcnow() + delay
                row.last_error = f"{type(exc).__name__}: {exc}"[:500]
                log.warning("mail %s to %s failed: %s", row.id, row.recipient, row.last_error)
                continue
            row.sent_at = utcnow()
            row.last_error = None
            # The body may carry a one-time link (an invitation): keep no copy once it is sent.
            row.body = ""
            sent += 1
    return sent


def run_worker(
    factory: sessionmaker[Session],
    settings: Settings,
    stop: threading.Event,
    interval: float = 2.0,
    periodic: list[tuple[Callable[[sessionmaker[Session]], object], float]] | None = None,
) -> None:
    """Deliver mail every ``interval`` seconds; run each ``periodic`` job (a function of the
    session factory, and how often in seconds) on its own schedule in the same loop."""
    log.info("mail worker started (SMTP %s:%s)", settings.smtp_host, settings.smtp_port)
    next_run = [0.0 for _job in periodic or []]
    while not stop.is_set():
        for i, (job, every) in enumerate(periodic or []):
            if time.monotonic() >= next_run[i]:
                next_run[i] = time.monotonic() + every
                try:
                    job(factory)
                except Exception:  # the error is logged; the job runs again next time
                    log.exception("periodic job %s failed", getattr(job, "__name__", job))
        try:
            deliver_pending(factory, settings)
        except Exception:  # keep the worker alive; the error is logged
            log.exception("mail worker round failed")
        stop.wait(interval)
