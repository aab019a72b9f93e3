"""Files attached to a formal consultation response: consultation_response_file

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app import rls

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "consultation_response_file"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("size > 0", name=op.f("ck_consultation_response_file_size")),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["consultation_response.id"],
            name=op.f("fk_consultation_response_file_response_id_consultation_response"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_consultation_response_file_uploaded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_consultation_response_file_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_response_file")),
        sa.UniqueConstraint(
            "workspace_id",
            "storage_key",
            name=op.f("uq_consultation_response_file_workspace_id_storage_key"),
        ),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_response_file_response_id"), ["response_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consultation_response_file_workspace_id"), ["workspace_id"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        rls.enable([TABLE])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rls.disable([TABLE])
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_response_file_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_response_file_response_id"))
    op.drop_table(TABLE)
