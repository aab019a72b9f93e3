"""Notifications: a person's in-app notifications (notification) and their choice per kind of
event (notification_preference: in the app, e-mail at once or a daily digest). On PostgreSQL a
notification is written in the workspace it happened in and read and marked read by its
person (app.user_id) from any page, or by the digest job in system scope.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.rls import SYSTEM, WORKSPACE

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

USER = "NULLIF(current_setting('app.user_id', true), '')::integer"
OWN = f"(user_id = {USER} OR {SYSTEM})"


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=500), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("delivery", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_notification_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_notification_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index("ix_notification_user", ["user_id", "read_at", "created_at"])
        batch_op.create_index("ix_notification_pending", ["delivery", "mailed_at"])
        batch_op.create_index(batch_op.f("ix_notification_workspace_id"), ["workspace_id"])
    op.create_table(
        "notification_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "channel IN ('app', 'email', 'digest')",
            name=op.f("ck_notification_preference_channel"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_notification_preference_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preference")),
        sa.UniqueConstraint(
            "user_id", "kind", name=op.f("uq_notification_preference_user_id_kind")
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE notification ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE notification FORCE ROW LEVEL SECURITY")
        # Written (and, for the writer, read back) in the workspace where the event happened.
        op.execute(
            "CREATE POLICY tenant_isolation ON notification "
            f"USING (workspace_id = {WORKSPACE}) WITH CHECK (workspace_id = {WORKSPACE})"
        )
        # Read and marked read by its own person from any page; the digest job in system scope.
        op.execute(f"CREATE POLICY own_rows ON notification FOR SELECT USING {OWN}")
        op.execute(
            f"CREATE POLICY own_update ON notification FOR UPDATE USING {OWN} WITH CHECK {OWN}"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for policy in ("own_update", "own_rows", "tenant_isolation"):
            op.execute(f"DROP POLICY IF EXISTS {policy} ON notification")
        op.execute("ALTER TABLE notification NO FORCE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE notification DISABLE ROW LEVEL SECURITY")
    op.drop_table("notification_preference")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_workspace_id"))
        batch_op.drop_index("ix_notification_pending")
        batch_op.drop_index("ix_notification_user")
    op.drop_table("notification")
