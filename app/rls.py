"""Row-level security for a migration that adds tenant-owned tables (PostgreSQL only; SQLite
has no policies and relies on the scoped queries alone).

    from app import rls

    def upgrade() -> None:
        op.create_table("scheme_call", ...)
        if op.get_bind().dialect.name == "postgresql":
            rls.enable(("scheme_call",))

Each table gets ENABLE and FORCE row-level security and one policy, ``tenant_isolation``:
rows of the workspace in ``app.workspace_id`` (set per transaction by
``app.tenancy.set_db_scope``), and no rows when none is set. Keep this file's DDL stable:
migrations that ran with it must mean the same thing tomorrow.
"""

from __future__ import annotations

from collections.abc import Iterable

from alembic import op

WORKSPACE = "NULLIF(current_setting('app.workspace_id', true), '')::integer"
# Set by app.tenancy.set_system_scope for the few readers of every workspace's rows of a table
# that allows it (the mail worker and `samspill mail` on the outbox).
SYSTEM = "coalesce(current_setting('app.system', true), '') = 'on'"


def enable(tables: Iterable[str]) -> None:
    for table in tables:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} "
            f"USING (workspace_id = {WORKSPACE}) WITH CHECK (workspace_id = {WORKSPACE})"
        )


def disable(tables: Iterable[str]) -> None:
    for table in tables:
        op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
