"""Hjelpekorps: help requests, assignees, events, messages, helper profiles; RLS.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 23:31:47.884753
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TENANT_TABLES = (
    "help_request",
    "request_assignee",
    "request_event",
    "request_message",
    "helper_profile",
)
WORKSPACE = "NULLIF(current_setting('app.workspace_id', true), '')::integer"


def _enable_rls() -> None:
    for table in TENANT_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} "
            f"USING (workspace_id = {WORKSPACE}) WITH CHECK (workspace_id = {WORKSPACE})"
        )


def _disable_rls() -> None:
    for table in TENANT_TABLES:
        op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


def upgrade() -> None:
    op.create_table(
        "help_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("municipality_number", sa.String(length=4), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("on_site", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=True),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "category IN ('funding', 'service_design', 'reuse', 'benefits', 'digitalisation', 'procurement', 'climate', 'other')",
            name=op.f("ck_help_request_category"),
        ),
        sa.CheckConstraint(
            "priority IN ('low', 'normal', 'high', 'urgent')", name=op.f("ck_help_request_priority")
        ),
        sa.CheckConstraint(
            "state IN ('new', 'triaged', 'assigned', 'in_progress', 'waiting_for_municipality', 'resolved', 'closed')",
            name=op.f("ck_help_request_state"),
        ),
        sa.CheckConstraint(
            "urgency IN ('low', 'normal', 'high', 'urgent')", name=op.f("ck_help_request_urgency")
        ),
        sa.CheckConstraint(
            "rating IS NULL OR (rating BETWEEN 1 AND 5)", name=op.f("ck_help_request_rating")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_number"],
            ["municipality.number"],
            name=op.f("fk_help_request_municipality_number_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["user_account.id"],
            name=op.f("fk_help_request_requester_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_help_request_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_request")),
        sa.UniqueConstraint(
            "workspace_id", "number", name=op.f("uq_help_request_workspace_id_number")
        ),
    )
    with op.batch_alter_table("help_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_help_request_municipality",
            ["workspace_id", "municipality_number", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_help_request_state", ["workspace_id", "state", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_help_request_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "helper_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("competences", sa.JSON(), nullable=False),
        sa.Column("home_municipality_number", sa.String(length=4), nullable=True),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["home_municipality_number"],
            ["municipality.number"],
            name=op.f("fk_helper_profile_home_municipality_number_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_helper_profile_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_helper_profile_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helper_profile")),
        sa.UniqueConstraint(
            "workspace_id", "user_id", name=op.f("uq_helper_profile_workspace_id_user_id")
        ),
    )
    with op.batch_alter_table("helper_profile", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_helper_profile_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "request_assignee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_request.id"],
            name=op.f("fk_request_assignee_request_id_help_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_request_assignee_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_request_assignee_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_assignee")),
        sa.UniqueConstraint(
            "workspace_id",
            "request_id",
            "user_id",
            name=op.f("uq_request_assignee_workspace_id_request_id_user_id"),
        ),
    )
    with op.batch_alter_table("request_assignee", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_assignee_request_id"), ["request_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_request_assignee_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_request_assignee_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "request_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_state", sa.String(length=30), nullable=True),
        sa.Column("to_state", sa.String(length=30), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_request_event_actor_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_request.id"],
            name=op.f("fk_request_event_request_id_help_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_request_event_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_event")),
    )
    with op.batch_alter_table("request_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_request_event_request", ["workspace_id", "request_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_request_event_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "request_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_request_message_author_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_request.id"],
            name=op.f("fk_request_message_request_id_help_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_request_message_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_message")),
    )
    with op.batch_alter_table("request_message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_request_message_request", ["workspace_id", "request_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_request_message_workspace_id"), ["workspace_id"], unique=False
        )

    if op.get_bind().dialect.name == "postgresql":
        _enable_rls()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _disable_rls()
    with op.batch_alter_table("request_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_message_workspace_id"))
        batch_op.drop_index("ix_request_message_request")

    op.drop_table("request_message")
    with op.batch_alter_table("request_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_event_workspace_id"))
        batch_op.drop_index("ix_request_event_request")

    op.drop_table("request_event")
    with op.batch_alter_table("request_assignee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_assignee_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_request_assignee_user_id"))
        batch_op.drop_index(batch_op.f("ix_request_assignee_request_id"))

    op.drop_table("request_assignee")
    with op.batch_alter_table("helper_profile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_helper_profile_workspace_id"))

    op.drop_table("helper_profile")
    with op.batch_alter_table("help_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_help_request_workspace_id"))
        batch_op.drop_index("ix_help_request_state")
        batch_op.drop_index("ix_help_request_municipality")

    op.drop_table("help_request")
