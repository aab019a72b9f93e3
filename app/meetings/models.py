"""Meetings of councils, networks and committees (or of the county itself): when and where,
who is invited, the agenda with its numbered items and minutes, attendance per member
municipality, and the decisions followed up until done.

A meeting of a body shared with another county is readable there (read-only), as are its
agenda, attendance and decisions; the PostgreSQL policies in the migration say the same.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import AwareDateTime, Base, Timestamped, sql_in, utcnow
from app.i18n import lazy
from app.tenancy import TenantOwned

KINDS = ("meeting", "webinar", "conference")
ATTENDANCE = ("present", "absent", "represented")


class Meeting(TenantOwned, Timestamped, Base):
    __tablename__ = "meeting"
    __audit_label__ = lazy("Møte")
    __table_args__ = (
        CheckConstraint(sql_in("kind", KINDS), name="kind"),
        CheckConstraint("ends_at > starts_at", name="times"),
        Index("ix_meeting_starts", "workspace_id", "starts_at", "id"),
        Index("ix_meeting_body", "body_id", "starts_at", "id"),
        Index("ix_meeting_series", "series_id", "starts_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: a meeting of the county itself (a conference, a webinar for everyone)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="meeting")
    starts_at: Mapped[datetime] = mapped_column(AwareDateTime())
    ends_at: Mapped[datetime] = mapped_column(AwareDateTime())
    place: Mapped[str] = mapped_column(String(300), default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    organiser: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # the minutes approved (at the next meeting): no longer changed
    minutes_approved_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    # a session of a webinar series, with its recording and slides once held
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("webinar_series.id", ondelete="SET NULL")
    )
    recording_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    slides_url: Mapped[str] = mapped_column(String(500), default="", server_default="")


class WebinarSeries(TenantOwned, Timestamped, Base):
    """A series of webinars on a theme every ``cadence_days`` days (of a body or of the county);
    its sessions are meetings of kind webinar with ``series_id`` set."""

    __tablename__ = "webinar_series"
    __audit_label__ = lazy("Webinarserie")
    __table_args__ = (CheckConstraint("cadence_days BETWEEN 1 AND 365", name="cadence_days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int | None] = mapped_column(
        ForeignKey("body.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(500), default="")
    cadence_days: Mapped[int] = mapped_column(Integer, default=14)
    organiser: Mapped[str] = mapped_column(String(200), default="")


class MeetingInvitee(TenantOwned, Base):
    """A member municipality or partner organisation invited to a meeting."""

    __tablename__ = "meeting_invitee"
    __audit_label__ = lazy("Invitert til møte")
    __table_args__ = (
        CheckConstraint(
            "(municipality_number IS NULL) <> (organisation_id IS NULL)", name="one_invitee"
        ),
        Index("ix_meeting_invitee_municipality", "workspace_id", "municipality_number"),
        Index("ix_meeting_invitee_organisation", "workspace_id", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    municipality_number: Mapped[str | None] = mapped_column(ForeignKey("municipality.number"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))


class AgendaItem(TenantOwned, Timestamped, Base):
    """A numbered item of a meeting's agenda, with its papers (links here, files in
    ``MeetingPaper``) and its minutes."""

    __tablename__ = "agenda_item"
    __audit_label__ = lazy("Sak på sakslisten")
    __table_args__ = (
        CheckConstraint(
            "minutes_allotted IS NULL OR minutes_allotted > 0", name="minutes_allotted"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    responsible: Mapped[str] = mapped_column(String(200), default="")
    minutes_allotted: Mapped[int | None] = mapped_column(Integer)
    papers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    minutes: Mapped[str] = mapped_column(Text, default="")


class MeetingPaper(TenantOwned, Base):
    """A file among an agenda item's papers (the links are in ``AgendaItem.papers``). The bytes
    live in the storage; readable wherever the meeting is (also where its body is shared)."""

    __tablename__ = "meeting_paper"
    __audit_label__ = lazy("Saksdokument")
    __table_args__ = (
        UniqueConstraint("workspace_id", "storage_key"),
        CheckConstraint("size > 0", name="size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    uploaded_by_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class Attendance(TenantOwned, Base):
    """Whether a member municipality was at a meeting: present, absent or represented by
    someone else (named)."""

    __tablename__ = "attendance"
    __audit_label__ = lazy("Oppmøte")
    __table_args__ = (
        UniqueConstraint("workspace_id", "meeting_id", "municipality_number"),
        CheckConstraint(sql_in("status", ATTENDANCE), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    municipality_number: Mapped[str] = mapped_column(ForeignKey("municipality.number"))
    status: Mapped[str] = mapped_column(String(20))
    represented_by: Mapped[str] = mapped_column(String(200), default="")


class Decision(TenantOwned, Timestamped, Base):
    """A decision under an agenda item: who follows it up, by when, and whether it is done."""

    __tablename__ = "decision"
    __audit_label__ = lazy("Vedtak")
    __table_args__ = (Index("ix_decision_responsible", "workspace_id", "responsible_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    # a member of the workspace; required by the service (kept when they leave: SET NULL)
    responsible_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    due_on: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


STANDING = ("scheme_deadlines", "innovations", "help_requests")


class StandingItem(TenantOwned, Base):
    """An item a body puts on every meeting's agenda once, filled from Samspill when shown:
    calls with deadlines soon in the body's areas, shared innovations not yet in use among its
    members, open help requests from its members."""

    __tablename__ = "standing_item"
    __audit_label__ = lazy("Fast sak")
    __table_args__ = (
        UniqueConstraint("workspace_id", "body_id", "kind"),
        CheckConstraint(sql_in("kind", STANDING), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))


class MeetingFeed(TenantOwned, Base):
    """A secret address from which a person's calendar program fetches the meetings they are
    invited to (only the hash of the address is kept)."""

    __tablename__ = "meeting_feed"
    __audit_label__ = lazy("Møtekalender-abonnement")
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)
    __audit_redact__ = ("token_hash",)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
