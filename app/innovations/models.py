"""Innovations: a registry of solutions municipalities have made, who made and piloted them,
where each has been taken into use (adoptions — spread means in use somewhere new), the plan
for spreading it, and benefits realisation after Kongsbergregionen's four templates.

Sharing across counties: an innovation marked ``shared`` is readable by every workspace
(read-only), and adoptions of a shared innovation are readable by every workspace, so that
they are counted across counties. Each adoption row belongs to the workspace that recorded it
(the county of the adopting municipality). Everything else — unshared innovations, internal
notes, spread plans, benefits plans and their figures — stays in its workspace. The PostgreSQL
policies in the migration say the same.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.counties.models import Municipality
from app.db import AwareDateTime, Base, Timestamped, sql_in
from app.i18n import lazy
from app.networks.models import AREAS
from app.tenancy import TenantOwned

# KS's roadmap for service innovation (veikart for tjenesteinnovasjon)
PHASES = ("anchoring", "insight", "development", "piloting", "transition", "new_practice")
ROLES = ("origin", "pilot", "follower")
ADOPTION_STATES = ("considering", "planned", "in_progress", "in_use", "abandoned")
CHANNELS = ("body", "webinar", "conference", "visit", "other")
BENEFIT_KINDS = ("quantitative", "qualitative")
BENEFIT_STATES = ("planned", "on_track", "behind", "realised", "dropped")
INNOVATION_AREAS = AREAS


class Innovation(TenantOwned, Timestamped, Base):
    __tablename__ = "innovation"
    __audit_label__ = lazy("Innovasjon")
    __table_args__ = (
        CheckConstraint(sql_in("phase", PHASES), name="phase"),
        Index("ix_innovation_shared", "shared"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text, default="")
    solution: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised on output
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    origin_municipality_number: Mapped[str | None] = mapped_column(
        ForeignKey("municipality.number")
    )
    origin_body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id", ondelete="SET NULL"))
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    phase: Mapped[str] = mapped_column(String(20), default="anchoring")
    adoption_cost: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    internal_note: Mapped[str] = mapped_column(Text, default="")  # never leaves the workspace
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    shared_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    archived_at: Mapped[datetime | None] = mapped_column(AwareDateTime())

    origin_municipality: Mapped[Municipality | None] = relationship(lazy="raise")


class InnovationFile(TenantOwned, Base):
    """A file about an innovation (a guide, a routine, a template). The bytes live under the
    storage folder; readable wherever the innovation is."""

    __tablename__ = "innovation_file"
    __audit_label__ = lazy("Fil om innovasjon")
    __table_args__ = (
        UniqueConstraint("workspace_id", "storage_key"),
        CheckConstraint("size > 0", name="size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovation.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class InnovationRole(TenantOwned, Base):
    """A municipality's part in an innovation: where it came from, a pilot (with its agreed
    part in spreading it), a follower."""

    __tablename__ = "innovation_role"
    __audit_label__ = lazy("Kommunens rolle i innovasjon")
    __table_args__ = (
        UniqueConstraint("workspace_id", "innovation_id", "municipality_number"),
        CheckConstraint(sql_in("role", ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovation.id", ondelete="CASCADE"), index=True
    )
    municipality_number: Mapped[str] = mapped_column(ForeignKey("municipality.number"))
    role: Mapped[str] = mapped_column(String(10))
    spreading_role: Mapped[str] = mapped_column(Text, default="")

    municipality: Mapped[Municipality] = relationship(lazy="raise")


class Adoption(TenantOwned, Timestamped, Base):
    """A municipality takes an innovation into use. The row belongs to the workspace that
    recorded it — for a shared innovation that may be another county's."""

    __tablename__ = "adoption"
    __audit_label__ = lazy("Innføring av innovasjon")
    __table_args__ = (
        UniqueConstraint("workspace_id", "innovation_id", "municipality_number"),
        CheckConstraint(sql_in("status", ADOPTION_STATES), name="status"),
        Index("ix_adoption_innovation", "innovation_id", "status"),
        Index("ix_adoption_municipality", "workspace_id", "municipality_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(ForeignKey("innovation.id", ondelete="CASCADE"))
    municipality_number: Mapped[str] = mapped_column(ForeignKey("municipality.number"))
    status: Mapped[str] = mapped_column(String(20), default="considering")
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was abandoned
    started_on: Mapped[date | None] = mapped_column(Date)
    in_use_on: Mapped[date | None] = mapped_column(Date)
    help_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_request.id", ondelete="SET NULL")
    )

    municipality: Mapped[Municipality] = relationship(lazy="raise")
    innovation: Mapped[Innovation] = relationship(lazy="raise")


class SpreadTarget(TenantOwned, Base):
    """Where the innovation should spread to (a municipality or a council/network), and
    through which channel."""

    __tablename__ = "spread_target"
    __audit_label__ = lazy("Mål for spredning")
    __table_args__ = (
        CheckConstraint("(municipality_number IS NULL) <> (body_id IS NULL)", name="one_target"),
        CheckConstraint(sql_in("channel", CHANNELS), name="channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovation.id", ondelete="CASCADE"), index=True
    )
    municipality_number: Mapped[str | None] = mapped_column(ForeignKey("municipality.number"))
    body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20), default="body")
    channel_note: Mapped[str] = mapped_column(String(300), default="")
    planned_on: Mapped[date | None] = mapped_column(Date)


class BenefitPlan(TenantOwned, Timestamped, Base):
    """Kongsbergregionen's four templates for one innovation: the common plan
    (``municipality_number`` NULL) or a municipality's scaled copy of it (``common_id``)."""

    __tablename__ = "benefit_plan"
    __audit_label__ = lazy("Gevinstplan")
    __table_args__ = (
        UniqueConstraint("workspace_id", "innovation_id", "municipality_number"),
        # one common plan per innovation and workspace (NULLs are distinct in the above)
        Index(
            "uq_benefit_plan_common",
            "workspace_id",
            "innovation_id",
            unique=True,
            sqlite_where=text("municipality_number IS NULL"),
            postgresql_where=text("municipality_number IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovation.id", ondelete="CASCADE"), index=True
    )
    municipality_number: Mapped[str | None] = mapped_column(ForeignKey("municipality.number"))
    common_id: Mapped[int | None] = mapped_column(
        ForeignKey("benefit_plan.id", ondelete="SET NULL")
    )
    scale: Mapped[Decimal | None] = mapped_column(Numeric(8, 4))  # of the common plan's targets
    # 1. project assessment: should we start?
    assessment: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # 2. project management: how we carry it out
    management: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # 3. benefits plan: the obstacles (organisational, technical, economic, legal); the
    #    benefits themselves are rows of Benefit
    obstacles: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # 4. benefits realisation plan: what it takes to take the benefits out, during the
    #    project and in operation
    realisation: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    responsible_name: Mapped[str] = mapped_column(String(200), default="")
    responsible_email: Mapped[str] = mapped_column(String(254), default="")

    benefits: Mapped[list[Benefit]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="Benefit.id"
    )


class Benefit(TenantOwned, Base):
    """A benefit and its indicator: baseline, target, when, who measures, and its status."""

    __tablename__ = "benefit"
    __audit_label__ = lazy("Gevinst")
    __table_args__ = (
        CheckConstraint(sql_in("kind", BENEFIT_KINDS), name="kind"),
        CheckConstraint(sql_in("status", BENEFIT_STATES), name="status"),
        CheckConstraint(
            "target_date IS NULL OR baseline_date IS NULL OR target_date >= baseline_date",
            name="dates",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("benefit_plan.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="quantitative")
    unit: Mapped[str] = mapped_column(String(40), default="")
    baseline: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    baseline_date: Mapped[date | None] = mapped_column(Date)
    target: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    target_date: Mapped[date | None] = mapped_column(Date)
    measured_by: Mapped[str] = mapped_column(String(200), default="")
    when_taken_out: Mapped[str] = mapped_column(String(20), default="operation")  # or project
    status: Mapped[str] = mapped_column(String(20), default="planned")

    measurements: Mapped[list[Measurement]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="Measurement.measured_on"
    )


class Measurement(TenantOwned, Base):
    """A measured value of a benefit's indicator (a number, or a text for a qualitative one)."""

    __tablename__ = "measurement"
    __audit_label__ = lazy("Måling av gevinst")
    __table_args__ = (CheckConstraint("value IS NOT NULL OR text <> ''", name="has_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    benefit_id: Mapped[int] = mapped_column(
        ForeignKey("benefit.id", ondelete="CASCADE"), index=True
    )
    measured_on: Mapped[date] = mapped_column(Date)
    value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class MeasurementReminder(TenantOwned, Base):
    """A reminder that a measurement is due, sent once per plan, due date and address."""

    __tablename__ = "measurement_reminder"
    __audit_label__ = lazy("Påminnelse om måling")
    __audited__ = False
    __table_args__ = (UniqueConstraint("workspace_id", "plan_id", "due_on", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("benefit_plan.id", ondelete="CASCADE"))
    due_on: Mapped[date] = mapped_column(Date)
    email: Mapped[str] = mapped_column(String(254))
    sent_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class InnovationRequest(TenantOwned, Base):
    """A help request of category "take another municipality's solution into use" linked to
    the innovation it is about (the request may be in another county than the innovation)."""

    __tablename__ = "innovation_request"
    __audit_label__ = lazy("Hjelp til å ta i bruk innovasjon")
    __table_args__ = (UniqueConstraint("workspace_id", "help_request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovation.id", ondelete="CASCADE"), index=True
    )
    help_request_id: Mapped[int] = mapped_column(ForeignKey("help_request.id", ondelete="CASCADE"))


class AdoptionSpread(TenantOwned, Base):
    """Derived: this workspace's adoption records of one innovation, counted (``tally.py``
    keeps it up to date in the same transaction as every change of an adoption). Only
    municipalities other than the origin are counted. Readable by every workspace for a
    shared innovation (as its adoptions are), so the spread across counties is a SUM over at
    most innovations × counties rows."""

    __tablename__ = "adoption_spread"
    __audit_label__ = lazy("Opptelling av spredning")
    __audited__ = False
    __table_args__ = (
        UniqueConstraint("workspace_id", "innovation_id"),
        Index("ix_adoption_spread_innovation", "innovation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(ForeignKey("innovation.id", ondelete="CASCADE"))
    in_use: Mapped[int] = mapped_column(default=0)
    # of in_use: municipalities outside the recording workspace's county. Only such a record
    # can be a second record of a municipality (by another county), so the readers count
    # exactly (distinct municipalities) only where this is above 0.
    in_use_outside: Mapped[int] = mapped_column(default=0)
    on_the_way: Mapped[int] = mapped_column(default=0)  # considering, planned, in progress
    abandoned: Mapped[int] = mapped_column(default=0)


class AdoptionPair(TenantOwned, Base):
    """Derived: how many innovations made in ``origin_number`` this workspace recorded as
    ``status`` in ``municipality_number`` (never the origin itself). ``origin_number`` NULL:
    innovations made by a council or network, elsewhere for every municipality. What THIS
    county recorded — its records of other counties' shared innovations included; another
    county's record of one of our municipalities is not counted here. Never read by another
    workspace."""

    __tablename__ = "adoption_pair"
    __audit_label__ = lazy("Opptelling av innføringer per kommune")
    __audited__ = False
    __table_args__ = (
        UniqueConstraint("workspace_id", "origin_number", "municipality_number", "status"),
        CheckConstraint(sql_in("status", ADOPTION_STATES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    origin_number: Mapped[str | None] = mapped_column(ForeignKey("municipality.number"))
    municipality_number: Mapped[str] = mapped_column(ForeignKey("municipality.number"))
    status: Mapped[str] = mapped_column(String(20))
    innovations: Mapped[int] = mapped_column(default=0)
