from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import AwareDateTime, Base, sql_in, utcnow
from app.notifications.kinds import CHANNELS
from app.tenancy import TenantOwned


class Notification(TenantOwned, Base):
    """An event told to one person, in their language, shown in their list across every
    workspace they belong to. ``delivery`` is how they chose to hear of it when it happened;
    ``mailed_at`` is set once a daily digest has carried it."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user", "user_id", "read_at", "created_at"),
        Index("ix_notification_pending", "delivery", "mailed_at"),
    )
    __audited__ = False  # the events themselves are in each module's history

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(500), default="")
    path: Mapped[str] = mapped_column(String(300))
    delivery: Mapped[str] = mapped_column(String(10), default="app")
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    mailed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


class NotificationPreference(Base):
    """How a person wants to hear of one kind of event; no row means e-mail at once."""

    __tablename__ = "notification_preference"
    __table_args__ = (
        UniqueConstraint("user_id", "kind"),
        CheckConstraint(sql_in("channel", tuple(CHANNELS)), name="channel"),
    )
    __audited__ = False  # a person's own setting, changed outside any workspace

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(10))
