"""Hjelpekorps: attachments, plan steps, links between requests, time spent, stored due
times; RLS

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 23:20:19.304142
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TENANT_TABLES = ("request_attachment", "request_step", "request_link", "time_entry")
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
        "request_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("second_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("first_id < second_id", name=op.f("ck_request_link_order")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_request_link_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["first_id"],
            ["help_request.id"],
            name=op.f("fk_request_link_first_id_help_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["second_id"],
            ["help_request.id"],
            name=op.f("fk_request_link_second_id_help_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_request_link_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_link")),
        sa.UniqueConstraint(
            "workspace_id",
            "first_id",
            "second_id",
            name=op.f("uq_request_link_workspace_id_first_id_second_id"),
        ),
    )
    with op.batch_alter_table("request_link", schema=None) as batch_op:
        batch_op.create_index("ix_request_link_second", ["workspace_id", "second_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_request_link_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "request_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["done_by_id"],
            ["user_account.id"],
            name=op.f("fk_request_step_done_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_request.id"],
            name=op.f("fk_request_step_request_id_help_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_request_step_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_step")),
    )
    with op.batch_alter_table("request_step", schema=None) as batch_op:
        batch_op.create_index(
            "ix_request_step_request", ["workspace_id", "request_id", "position"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_request_step_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "time_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("worked_on", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("minutes > 0 AND minutes <= 1440", name=op.f("ck_time_entry_minutes")),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_request.id"],
            name=op.f("fk_time_entry_request_id_help_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_time_entry_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_time_entry_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_entry")),
    )
    with op.batch_alter_table("time_entry", schema=None) as batch_op:
        batch_op.create_index("ix_time_entry_request", ["workspace_id", "request_id"], unique=False)
        batch_op.create_index(
            "ix_time_entry_user", ["workspace_id", "user_id", "worked_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_time_entry_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "request_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("size > 0", name=op.f("ck_request_attachment_size")),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["request_message.id"],
            name=op.f("fk_request_attachment_message_id_request_message"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_request.id"],
            name=op.f("fk_request_attachment_request_id_help_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_request_attachment_uploaded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_request_attachment_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_attachment")),
        sa.UniqueConstraint(
            "workspace_id",
            "storage_key",
            name=op.f("uq_request_attachment_workspace_id_storage_key"),
        ),
    )
    with op.batch_alter_table("request_attachment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_request_attachment_request", ["workspace_id", "request_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_request_attachment_workspace_id"), ["workspace_id"], unique=False
        )

    # A helper's load from an index: whether each assignment's request is still open.
    with op.batch_alter_table("request_assignee", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("request_open", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    pg = op.get_bind().dialect.name == "postgresql"
    if pg:  # FORCE row-level security binds the owner too: without a workspace it sees nothing
        for table in ("request_assignee", "help_request"):
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(
        "UPDATE request_assignee SET request_open = EXISTS (SELECT 1 FROM help_request h "
        "WHERE h.id = request_assignee.request_id AND h.state IN "
        "('new', 'triaged', 'assigned', 'in_progress', 'waiting_for_municipality'))"
    )
    if pg:
        for table in ("request_assignee", "help_request"):
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    with op.batch_alter_table("request_assignee", schema=None) as batch_op:
        batch_op.create_index(
            "ix_request_assignee_open_load",
            ["workspace_id", "user_id"],
            unique=False,
            postgresql_where=sa.text("request_open"),
            sqlite_where=sa.text("request_open"),
        )

    with op.batch_alter_table("help_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("first_response_due_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("resolution_due_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("first_response_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("resolution_minutes", sa.Integer(), nullable=True))

    if op.get_bind().dialect.name == "postgresql":
        _enable_rls()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _disable_rls()
    with op.batch_alter_table("request_assignee", schema=None) as batch_op:
        batch_op.drop_index("ix_request_assignee_open_load")
        batch_op.drop_column("request_open")
    with op.batch_alter_table("help_request", schema=None) as batch_op:
        batch_op.drop_column("resolution_minutes")
        batch_op.drop_column("first_response_minutes")
        batch_op.drop_column("resolution_due_at")
        batch_op.drop_column("first_response_due_at")

    with op.batch_alter_table("request_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_attachment_workspace_id"))
        batch_op.drop_index("ix_request_attachment_request")

    op.drop_table("request_attachment")
    with op.batch_alter_table("time_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_entry_workspace_id"))
        batch_op.drop_index("ix_time_entry_user")
        batch_op.drop_index("ix_time_entry_request")

    op.drop_table("time_entry")
    with op.batch_alter_table("request_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_step_workspace_id"))
        batch_op.drop_index("ix_request_step_request")

    op.drop_table("request_step")
    with op.batch_alter_table("request_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_link_workspace_id"))
        batch_op.drop_index("ix_request_link_second")

    op.drop_table("request_link")
