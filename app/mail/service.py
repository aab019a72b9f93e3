"""E-mail through an outbox table and a worker.

``enqueue`` writes the message in the caller's transaction. ``deliver_pending`` sends what is
due over SMTP and records the outcome; a failed message is retried later with a growing delay.
``run_worker`` loops until told to stop; `make run` starts it in a thread, `samspill worker`
runs it on its own. Several workers may run at once: each message is claimed with a row lock
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and each periodic job through ``app.worker.jobs``.

A message whose every retry failed is kept with ``failed_at`` set (it shows on the outbox page
and in `samspill mail status`) until someone retries it. In development the transport is the
database itself: the message is marked sent with its body kept, for `/dev/post`."""

from __future__ import annotations

import logging
import smtplib
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.orm import Session, object_session, sessionmaker

from app.config import Settings, get_settings
from app.db import utcnow
from app.i18n import _
from app.mail import attachments as mail_attachments
from app.mail.attachments import Attachment
from app.mail.models import OutboxMessage
from app.tenancy import set_system_scope

log = logging.getLogger("samspill.mail")
MAX_ATTEMPTS = 20  # with the growing delay (capped at an hour), about 15 hours of retries


class _Unset:
    pass


_UNSET = _Unset()


def one_line_subject(subject: str) -> str:
    """Any run of whitespace (line breaks included) becomes one space; at most 300 characters."""
    text = " ".join(subject.split())
    return text if len(text) <= 300 else text[:299] + "…"


def enqueue(
    session: Session,
    *,
    to: str,
    subject: str,
    body: str,
    workspace_id: int | _Unset | None = _UNSET,
    headers: dict[str, Any] | None = None,
    notification: bool = False,
    attachments: Sequence[Attachment] = (),
) -> OutboxMessage:
    """Queue a message in the caller's transaction. It belongs to ``workspace_id``, by default
    the workspace the session is scoped to (row-level security shows it only there). The
    subject is made one line: a header cannot carry a line break.

    ``notification``: the message tells of an event (a comment, a reply, a change). Once a
    person has had ``notification_digest_after`` of those from the workspace within
    ``notification_digest_minutes``, further ones are collected in one digest, sent at the end
    of that window (see :func:`_add_to_digest`). Invitations, password resets, guest links and
    reminders are not notifications: they go at once.

    ``attachments`` (an invitation's calendar event) are sent with the message; a message with
    attachments is never collected into a digest."""
    if isinstance(workspace_id, _Unset):
        workspace_id = session.info.get("workspace_id")
    subject = one_line_subject(subject)
    if notification and workspace_id is not None and not attachments:
        digest = _add_to_digest(session, workspace_id, to, subject, body)
        if digest is not None:
            return digest
    message = OutboxMessage(
        workspace_id=workspace_id,
        recipient=to,
        subject=subject,
        body=body,
        headers=dict(headers or {}),
        created_at=utcnow(),
        next_attempt_at=utcnow(),
        kind="notification" if notification else "mail",
    )
    session.add(message)
    session.flush()
    if attachments:
        mail_attachments.add(session, message, attachments)
    return message


DIGEST_SEPARATOR = "\n\n" + "-" * 40 + "\n\n"


def _add_to_digest(
    session: Session, workspace_id: int, to: str, subject: str, body: str
) -> OutboxMessage | None:
    """The digest ``to`` gets this event in, or None when it goes as a mail of its own (fewer
    than ``notification_digest_after`` notifications within the window).

    The event is appended to the person's pending digest of the workspace, or starts one, held
    until the window has passed. A digest a worker has begun to send (``attempts`` > 0) takes
    nothing more: the next event starts another. On PostgreSQL the pending digest is locked
    while the event is added, so a worker claiming it at that moment waits, or (having
    claimed it first) is not found here."""
    settings = get_settings()
    window = timedelta(minutes=settings.notification_digest_minutes)
    now = utcnow()
    recent = session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.recipient == to,
            OutboxMessage.workspace_id == workspace_id,
            OutboxMessage.created_at >= now - window,
            OutboxMessage.kind == "notification",
        )
    )
    if (recent or 0) < settings.notification_digest_after:
        return None
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.recipient == to,
            OutboxMessage.workspace_id == workspace_id,
            OutboxMessage.kind == "digest",
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.attempts == 0,
        )
        .order_by(OutboxMessage.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    event = f"{subject}\n\n{body.strip()}"
    digest = session.scalar(query)
    if digest is None:
        digest = OutboxMessage(
            workspace_id=workspace_id,
            recipient=to,
            headers={},
            created_at=now,
            next_attempt_at=now + window,
            kind="digest",
            digest_events=0,
            body="",
            subject="",
        )
        session.add(digest)
        digest.body = _(
            "Du har fått mange varsler fra Samspill på kort tid. Her er de siste samlet i én "
            "e-post."
        )
    digest.digest_events = (digest.digest_events or 0) + 1
    digest.subject = one_line_subject(
        _("{n} nye hendelser i Samspill").format(n=digest.digest_events)
    )
    digest.body = digest.body + DIGEST_SEPARATOR + event
    session.flush()
    return digest


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
    session = object_session(row)
    if session is not None and row.id:
        mail_attachments.attach(msg, mail_attachments.of_message(session, row.id))
    return msg


def _send(msg: EmailMessage, settings: Settings) -> None:
    if not settings.smtp_host:
        raise ValueError("no SMTP server is configured (SAMSPILL_SMTP_HOST)")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(msg)


def _due() -> Any:
    return (
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.failed_at.is_(None),
        OutboxMessage.next_attempt_at <= utcnow(),
    )


# Errors that say the mail server could not be reached (or none is configured), not that it
# refused this message: a message that failed with one of these is due again as soon as the
# server answers (see _server_is_back). Refusals of one message (a full mailbox, greylisting)
# keep their growing delay.
_UNREACHABLE = (
    "ConnectionRefusedError",
    "ConnectionResetError",
    "ConnectionAbortedError",
    "TimeoutError",
    "timeout",
    "gaierror",
    "OSError",
    "SMTPConnectError",
    "SMTPServerDisconnected",
    "ValueError",
)


def _unreachable(error: Exception) -> bool:
    return type(error).__name__ in _UNREACHABLE


def _server_is_back(session: Session) -> int:
    """After a send succeeded: every message waiting only because the server could not be
    reached is due now, so that a backlog drains at once instead of after its delays (up to an
    hour). A message being sent (its claim clears ``last_error``) is left alone. Returns how
    many were made due."""
    now = utcnow()
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.next_attempt_at > now,
            or_(*(OutboxMessage.last_error.startswith(f"{name}:") for name in _UNREACHABLE)),
        )
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    made_due = int(getattr(result, "rowcount", 0) or 0)
    if made_due:
        log.info("mail: the server answers again; %s waiting messages are due now", made_due)
    return made_due


def _record(row: OutboxMessage, error: Exception | None) -> bool:
    """Write the outcome of an attempt on ``row``; True when it was sent."""
    if error is None:
        row.sent_at = utcnow()
        row.last_error = None
        # The body may carry a one-time link (an invitation): keep no copy once it is sent.
        row.body = ""
        return True
    row.last_error = f"{type(error).__name__}: {error}"[:500]
    if row.attempts >= MAX_ATTEMPTS:
        row.failed_at = utcnow()
        log.error(
            "mail %s to %s failed %s times and is kept as failed: %s",
            row.id,
            row.recipient,
            row.attempts,
            row.last_error,
        )
        return False
    delay = min(timedelta(seconds=5 * 2 ** (row.attempts - 1)), timedelta(hours=1))
    row.next_attempt_at = utcnow() + delay
    log.warning("mail %s to %s failed: %s", row.id, row.recipient, row.last_error)
    return False


def _try_send(msg: EmailMessage, settings: Settings) -> Exception | None:
    try:
        _send(msg, settings)
    except (OSError, ValueError, smtplib.SMTPException) as exc:
        return exc
    return None


# How long a claimed message stays out of other workers' reach while it is sent.
_LEASE = timedelta(minutes=2)


def _deliver_one(factory: sessionmaker[Session], settings: Settings, message_id: int) -> bool:
    """One message: claimed, sent, outcome recorded. True when sent.

    No transaction is open while the mail server is talked to (a slow server would otherwise
    hold SQLite's write lock, or a PostgreSQL row lock and connection, the whole time): the
    claim (attempts + 1, next attempt after a lease, ``last_error`` cleared) is committed
    first — on PostgreSQL with ``FOR UPDATE SKIP LOCKED`` so that two workers never claim the
    same message —, the message is sent, and the outcome is written in a second short
    transaction. A worker that dies while sending leaves the message to be tried again when
    the lease ends."""
    with factory() as session:
        postgres = session.get_bind().dialect.name == "postgresql"
        with session.begin():
            set_system_scope(session)
            # Asked again under the lock: another worker may have sent it, or tried and failed.
            query = select(OutboxMessage).where(OutboxMessage.id == message_id, *_due())
            if postgres:
                query = query.with_for_update(skip_locked=True)
            row = session.scalar(query)
            if row is None:
                return False
            row.attempts += 1
            if settings.mail_to_mailbox:
                # Development: the outbox is the mailbox (/dev/post); the body is kept.
                row.sent_at = utcnow()
                row.last_error = None
                return True
            msg = _build(row, settings)
            row.next_attempt_at = utcnow() + _LEASE
            row.last_error = None  # being sent: _server_is_back must not make it due
        error = _try_send(msg, settings)
        with session.begin():
            set_system_scope(session)
            row = session.get(OutboxMessage, message_id)
            if row is None:
                return False
            sent = _record(row, error)
            if sent:
                _server_is_back(session)
            return sent


def deliver_pending(
    factory: sessionmaker[Session], settings: Settings, batch: int = 50, budget: float = 30.0
) -> int:
    """Send what is due. Returns the number sent. Each message is its own transaction.

    Mail never tried comes first (newest first), then the retries (oldest first): new mail does
    not wait behind a backlog. While retries are due and sending works (the server answers
    again after an outage), batches follow each other for at most ``budget`` seconds, so that
    the backlog drains in one round rather than one batch per round."""
    started = time.monotonic()
    sent = 0
    first = True
    while True:
        with factory() as session:
            set_system_scope(session)
            due = session.execute(
                select(OutboxMessage.id, OutboxMessage.attempts)
                .where(*_due())
                .order_by(
                    OutboxMessage.attempts > 0,
                    case((OutboxMessage.attempts == 0, -OutboxMessage.id), else_=OutboxMessage.id),
                )
                .limit(batch)
            ).all()
        if not first and not any(attempts for _id, attempts in due):
            break  # no backlog of retries: the rest waits for the next round, as always
        first = False
        now_sent = sum(1 for message_id, _n in due if _deliver_one(factory, settings, message_id))
        sent += now_sent
        if not now_sent or time.monotonic() - started > budget:
            break
    if sent:
        log.info("mail: %s sent", sent)
    return sent


def retry(
    session: Session, *, ids: list[int] | None = None, workspace_id: int | None = None
) -> int:
    """Make failed (and waiting) messages due now, with a fresh set of attempts. ``ids`` limits
    it to those messages, ``workspace_id`` to one workspace's. Returns how many."""
    query = (
        update(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None))
        .values(failed_at=None, attempts=0, next_attempt_at=utcnow())
    )
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    else:
        query = query.where(
            (OutboxMessage.failed_at.is_not(None)) | (OutboxMessage.last_error.is_not(None))
        )
    if workspace_id is not None:
        query = query.where(OutboxMessage.workspace_id == workspace_id)
    return int(getattr(session.execute(query), "rowcount", 0) or 0)


STATES = ("queued", "retrying", "failed", "sent")


def state_of(row: OutboxMessage) -> str:
    if row.sent_at is not None:
        return "sent"
    if row.failed_at is not None:
        return "failed"
    return "retrying" if row.last_error else "queued"


def counts(session: Session, workspace_id: int | None = None) -> dict[str, Any]:
    """How many messages are in each state, and the age in seconds of the oldest unsent one."""
    state = select(
        func.count().filter(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.last_error.is_(None),
        ),
        func.count().filter(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.last_error.is_not(None),
        ),
        func.count().filter(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_not(None)),
        func.count().filter(OutboxMessage.sent_at.is_not(None)),
        func.min(OutboxMessage.created_at).filter(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            # a digest held for its window is not late
            or_(
                OutboxMessage.kind != "digest",
                OutboxMessage.attempts > 0,
                OutboxMessage.next_attempt_at <= utcnow(),
            ),
        ),
    )
    if workspace_id is not None:
        state = state.where(OutboxMessage.workspace_id == workspace_id)
    queued, retrying, failed, sent, oldest = session.execute(state).one()
    age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
    return {
        "queued": queued,
        "retrying": retrying,
        "failed": failed,
        "sent": sent,
        "oldest_unsent_seconds": round(age, 1),
    }


def recent(
    session: Session, *, workspace_id: int | None = None, state: str | None = None, limit: int = 100
) -> list[OutboxMessage]:
    """The newest messages, optionally of one workspace and one state."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if workspace_id is not None:
        query = query.where(OutboxMessage.workspace_id == workspace_id)
    if state == "sent":
        query = query.where(OutboxMessage.sent_at.is_not(None))
    elif state == "failed":
        query = query.where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_not(None))
    elif state == "retrying":
        query = query.where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.last_error.is_not(None),
        )
    elif state == "queued":
        query = query.where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.last_error.is_(None),
        )
    return list(session.scalars(query))


def purge_sent(session: Session, before: datetime) -> int:
    """Remove messages sent before ``before`` (`samspill purge`). Unsent ones stay."""
    result = session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.sent_at.is_not(None), OutboxMessage.sent_at < before
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def mailbox(session: Session, limit: int = 100) -> list[OutboxMessage]:
    """Every workspace's newest messages, for the development mailbox (/dev/post)."""
    set_system_scope(session)
    return recent(session, limit=limit)


def send_now(settings: Settings, *, to: str, subject: str, body: str) -> None:
    """Send one message over SMTP at once (`samspill send-test-mail`); errors are raised."""
    row = OutboxMessage(id=0, recipient=to, subject=subject, body=body, headers={})
    _send(_build(row, settings), settings)


def run_worker(
    factory: sessionmaker[Session],
    settings: Settings,
    stop: threading.Event,
    interval: float = 2.0,
    periodic: list[tuple[Callable[[sessionmaker[Session]], object], float]] | None = None,
) -> None:
    """Deliver mail every ``interval`` seconds; run each ``periodic`` job (a function of the
    session factory, and how often in seconds) on its own schedule in the same loop."""
    from app.worker import jobs

    if settings.mail_to_mailbox:
        log.info("mail worker started (development mailbox: mail is shown at /dev/post)")
    else:
        log.info("mail worker started (SMTP %s:%s)", settings.smtp_host, settings.smtp_port)
    while not stop.is_set():
        try:
            jobs.run_due(factory, periodic or [])
        except Exception:  # keep the worker alive; the error is logged
            log.exception("periodic jobs round failed")
        try:
            deliver_pending(factory, settings)
        except Exception:  # keep the worker alive; the error is logged
            log.exception("mail worker round failed")
        stop.wait(interval)
