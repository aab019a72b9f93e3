"""A consultation round closed before its deadline: consultation_round.closed_at, closed_by_id

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 08:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("consultation_round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_consultation_round_closed_by_id_user_account",
            "user_account",
            ["closed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("consultation_round", schema=None) as batch_op:
        batch_op.drop_constraint(
            "fk_consultation_round_closed_by_id_user_account", type_="foreignkey"
        )
        batch_op.drop_column("closed_by_id")
        batch_op.drop_column("closed_at")
