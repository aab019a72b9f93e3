"""Files sent with outbox mail: kept beside the message (``outbox_attachment``, same workspace
and row-level security), added to the MIME message when it is built, named on the outbox pages.
A message with attachments is never merged into a digest (``service.enqueue``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.mail.models import OutboxAttachment, OutboxMessage

CALENDAR_INVITATION = "text/calendar; method=REQUEST; charset=utf-8"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # with parameters, e.g. CALENDAR_INVITATION
    data: bytes


def add(session: Session, message: OutboxMessage, attachments: Iterable[Attachment]) -> None:
    for a in attachments:
        session.add(
            OutboxAttachment(
                message_id=message.id,
                workspace_id=message.workspace_id,
                filename=a.filename,
                content_type=a.content_type,
                data=a.data,
            )
        )
    session.flush()


def of_message(session: Session, message_id: int) -> list[Attachment]:
    rows = session.execute(
        select(OutboxAttachment.filename, OutboxAttachment.content_type, OutboxAttachment.data)
        .where(OutboxAttachment.message_id == message_id)
        .order_by(OutboxAttachment.id)
    ).all()
    return [Attachment(name, kind, bytes(data)) for name, kind, data in rows]


def names_of(session: Session, message_ids: Sequence[int]) -> dict[int, list[str]]:
    """Message id → the names of its attachments (one query, no file bytes read)."""
    out: dict[int, list[str]] = {}
    if not message_ids:
        return out
    rows = session.execute(
        select(OutboxAttachment.message_id, OutboxAttachment.filename)
        .where(OutboxAttachment.message_id.in_(sorted(set(message_ids))))
        .order_by(OutboxAttachment.id)
    ).all()
    for message_id, name in rows:
        out.setdefault(message_id, []).append(name)
    return out


def attach(msg: EmailMessage, attachments: Iterable[Attachment]) -> None:
    """Add each file as a MIME part with its type and parameters (an invitation's
    ``text/calendar; method=REQUEST``)."""
    for a in attachments:
        kind, *params = (part.strip() for part in a.content_type.split(";"))
        maintype, _sep, subtype = kind.partition("/")
        extra = dict(p.split("=", 1) for p in params if "=" in p)
        msg.add_attachment(
            a.data, maintype=maintype, subtype=subtype, filename=a.filename, params=extra
        )
