"""Webinar series: a series (title, theme, cadence in days, body, organiser) whose sessions are
meetings of kind webinar with ``series_id``, each with a recording link and slides; a secret
meeting calendar feed per person; RLS on both

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app import rls

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = ("webinar_series", "meeting_feed")


def upgrade() -> None:
    op.create_table(
        "webinar_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("theme", sa.String(length=500), nullable=False),
        sa.Column("cadence_days", sa.Integer(), nullable=False),
        sa.Column("organiser", sa.String(length=200), nullable=False),
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
            "cadence_days BETWEEN 1 AND 365", name=op.f("ck_webinar_series_cadence_days")
        ),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["body.id"],
            name=op.f("fk_webinar_series_body_id_body"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_webinar_series_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webinar_series")),
    )
    op.create_index(op.f("ix_webinar_series_body_id"), "webinar_series", ["body_id"], unique=False)
    op.create_index(
        op.f("ix_webinar_series_workspace_id"), "webinar_series", ["workspace_id"], unique=False
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("recording_url", sa.String(length=500), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("slides_url", sa.String(length=500), server_default="", nullable=False)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_meeting_series_id_webinar_series"),
            "webinar_series",
            ["series_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_meeting_series", ["series_id", "starts_at", "id"], unique=False)
    op.create_table(
        "meeting_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_meeting_feed_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_meeting_feed_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_feed")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_meeting_feed_token_hash")),
        sa.UniqueConstraint(
            "workspace_id", "user_id", name=op.f("uq_meeting_feed_workspace_id_user_id")
        ),
    )
    op.create_index(
        op.f("ix_meeting_feed_workspace_id"), "meeting_feed", ["workspace_id"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        rls.enable(TENANT_TABLES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rls.disable(TENANT_TABLES)
    op.drop_index(op.f("ix_meeting_feed_workspace_id"), table_name="meeting_feed")
    op.drop_table("meeting_feed")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_series")
        batch_op.drop_constraint(
            batch_op.f("fk_meeting_series_id_webinar_series"), type_="foreignkey"
        )
        batch_op.drop_column("slides_url")
        batch_op.drop_column("recording_url")
        batch_op.drop_column("series_id")
    op.drop_index(op.f("ix_webinar_series_workspace_id"), table_name="webinar_series")
    op.drop_index(op.f("ix_webinar_series_body_id"), table_name="webinar_series")
    op.drop_table("webinar_series")
