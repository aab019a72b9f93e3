"""Agenda papers as files: meeting_paper (tenant-owned, RLS; readable by the county a meeting's
body is shared with once the share is accepted, like the agenda itself)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app import rls

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "meeting_paper"
COUNTY = "NULLIF(current_setting('app.county_number', true), '')"
# The same condition as agenda_item's shared_read policy (0021).
SHARED_MEETING = (
    "meeting_id IN (SELECT m.id FROM meeting m JOIN body_share s ON s.body_id = m.body_id "
    "WHERE s.county_number = " + COUNTY + " AND s.accepted_at IS NOT NULL)"
)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("size > 0", name=op.f("ck_meeting_paper_size")),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_meeting_paper_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_item.id"],
            name=op.f("fk_meeting_paper_agenda_item_id_agenda_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_meeting_paper_uploaded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_meeting_paper_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_paper")),
        sa.UniqueConstraint(
            "workspace_id", "storage_key", name=op.f("uq_meeting_paper_workspace_id_storage_key")
        ),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_paper_meeting_id"), ["meeting_id"])
        batch_op.create_index(batch_op.f("ix_meeting_paper_agenda_item_id"), ["agenda_item_id"])
        batch_op.create_index(batch_op.f("ix_meeting_paper_workspace_id"), ["workspace_id"])
    if op.get_bind().dialect.name == "postgresql":
        rls.enable([TABLE])
        op.execute(f"CREATE POLICY shared_read ON {TABLE} FOR SELECT USING ({SHARED_MEETING})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP POLICY IF EXISTS shared_read ON {TABLE}")
        rls.disable([TABLE])
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_paper_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_paper_agenda_item_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_paper_meeting_id"))
    op.drop_table(TABLE)
