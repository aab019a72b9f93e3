"""The workspace a person last used, for their start after login: user_account.last_workspace_id

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_workspace_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_user_account_last_workspace_id_workspace",
            "workspace",
            ["last_workspace_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint("fk_user_account_last_workspace_id_workspace", type_="foreignkey")
        batch_op.drop_column("last_workspace_id")
