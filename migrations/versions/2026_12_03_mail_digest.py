"""Notification digests: outbox_message.kind tells an ordinary mail ("mail") from a
notification of an event ("notification") and a digest that collects them ("digest", with
digest_events counting them); an index finds a person's recent mail from a workspace

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), server_default="mail", nullable=False)
        )
        batch_op.add_column(sa.Column("digest_events", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_outbox_message_recipient", ["recipient", "workspace_id", "created_at"]
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_recipient")
        batch_op.drop_column("digest_events")
        batch_op.drop_column("kind")
