"""API tokens with an expiry and a read-only scope, and service tokens owned by the workspace:
api_token.expires_at / read_only / created_by_id, and user_account.is_service for the service
account each service token acts as (no new table: api_token and membership keep their RLS)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_service", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("read_only", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_api_token_created_by_id_user_account"),
            "user_account",
            ["created_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_api_token_created_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("created_by_id")
        batch_op.drop_column("read_only")
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("is_service")
