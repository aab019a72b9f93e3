"""Meetings: meetings of bodies (or of the county) with invitees, agenda items with papers
and minutes, attendance per member municipality and decisions followed up; RLS with the
meetings of a shared body (and their agenda, attendance and decisions) readable by the county
it is shared with once the share is accepted

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app import rls

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = (
    "meeting",
    "meeting_invitee",
    "agenda_item",
    "attendance",
    "decision",
    "standing_item",
)
COUNTY = "NULLIF(current_setting('app.county_number', true), '')"
ACCEPTED = (
    "EXISTS (SELECT 1 FROM body_share s WHERE s.body_id = meeting.body_id AND "
    "s.county_number = " + COUNTY + " AND s.accepted_at IS NOT NULL)"
)
SHARED_MEETING = (
    "meeting_id IN (SELECT m.id FROM meeting m JOIN body_share s ON s.body_id = m.body_id "
    "WHERE s.county_number = " + COUNTY + " AND s.accepted_at IS NOT NULL)"
)
# Beyond its own rows, a workspace reads the meetings of the bodies other counties share with
# it (accepted shares only), with their invitees, agenda, attendance and decisions: read-only.
SHARED_READ = {
    "meeting": ACCEPTED,
    "meeting_invitee": SHARED_MEETING,
    "agenda_item": SHARED_MEETING,
    "attendance": SHARED_MEETING,
    "decision": SHARED_MEETING,
    "standing_item": (
        "EXISTS (SELECT 1 FROM body_share s WHERE s.body_id = standing_item.body_id AND "
        "s.county_number = " + COUNTY + " AND s.accepted_at IS NOT NULL)"
    ),
}


def upgrade() -> None:
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("video_url", sa.String(length=500), nullable=False),
        sa.Column("organiser", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("minutes_approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('meeting', 'webinar', 'conference')", name=op.f("ck_meeting_kind")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_meeting_times")),
        sa.ForeignKeyConstraint(
            ["body_id"], ["body.id"], name=op.f("fk_meeting_body_id_body"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_meeting_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
    )
    op.create_index("ix_meeting_body", "meeting", ["body_id", "starts_at", "id"], unique=False)
    op.create_index(
        "ix_meeting_starts", "meeting", ["workspace_id", "starts_at", "id"], unique=False
    )
    op.create_index(op.f("ix_meeting_workspace_id"), "meeting", ["workspace_id"], unique=False)
    op.create_table(
        "agenda_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("responsible", sa.String(length=200), nullable=False),
        sa.Column("minutes_allotted", sa.Integer(), nullable=True),
        sa.Column("papers", sa.JSON(), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "minutes_allotted IS NULL OR minutes_allotted > 0",
            name=op.f("ck_agenda_item_minutes_allotted"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_agenda_item_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_agenda_item_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_item")),
    )
    op.create_index(op.f("ix_agenda_item_meeting_id"), "agenda_item", ["meeting_id"], unique=False)
    op.create_index(
        op.f("ix_agenda_item_workspace_id"), "agenda_item", ["workspace_id"], unique=False
    )
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("municipality_number", sa.String(length=4), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("represented_by", sa.String(length=200), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('present', 'absent', 'represented')", name=op.f("ck_attendance_status")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_attendance_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_number"],
            ["municipality.number"],
            name=op.f("fk_attendance_municipality_number_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_attendance_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        sa.UniqueConstraint(
            "workspace_id",
            "meeting_id",
            "municipality_number",
            name=op.f("uq_attendance_workspace_id_meeting_id_municipality_number"),
        ),
    )
    op.create_index(op.f("ix_attendance_meeting_id"), "attendance", ["meeting_id"], unique=False)
    op.create_index(
        op.f("ix_attendance_workspace_id"), "attendance", ["workspace_id"], unique=False
    )
    op.create_table(
        "meeting_invitee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("municipality_number", sa.String(length=4), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(municipality_number IS NULL) <> (organisation_id IS NULL)",
            name=op.f("ck_meeting_invitee_one_invitee"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_meeting_invitee_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_number"],
            ["municipality.number"],
            name=op.f("fk_meeting_invitee_municipality_number_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_meeting_invitee_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_meeting_invitee_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_invitee")),
    )
    op.create_index(
        op.f("ix_meeting_invitee_meeting_id"), "meeting_invitee", ["meeting_id"], unique=False
    )
    op.create_index(
        "ix_meeting_invitee_municipality",
        "meeting_invitee",
        ["workspace_id", "municipality_number"],
        unique=False,
    )
    op.create_index(
        "ix_meeting_invitee_organisation",
        "meeting_invitee",
        ["workspace_id", "organisation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_meeting_invitee_workspace_id"), "meeting_invitee", ["workspace_id"], unique=False
    )
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("responsible_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_item.id"],
            name=op.f("fk_decision_agenda_item_id_agenda_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_decision_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["responsible_id"],
            ["user_account.id"],
            name=op.f("fk_decision_responsible_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_decision_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
    )
    op.create_index(
        op.f("ix_decision_agenda_item_id"), "decision", ["agenda_item_id"], unique=False
    )
    op.create_index(op.f("ix_decision_meeting_id"), "decision", ["meeting_id"], unique=False)
    op.create_index(
        "ix_decision_responsible", "decision", ["workspace_id", "responsible_id"], unique=False
    )
    op.create_index(op.f("ix_decision_workspace_id"), "decision", ["workspace_id"], unique=False)

    op.create_table(
        "standing_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('scheme_deadlines', 'innovations', 'help_requests')",
            name=op.f("ck_standing_item_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["body_id"], ["body.id"], name=op.f("fk_standing_item_body_id_body"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_standing_item_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standing_item")),
        sa.UniqueConstraint(
            "workspace_id",
            "body_id",
            "kind",
            name=op.f("uq_standing_item_workspace_id_body_id_kind"),
        ),
    )
    op.create_index(op.f("ix_standing_item_body_id"), "standing_item", ["body_id"], unique=False)
    op.create_index(
        op.f("ix_standing_item_workspace_id"), "standing_item", ["workspace_id"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        rls.enable(TENANT_TABLES)
        for table, condition in SHARED_READ.items():
            op.execute(f"CREATE POLICY shared_read ON {table} FOR SELECT USING ({condition})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in SHARED_READ:
            op.execute(f"DROP POLICY IF EXISTS shared_read ON {table}")
        rls.disable(TENANT_TABLES)
    op.drop_index(op.f("ix_standing_item_workspace_id"), table_name="standing_item")
    op.drop_index(op.f("ix_standing_item_body_id"), table_name="standing_item")
    op.drop_table("standing_item")
    op.drop_index(op.f("ix_decision_workspace_id"), table_name="decision")
    op.drop_index("ix_decision_responsible", table_name="decision")
    op.drop_index(op.f("ix_decision_meeting_id"), table_name="decision")
    op.drop_index(op.f("ix_decision_agenda_item_id"), table_name="decision")
    op.drop_table("decision")
    op.drop_index(op.f("ix_meeting_invitee_workspace_id"), table_name="meeting_invitee")
    op.drop_index("ix_meeting_invitee_organisation", table_name="meeting_invitee")
    op.drop_index("ix_meeting_invitee_municipality", table_name="meeting_invitee")
    op.drop_index(op.f("ix_meeting_invitee_meeting_id"), table_name="meeting_invitee")
    op.drop_table("meeting_invitee")
    op.drop_index(op.f("ix_attendance_workspace_id"), table_name="attendance")
    op.drop_index(op.f("ix_attendance_meeting_id"), table_name="attendance")
    op.drop_table("attendance")
    op.drop_index(op.f("ix_agenda_item_workspace_id"), table_name="agenda_item")
    op.drop_index(op.f("ix_agenda_item_meeting_id"), table_name="agenda_item")
    op.drop_table("agenda_item")
    op.drop_index(op.f("ix_meeting_workspace_id"), table_name="meeting")
    op.drop_index("ix_meeting_starts", table_name="meeting")
    op.drop_index("ix_meeting_body", table_name="meeting")
    op.drop_table("meeting")
