from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import AwareDateTime, Base, utcnow


class OutboxMessage(Base):
    """An e-mail waiting to be sent. Written in the same transaction as the change it reports,
    delivered by the worker with retries, so nothing is lost when the SMTP server is down."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_pending", "sent_at", "next_attempt_at"),
        Index("ix_outbox_message_recipient", "recipient", "workspace_id", "created_at"),
    )
    __audited__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int | None] = mapped_column(Integer)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
    # Set when every retry failed: the message is kept (never dropped) until retried.
    failed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    # "mail" (sent at once: invitations, password resets, reminders), "notification" (of an
    # event; past a number an hour, they are collected) or "digest" (the collected ones, held
    # until the end of the window; digest_events counts them).
    kind: Mapped[str] = mapped_column(String(20), default="mail", server_default="mail")
    digest_events: Mapped[int | None] = mapped_column(Integer)


class OutboxAttachment(Base):
    """A file sent with an outbox message (an invitation's calendar event). It belongs to the
    message's workspace, for the same row-level security as the message; removed with it."""

    __tablename__ = "outbox_attachment"
    __audited__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True
    )
    workspace_id: Mapped[int | None] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    # with its parameters: "text/calendar; method=REQUEST; charset=utf-8"
    content_type: Mapped[str] = mapped_column(String(120))
    data: Mapped[bytes] = mapped_column(LargeBinary)
