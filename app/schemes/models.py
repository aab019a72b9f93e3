"""Funding schemes: the national catalogue (reference rows every workspace reads) and each
county's own schemes, the county's notes on a national scheme, calls with their deadlines,
participation of municipalities, reminders sent and stopped, and calendar feed addresses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.clock import utcnow
from app.counties.models import Municipality
from app.db import AwareDateTime, Base, Timestamped, sql_in
from app.i18n import lazy
from app.networks.models import AREAS
from app.tenancy import TenantOwned

LEVELS = ("national", "regional")
PARTICIPATION_ROLES = ("lead", "partner")
PARTICIPATION_STATUSES = ("idea", "applying", "granted", "rejected", "withdrawn", "completed")
CALL_STATES = ("upcoming", "open", "closed")
DEFAULT_REMINDER_DAYS = (21, 7)
SCHEME_AREAS = AREAS


class Scheme(TenantOwned, Timestamped, Base):
    """A funding scheme. A national one (``workspace_id`` NULL, ``key`` set) is reference data
    loaded by ``samspill setup`` and read-only in every workspace; a county's own belongs to its
    workspace. On PostgreSQL every workspace may read the national rows and write only its own
    (see the migration)."""

    __tablename__ = "scheme"
    __audit_label__ = lazy("Virkemiddel")
    __national_rows__ = True  # workspace_id NULL marks a national scheme
    __table_args__ = (
        UniqueConstraint("workspace_id", "name"),
        UniqueConstraint("key"),
        CheckConstraint(sql_in("level", LEVELS), name="level"),
        CheckConstraint("(workspace_id IS NULL) = (key IS NOT NULL)", name="national_key"),
    )

    @declared_attr
    def workspace_id(cls) -> Mapped[int | None]:  # type: ignore[override]
        return mapped_column(
            Integer, ForeignKey("workspace.id", ondelete="CASCADE"), nullable=True, index=True
        )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(200), default="")
    level: Mapped[str] = mapped_column(String(20), default="regional")
    purpose: Mapped[str] = mapped_column(Text, default="")
    eligible: Mapped[str] = mapped_column(Text, default="")
    co_funding: Mapped[str] = mapped_column(Text, default="")
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    url: Mapped[str] = mapped_column(String(500), default="")
    status_note: Mapped[str] = mapped_column(Text, default="")
    reminder_days: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: list(DEFAULT_REMINDER_DAYS)
    )
    archived_at: Mapped[datetime | None] = mapped_column(AwareDateTime())

    @property
    def national(self) -> bool:
        return self.workspace_id is None


class SchemeNote(TenantOwned, Timestamped, Base):
    """A county's own word on a national scheme: its contact person, advice, and when to
    remind; the national record stays as it is."""

    __tablename__ = "scheme_note"
    __audit_label__ = lazy("Lokal merknad til virkemiddel")
    __table_args__ = (UniqueConstraint("workspace_id", "scheme_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id", ondelete="CASCADE"))
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    advice: Mapped[str] = mapped_column(Text, default="")
    reminder_days: Mapped[list[int] | None] = mapped_column(JSON)


class SchemeCall(TenantOwned, Timestamped, Base):
    """A call for applications (utlysning): open from a date, deadline at a time (stored in
    UTC, shown in Norwegian time)."""

    __tablename__ = "scheme_call"
    __audit_label__ = lazy("Utlysning")
    __table_args__ = (
        Index("ix_scheme_call_deadline", "workspace_id", "deadline"),
        Index("ix_scheme_call_scheme", "workspace_id", "scheme_id"),
        CheckConstraint("budget IS NULL OR budget >= 0", name="budget"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    opens_on: Mapped[date | None] = mapped_column(Date)
    deadline: Mapped[datetime] = mapped_column(AwareDateTime())
    budget: Mapped[int | None] = mapped_column(BigInteger)
    url: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")

    scheme: Mapped[Scheme] = relationship(lazy="raise")

    def state(self, now: datetime | None = None) -> str:
        moment = now or utcnow()
        if self.deadline <= moment:
            return "closed"
        if self.opens_on is not None:
            from app.clock import local_date

            if local_date(moment) < self.opens_on:
                return "upcoming"
        return "open"


class Participation(TenantOwned, Timestamped, Base):
    """An application or project under a scheme in a year: one lead municipality and any
    partners (a joint application through a council or network), status and amounts."""

    __tablename__ = "participation"
    __audit_label__ = lazy("Deltakelse i virkemiddel")
    __table_args__ = (
        CheckConstraint(sql_in("status", PARTICIPATION_STATUSES), name="status"),
        CheckConstraint("amount_applied IS NULL OR amount_applied >= 0", name="applied"),
        CheckConstraint("amount_granted IS NULL OR amount_granted >= 0", name="granted"),
        CheckConstraint("year BETWEEN 1990 AND 2100", name="year"),
        Index("ix_participation_scheme_year", "workspace_id", "scheme_id", "year"),
        Index("ix_participation_year", "workspace_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id", ondelete="RESTRICT"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("scheme_call.id", ondelete="SET NULL"))
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="idea")
    amount_applied: Mapped[int | None] = mapped_column(BigInteger)
    amount_granted: Mapped[int | None] = mapped_column(BigInteger)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id", ondelete="SET NULL"))
    help_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_request.id", ondelete="SET NULL")
    )
    innovation_id: Mapped[int | None] = mapped_column(Integer)  # the innovations module's id
    notes: Mapped[str] = mapped_column(Text, default="")

    scheme: Mapped[Scheme] = relationship(lazy="raise")
    call: Mapped[SchemeCall | None] = relationship(lazy="raise")
    members: Mapped[list[ParticipationMember]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="(ParticipationMember.role, ParticipationMember.municipality_number)",
    )


class ParticipationMember(TenantOwned, Base):
    """A municipality in a participation, as lead applicant or partner."""

    __tablename__ = "participation_member"
    __audit_label__ = lazy("Kommune i deltakelse")
    __table_args__ = (
        UniqueConstraint("workspace_id", "participation_id", "municipality_number"),
        CheckConstraint(sql_in("role", PARTICIPATION_ROLES), name="role"),
        Index("ix_participation_member_municipality", "workspace_id", "municipality_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participation.id", ondelete="CASCADE"), index=True
    )
    municipality_number: Mapped[str] = mapped_column(ForeignKey("municipality.number"))
    role: Mapped[str] = mapped_column(String(10))

    municipality: Mapped[Municipality] = relationship(lazy="raise")


class ParticipationTally(TenantOwned, Base):
    """Participation added up per scheme, year, status, municipality and role: how many
    records, and the municipality's equal share of the amounts granted. Kept by the service in
    the same transaction as every change (``app.schemes.tally``), so the figures read a few
    thousand rows however many records there are."""

    __tablename__ = "participation_tally"
    __audit_label__ = lazy("Opptelling av deltakelse")
    __audited__ = False
    __table_args__ = (
        UniqueConstraint(
            "workspace_id", "scheme_id", "year", "status", "municipality_number", "role"
        ),
        Index("ix_participation_tally_year", "workspace_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    municipality_number: Mapped[str] = mapped_column(String(4))
    role: Mapped[str] = mapped_column(String(10))
    records: Mapped[int] = mapped_column(Integer)
    granted_share: Mapped[float] = mapped_column(Float)


class CallHelpRequest(TenantOwned, Base):
    """A help request a municipality filed from a call ("help us apply")."""

    __tablename__ = "call_help_request"
    __audit_label__ = lazy("Hjelp til søknad på utlysning")
    __table_args__ = (UniqueConstraint("workspace_id", "help_request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(
        ForeignKey("scheme_call.id", ondelete="CASCADE"), index=True
    )
    help_request_id: Mapped[int] = mapped_column(ForeignKey("help_request.id", ondelete="CASCADE"))
    municipality_number: Mapped[str] = mapped_column(ForeignKey("municipality.number"))


class DeadlineReminder(TenantOwned, Base):
    """One reminder of one call's deadline, so many days before, to one address: written when
    the mail is queued, so the job never sends it twice."""

    __tablename__ = "deadline_reminder"
    __audit_label__ = lazy("Fristpåminnelse")
    __audited__ = False
    __table_args__ = (UniqueConstraint("workspace_id", "call_id", "days_before", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("scheme_call.id", ondelete="CASCADE"))
    days_before: Mapped[int] = mapped_column(Integer)
    email: Mapped[str] = mapped_column(String(254))
    sent_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class ReminderOptOut(TenantOwned, Base):
    """An address that asked (through the link in a reminder) to get no more deadline
    reminders from this workspace."""

    __tablename__ = "reminder_opt_out"
    __audit_label__ = lazy("Avmelding fra fristpåminnelser")
    __table_args__ = (UniqueConstraint("workspace_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class DeadlineFeed(TenantOwned, Base):
    """A secret address from which a person's calendar program fetches the deadlines."""

    __tablename__ = "deadline_feed"
    __audit_label__ = lazy("Kalenderabonnement på frister")
    __audit_redact__ = ("token_hash",)
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


def areas_of(value: Any) -> list[str]:
    return [a for a in (value or []) if a in SCHEME_AREAS]
