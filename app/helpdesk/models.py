"""Hjelpekorps: help requests from municipalities, their events, messages and helpers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.counties.models import Municipality
from app.db import AwareDateTime, Base, Timestamped, utcnow
from app.i18n import lazy
from app.tenancy import TenantOwned

CATEGORIES = (
    "funding",  # funding application
    "service_design",  # innovation and service design
    "reuse",  # implementing another municipality's solution
    "benefits",  # benefits realisation
    "digitalisation",
    "procurement",
    "climate",
    "other",
)
URGENCIES = ("low", "normal", "high", "urgent")
PRIORITIES = URGENCIES
STATES = (
    "new",
    "triaged",
    "assigned",
    "in_progress",
    "waiting_for_municipality",
    "resolved",
    "closed",
)
OPEN_STATES = STATES[:5]
# The state machine. Reopening a resolved or closed request takes it back to in_progress.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("triaged",),
    "triaged": ("assigned",),
    "assigned": ("in_progress",),
    "in_progress": ("waiting_for_municipality", "resolved"),
    "waiting_for_municipality": ("in_progress",),
    "resolved": ("closed", "in_progress"),
    "closed": ("in_progress",),
}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class HelpRequest(TenantOwned, Timestamped, Base):
    __tablename__ = "help_request"
    __audit_label__ = lazy("Forespørsel til hjelpekorpset")
    __audit_derived__ = (
        "first_response_due_at",
        "resolution_due_at",
        "first_response_minutes",
        "resolution_minutes",
    )
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        CheckConstraint(_in("category", CATEGORIES), name="category"),
        CheckConstraint(_in("urgency", URGENCIES), name="urgency"),
        CheckConstraint(_in("priority", PRIORITIES), name="priority"),
        CheckConstraint(_in("state", STATES), name="state"),
        CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="rating"),
        Index("ix_help_request_state", "workspace_id", "state", "id"),
        Index("ix_help_request_municipality", "workspace_id", "municipality_number", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    municipality_number: Mapped[str] = mapped_column(ForeignKey("municipality.number"))
    requester_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(30))
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    on_site: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(30), default="new")
    first_response_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    # Due times in working hours, kept up to date on every change so that "overdue" is a query.
    # The resolution clock is paused (NULL) while the request waits for the municipality.
    first_response_due_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    resolution_due_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    # Working minutes from filing to the first response and to resolution (waiting included),
    # stored when they happen so that the figures' medians are one query.
    first_response_minutes: Mapped[int | None] = mapped_column(Integer)
    resolution_minutes: Mapped[int | None] = mapped_column(Integer)

    municipality: Mapped[Municipality] = relationship(lazy="raise")
    requester: Mapped[User | None] = relationship(lazy="raise")
    assignees: Mapped[list[RequestAssignee]] = relationship(
        lazy="raise", cascade="all, delete-orphan"
    )


class RequestAssignee(TenantOwned, Base):
    __tablename__ = "request_assignee"
    __audit_label__ = lazy("Tildelt hjelper")
    __audit_derived__ = ("request_open",)
    __table_args__ = (
        UniqueConstraint("workspace_id", "request_id", "user_id"),
        # A helper's current load, counted from the index alone.
        Index(
            "ix_request_assignee_open_load",
            "workspace_id",
            "user_id",
            postgresql_where=text("request_open"),
            sqlite_where=text("request_open"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_request.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    assigned_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    # Whether the request is open (new … waiting_for_municipality); kept by every transition.
    request_open: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    user: Mapped[User] = relationship(lazy="raise")


class RequestEvent(TenantOwned, Base):
    """Every transition and triage decision: who, when, from which state to which."""

    __tablename__ = "request_event"
    __table_args__ = (Index("ix_request_event_request", "workspace_id", "request_id", "id"),)
    __audited__ = False  # it is itself the record

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_request.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(30))
    to_state: Mapped[str | None] = mapped_column(String(30))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(lazy="raise")


class RequestMessage(TenantOwned, Base):
    """A public reply (the municipality sees it) or an internal note (it does not)."""

    __tablename__ = "request_message"
    __audit_label__ = lazy("Svar eller notat")
    __table_args__ = (Index("ix_request_message_request", "workspace_id", "request_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_request.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship(lazy="raise")


class HelperProfile(TenantOwned, Timestamped, Base):
    """A member of the hjelpekorps: competences, home municipality, who they work for."""

    __tablename__ = "helper_profile"
    __audit_label__ = lazy("Hjelperprofil")
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    competences: Mapped[list[str]] = mapped_column(JSON, default=list)
    home_municipality_number: Mapped[str | None] = mapped_column(ForeignKey("municipality.number"))
    organisation: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship(lazy="raise")
    home_municipality: Mapped[Municipality | None] = relationship(lazy="raise")


class Visit(TenantOwned, Timestamped, Base):
    """An on-site visit planned on a request, with a short report afterwards."""

    __tablename__ = "visit"
    __audit_label__ = lazy("Besøk")
    __table_args__ = (
        Index("ix_visit_request", "workspace_id", "request_id"),
        Index("ix_visit_starts", "workspace_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="times"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_request.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(AwareDateTime())
    ends_at: Mapped[datetime] = mapped_column(AwareDateTime())
    place: Mapped[str] = mapped_column(String(300))
    report: Mapped[str] = mapped_column(Text, default="")

    request: Mapped[HelpRequest] = relationship(lazy="raise")
    helpers: Mapped[list[VisitHelper]] = relationship(lazy="raise", cascade="all, delete-orphan")


class VisitHelper(TenantOwned, Base):
    __tablename__ = "visit_helper"
    __audit_label__ = lazy("Hjelper på besøk")
    __table_args__ = (UniqueConstraint("workspace_id", "visit_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )

    user: Mapped[User] = relationship(lazy="raise")


class CalendarFeed(TenantOwned, Base):
    """A secret address from which a helper's calendar program fetches their visits."""

    __tablename__ = "calendar_feed"
    __audit_label__ = lazy("Kalenderabonnement")
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)
    __audit_redact__ = ("token_hash",)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class RequestAttachment(TenantOwned, Base):
    """A file attached to a request when it was filed, or to a reply or an internal note. The
    bytes live under the storage folder; the row says what they are and who may see them."""

    __tablename__ = "request_attachment"
    __audit_label__ = lazy("Vedlegg")
    __table_args__ = (
        Index("ix_request_attachment_request", "workspace_id", "request_id", "id"),
        UniqueConstraint("workspace_id", "storage_key"),
        CheckConstraint("size > 0", name="size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_request.id", ondelete="CASCADE"))
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("request_message.id", ondelete="CASCADE")
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class RequestStep(TenantOwned, Base):
    """One step of the plan for help that runs for weeks."""

    __tablename__ = "request_step"
    __audit_label__ = lazy("Steg i plan")
    __table_args__ = (Index("ix_request_step_request", "workspace_id", "request_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_request.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    done_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    @property
    def done(self) -> bool:
        return self.done_at is not None


class RequestLink(TenantOwned, Base):
    """Two related requests (the same need in two municipalities, a follow-up of an earlier
    one). Stored once with the lower id first; shown on both."""

    __tablename__ = "request_link"
    __audit_label__ = lazy("Lenke mellom forespørsler")
    __table_args__ = (
        UniqueConstraint("workspace_id", "first_id", "second_id"),
        CheckConstraint("first_id < second_id", name="order"),
        Index("ix_request_link_second", "workspace_id", "second_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_id: Mapped[int] = mapped_column(ForeignKey("help_request.id", ondelete="CASCADE"))
    second_id: Mapped[int] = mapped_column(ForeignKey("help_request.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class TimeEntry(TenantOwned, Base):
    """Time a helper spent on a request on a given day."""

    __tablename__ = "time_entry"
    __audit_label__ = lazy("Tidsføring")
    __table_args__ = (
        Index("ix_time_entry_request", "workspace_id", "request_id"),
        Index("ix_time_entry_user", "workspace_id", "user_id", "worked_on"),
        CheckConstraint("minutes > 0 AND minutes <= 1440", name="minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_request.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    worked_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")
