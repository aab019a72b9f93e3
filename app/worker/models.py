from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import AwareDateTime, Base, utcnow


class JobRun(Base):
    """One row per periodic job: when it is due next, and how its last run went. A worker claims
    a job through this row (a row lock on PostgreSQL), so two workers never run it at once."""

    __tablename__ = "job_run"
    __audited__ = False

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    next_due_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    last_started_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    last_finished_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    last_duration_seconds: Mapped[float | None] = mapped_column(Float)
    last_ok: Mapped[bool | None] = mapped_column(Boolean)
    last_error: Mapped[str | None] = mapped_column(String(500))
    runs: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
