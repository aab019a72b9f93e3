"""Row-level security: a person's start page reads their workspaces in one statement per module

Every table with the ``tenant_isolation`` policy gets a second, read-only policy,
``member_read``: the rows of the workspaces listed in ``app.read_also``. The app sets that list
to the person's other workspaces for the statements of their start page ("Til deg") only, and
empties it straight after (app.tenancy.set_db_scope(read_also=...)); writes stay bound to
``app.workspace_id`` alone. Tables made after this migration get both policies from
``app.rls.enable``.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app import rls

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _isolated_tables() -> list[str]:
    rows = op.get_bind().execute(
        sa.text(
            "SELECT tablename FROM pg_policies "
            "WHERE schemaname = current_schema() AND policyname = 'tenant_isolation' "
            "ORDER BY tablename"
        )
    )
    return [row[0] for row in rows]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _isolated_tables():
        op.execute(f"DROP POLICY IF EXISTS member_read ON {table}")
        op.execute(rls.MEMBER_READ.format(table=table))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _isolated_tables():
        op.execute(f"DROP POLICY IF EXISTS member_read ON {table}")
