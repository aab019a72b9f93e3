"""The map of cooperation: bodies (councils, networks, inner bodies), memberships over time,
contact persons with their areas of responsibility, and representatives."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.counties.models import Municipality, Organisation
from app.db import AwareDateTime, Base, Timestamped, sql_in
from app.i18n import lazy
from app.tenancy import TenantOwned

BODY_KINDS = (
    "council",  # subregional council (regionråd / interkommunalt politisk råd)
    "network",  # a network with a theme
    "board",
    "ceo_committee",
    "secretariat",
    "steering_group",
    "working_committee",
    "professional_group",
    "joint_operation",  # e.g. a joint IT operation
)
TOP_LEVEL_KINDS = ("council", "network")
THEMES = ("digitalisation", "health_welfare_tech", "climate", "school", "procurement", "other")
MEMBER_ROLES = ("member", "host", "secretariat", "observer")
AREAS = (
    "digitalisation",
    "health_care",
    "school",
    "climate",
    "business",
    "finance",
    "procurement",
    "innovation",
    "other",
)


class Body(TenantOwned, Timestamped, Base):
    __tablename__ = "body"
    __audit_label__ = lazy("Råd eller nettverk")
    __table_args__ = (
        UniqueConstraint("workspace_id", "name"),
        CheckConstraint(sql_in("kind", BODY_KINDS), name="kind"),
        CheckConstraint(f"theme IS NULL OR {sql_in('theme', THEMES)}", name="theme"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("body.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    theme: Mapped[str | None] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    archived_at: Mapped[datetime | None] = mapped_column(AwareDateTime())

    parent: Mapped[Body | None] = relationship(remote_side=[id], lazy="raise")


class BodyMembership(TenantOwned, Timestamped, Base):
    """A municipality or partner organisation in a body, from one date to another."""

    __tablename__ = "body_membership"
    __audit_label__ = lazy("Medlemskap i råd eller nettverk")
    __table_args__ = (
        CheckConstraint(sql_in("role", MEMBER_ROLES), name="role"),
        CheckConstraint(
            "(municipality_number IS NULL) <> (organisation_id IS NULL)", name="one_member"
        ),
        CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates"
        ),
        Index("ix_body_membership_body", "workspace_id", "body_id"),
        Index("ix_body_membership_municipality", "workspace_id", "municipality_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"))
    municipality_number: Mapped[str | None] = mapped_column(ForeignKey("municipality.number"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    role: Mapped[str] = mapped_column(String(20), default="member")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)

    body: Mapped[Body] = relationship(lazy="raise")
    municipality: Mapped[Municipality | None] = relationship(lazy="raise")
    organisation: Mapped[Organisation | None] = relationship(lazy="raise")


class BodyShare(TenantOwned, Base):
    """A body of this workspace that a county's workspace may read, because municipalities of
    that county are or were members. Kept up to date by the service.

    A share is a request until a coordinator of that county's workspace answers it: pending
    (neither ``accepted_at`` nor ``declined_at``), accepted, or declined. Only an accepted share
    lets the other county see the body and its memberships."""

    __tablename__ = "body_share"
    __audit_label__ = lazy("Deling av råd eller nettverk")
    __table_args__ = (UniqueConstraint("workspace_id", "body_id", "county_number"),)
    __audited__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"), index=True)
    county_number: Mapped[str] = mapped_column(ForeignKey("county.number"), index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    declined_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    body: Mapped[Body] = relationship(lazy="raise")

    @property
    def state(self) -> str:
        """``pending``, ``accepted`` or ``declined``."""
        return share_state(self.accepted_at, self.declined_at)


def share_state(accepted_at: datetime | None, declined_at: datetime | None) -> str:
    """A share's state by its answer's times: ``accepted``, ``declined`` or ``pending``."""
    if accepted_at is not None:
        return "accepted"
    if declined_at is not None:
        return "declined"
    return "pending"


class Person(TenantOwned, Timestamped, Base):
    """A contact person with a role in a municipality."""

    __tablename__ = "person"
    __audit_label__ = lazy("Kontaktperson")
    __table_args__ = (Index("ix_person_municipality", "workspace_id", "municipality_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_number: Mapped[str] = mapped_column(ForeignKey("municipality.number"))
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")

    municipality: Mapped[Municipality] = relationship(lazy="raise")
    responsibilities: Mapped[list[Responsibility]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="Responsibility.area"
    )


class Responsibility(TenantOwned, Base):
    """An area a person is responsible for in their municipality."""

    __tablename__ = "responsibility"
    __audit_label__ = lazy("Ansvarsområde")
    __table_args__ = (
        UniqueConstraint("workspace_id", "person_id", "area"),
        CheckConstraint(sql_in("area", AREAS), name="area"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    area: Mapped[str] = mapped_column(String(30))


class Representative(TenantOwned, Base):
    """A person who sits in a body for their municipality."""

    __tablename__ = "representative"
    __audit_label__ = lazy("Representant")
    __table_args__ = (UniqueConstraint("workspace_id", "body_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)

    body: Mapped[Body] = relationship(lazy="raise")
    person: Mapped[Person] = relationship(lazy="raise")
