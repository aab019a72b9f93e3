"""Large exports made in the background: export_job (a summary PDF the worker makes); RLS;
full-text match usable by the search index under row-level security (PostgreSQL)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 10:00:00.000000
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app import rls

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "export_job"
# The worker finds the waiting jobs of every workspace (app.tenancy.set_system_scope); it reads
# and changes each one in that job's own workspace scope.
SYSTEM_READ = f"CREATE POLICY system_read ON {TABLE} FOR SELECT USING ({rls.SYSTEM})"

# Under row-level security PostgreSQL evaluates the policy before any condition whose function
# is not LEAKPROOF, and so never uses an index for it: the strategies search tested `@@` on every
# row of the workspace (0.7 s for a rare word at 200,000 comments) and its GIN indexes served
# only the owner. `ts_match_vq` (tsvector @@ tsquery) answers true or false and raises no error
# that depends on the row, so it leaks nothing; declared LEAKPROOF, the GIN index is used under
# the policy (35 ms). Only a superuser may declare it: a migration run by another role leaves it
# and says so — search stays correct, only slower — and a DBA may run the statement later.
MATCH = "pg_catalog.ts_match_vq(tsvector, tsquery)"


def _superuser() -> bool:
    bind = op.get_bind()
    return bool(bind.scalar(sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")))


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("storage_key", sa.String(length=100), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('waiting', 'working', 'done', 'failed')", name=op.f("ck_export_job_status")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["consultation_round.id"],
            name=op.f("fk_export_job_round_id_consultation_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_export_job_requested_by_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_export_job_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_job")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_job_round_id"), ["round_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_export_job_requested_by_id"), ["requested_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_export_job_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_export_job_workspace_id"), ["workspace_id"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        rls.enable([TABLE])
        op.execute(SYSTEM_READ)
        if _superuser():
            op.execute(f"ALTER FUNCTION {MATCH} LEAKPROOF")
        else:
            logging.getLogger("alembic.runtime.migration").warning(
                "not a superuser, so %s is not declared LEAKPROOF: strategies search reads every "
                "row of a workspace. A superuser may run: ALTER FUNCTION %s LEAKPROOF;",
                MATCH,
                MATCH,
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        if _superuser():
            op.execute(f"ALTER FUNCTION {MATCH} NOT LEAKPROOF")
        op.execute(f"DROP POLICY IF EXISTS system_read ON {TABLE}")
        rls.disable([TABLE])
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_job_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_export_job_status"))
        batch_op.drop_index(batch_op.f("ix_export_job_requested_by_id"))
        batch_op.drop_index(batch_op.f("ix_export_job_round_id"))
    op.drop_table(TABLE)
