"""Strategies: documents with ordered sections, frozen versions, consultation rounds with
invitees, comments, amendments, formal responses and answers, and action-plan measures."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.counties.models import Municipality, Organisation
from app.db import AwareDateTime, Base, Timestamped, utcnow
from app.i18n import lazy
from app.tenancy import TenantOwned

KINDS = ("innovation_strategy", "digitalisation_strategy", "action_plan", "other")
INVITEE_KINDS = ("organisation", "municipality", "body", "guest")
COMMENT_KINDS = ("comment", "amendment")
ANSWERS = ("accepted", "partly", "not_accepted", "noted")
MEASURE_STATUSES = ("planned", "under_way", "done", "cancelled")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _user_fk() -> Mapped[int | None]:
    return mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class StrategyDocument(TenantOwned, Timestamped, Base):
    __tablename__ = "strategy_document"
    __audit_label__ = lazy("Strategidokument")
    __table_args__ = (CheckConstraint(_in("kind", KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    summary: Mapped[str] = mapped_column(Text, default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = _user_fk()


class SectionText:
    """What a section is, in the draft and frozen in a version: ``key`` follows it through
    every version."""

    key: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")


class StrategySection(SectionText, TenantOwned, Base):
    """A section of the working draft. ``key`` follows the section through every version;
    ``revision`` is the optimistic lock: a save names the revision it started from."""

    __tablename__ = "strategy_section"
    __audit_label__ = lazy("Avsnitt i utkast")
    __table_args__ = (
        UniqueConstraint("workspace_id", "key"),
        Index("ix_strategy_section_document", "workspace_id", "document_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("strategy_document.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = _user_fk()

    updated_by: Mapped[User | None] = relationship(lazy="raise")


class StrategyVersion(TenantOwned, Base):
    """A published, frozen version. Adoption by a political body is recorded on it."""

    __tablename__ = "strategy_version"
    __audit_label__ = lazy("Publisert versjon")
    __table_args__ = (UniqueConstraint("workspace_id", "document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("strategy_document.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = _user_fk()
    adopted_by: Mapped[str | None] = mapped_column(String(200))
    adopted_on: Mapped[date | None] = mapped_column(Date)
    case_number: Mapped[str | None] = mapped_column(String(40))

    published_by: Mapped[User | None] = relationship(lazy="raise")


class VersionSection(SectionText, TenantOwned, Base):
    __tablename__ = "strategy_version_section"
    __audit_label__ = lazy("Avsnitt i publisert versjon")
    __table_args__ = (
        UniqueConstraint("workspace_id", "version_id", "key"),
        Index("ix_strategy_version_section_version", "workspace_id", "version_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("strategy_version.id", ondelete="CASCADE"))


class ConsultationRound(TenantOwned, Timestamped, Base):
    """A høring on one published version. Open from ``starts_on`` to ``ends_on`` (Norwegian
    dates, both included); the state is read off the dates, so it opens and closes by itself,
    unless the coordinator closes it early (``closed_at``)."""

    __tablename__ = "consultation_round"
    __audit_label__ = lazy("Høring")
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates"),
        Index("ix_consultation_round_document", "workspace_id", "document_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("strategy_document.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("strategy_version.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    cover_text: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reminder_days: Mapped[int] = mapped_column(Integer, default=3)
    answers_published_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    created_by_id: Mapped[int | None] = _user_fk()
    closed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())  # closed before ends_on
    closed_by_id: Mapped[int | None] = _user_fk()

    version: Mapped[StrategyVersion] = relationship(lazy="raise")
    document: Mapped[StrategyDocument] = relationship(lazy="raise")


class Invitee(TenantOwned, Base):
    """Who is invited to a round: a partner organisation, a municipality, a body (its member
    municipalities and organisations take part through it) or a guest organisation by e-mail."""

    __tablename__ = "consultation_invitee"
    __audit_label__ = lazy("Invitert til høring")
    __table_args__ = (
        CheckConstraint(_in("kind", INVITEE_KINDS), name="kind"),
        Index("ix_consultation_invitee_round", "workspace_id", "round_id"),
        UniqueConstraint("token_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("consultation_round.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    municipality_number: Mapped[str | None] = mapped_column(ForeignKey("municipality.number"))
    body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"))
    guest_name: Mapped[str | None] = mapped_column(String(200))
    guest_email: Mapped[str | None] = mapped_column(String(254))
    token_hash: Mapped[str | None] = mapped_column(String(64))
    deadline: Mapped[date | None] = mapped_column(Date)
    invited_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(AwareDateTime())

    organisation: Mapped[Organisation | None] = relationship(lazy="raise")
    municipality: Mapped[Municipality | None] = relationship(lazy="raise")


class ConsultationComment(TenantOwned, Base):
    """A comment or an amendment on a section of the round's version, or a reply in a thread.

    A quoted passage is kept as text next to the section key: it survives any change of
    positions, and it is found again in the text by searching for it."""

    __tablename__ = "consultation_comment"
    __audit_label__ = lazy("Kommentar eller endringsforslag")
    __audit_redact__ = ("author_email",)
    __table_args__ = (
        CheckConstraint(_in("kind", COMMENT_KINDS), name="kind"),
        CheckConstraint(f"answer IS NULL OR {_in('answer', ANSWERS)}", name="answer"),
        Index("ix_consultation_comment_round", "workspace_id", "round_id", "section_key", "id"),
        Index("ix_consultation_comment_invitee", "workspace_id", "invitee_id"),
        Index("ix_consultation_comment_parent", "parent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("consultation_round.id", ondelete="CASCADE"))
    section_key: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_comment.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(20), default="comment")
    quote: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    proposed_text: Mapped[str | None] = mapped_column(Text)
    base_text: Mapped[str | None] = mapped_column(Text)
    invitee_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_invitee.id", ondelete="SET NULL")
    )
    author_id: Mapped[int | None] = _user_fk()
    author_name: Mapped[str] = mapped_column(String(200))
    author_org: Mapped[str] = mapped_column(String(200), default="")
    author_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    answer: Mapped[str | None] = mapped_column(String(20))
    answer_reason: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    answered_by_id: Mapped[int | None] = _user_fk()
    applied_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


class FormalResponse(TenantOwned, Base):
    """An organisation's høringssvar: drafted together, submitted once, then locked."""

    __tablename__ = "consultation_response"
    __audit_label__ = lazy("Høringssvar")
    __table_args__ = (UniqueConstraint("workspace_id", "invitee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("consultation_round.id", ondelete="CASCADE"))
    invitee_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_invitee.id", ondelete="CASCADE")
    )
    body: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    updated_by_name: Mapped[str] = mapped_column(String(200), default="")
    submitted_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    submitted_by_name: Mapped[str | None] = mapped_column(String(200))


class ResponseFile(TenantOwned, Base):
    """A file attached to a formal response (a signed letter): added while it is a draft, kept
    when it is submitted. The bytes live in the storage; readable by whoever reads the response."""

    __tablename__ = "consultation_response_file"
    __audit_label__ = lazy("Vedlegg til høringssvar")
    __table_args__ = (
        UniqueConstraint("workspace_id", "storage_key"),
        CheckConstraint("size > 0", name="size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_response.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = _user_fk()
    uploaded_by_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class StrategyNotice(TenantOwned, Base):
    """A notice waiting for a daily digest (for those who chose one)."""

    __tablename__ = "strategy_notice"
    __audited__ = False  # a queue for the digest mail, not a record of anyone's work
    __table_args__ = (Index("ix_strategy_notice_pending", "workspace_id", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


class Measure(TenantOwned, Timestamped, Base):
    """A measure (tiltak) of an action plan, linked to the section it implements."""

    __tablename__ = "strategy_measure"
    __audit_label__ = lazy("Tiltak")
    __table_args__ = (
        CheckConstraint(_in("status", MEASURE_STATUSES), name="status"),
        Index("ix_strategy_measure_document", "workspace_id", "document_id", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("strategy_document.id", ondelete="CASCADE"))
    section_key: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200))
    partners: Mapped[str] = mapped_column(String(500), default="")
    deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="planned")
