"""A consultation summary PDF made in the background: who asked for which round, in which
language, how far it has come, and where the finished file is stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import AwareDateTime, Base, utcnow
from app.tenancy import TenantOwned

STATUSES = ("waiting", "working", "done", "failed")


class ExportJob(TenantOwned, Base):
    __tablename__ = "export_job"
    __audited__ = False  # a working file, not a record: the export itself changes nothing
    __table_args__ = (
        CheckConstraint("status IN ('waiting', 'working', 'done', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_round.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10), default="pdf")
    locale: Mapped[str] = mapped_column(String(5), default="nb")
    status: Mapped[str] = mapped_column(String(10), default="waiting", index=True)
    storage_key: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
